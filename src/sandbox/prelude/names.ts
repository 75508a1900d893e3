/** Script names the isolate reports in stack traces, and the runtime module's one-shot global. */
export const PRELUDE_FILENAME = 'isoclass:prelude';
export const RUNTIME_FILENAME = 'isoclass:runtime';
export const RUNTIME_HANDOFF = '__isoclass_runtime_handoff__';
/** How the prelude's run-once setup functions are named: the process's V8 flags keep them from Sparkplug (v8-flags.ts). */
export const SETUP_FUNCTION_PREFIX = 'isoclassSetup';
/** Sleeps a component may have pending at once (each is a host timer, outside the isolate's heap limit). */
export const MAX_PENDING_SLEEPS = 1000;
