import { BOUNDS_SOURCE } from './bounds.ts';
import { CAPTURE_SOURCE } from './capture.ts';
import { ENCODE_SOURCE } from './encode.ts';
import { GLUE_SOURCE } from './glue.ts';
import { HARDEN_SOURCE } from './harden.ts';

/** What the prelude needs to know about the isolate it runs in. */
export interface PreludeConfig {
  /** The isolate's memory limit, bytes: the budget the bounded builtins enforce. */
  readonly memoryBytes: number;
}

/**
 * The script that runs first in every component context, before any component code. Evaluating
 * it yields a function; the host calls it once with a {@link PreludeConfig} and the context's
 * capability callbacks (see glue.ts, `bind`), and gets the glue: one function it holds as a
 * Reference and calls with an operation (`instantiate`, `wake`, `status`, `rehearse`, `compact`). In order:
 *
 *  1. capture.ts  the intrinsics the rest relies on, captured before anything is changed;
 *  2. bounds.ts   builtins bounded by the memory budget (native loops have no interrupt checks);
 *  3. encode.ts   how results leave the isolate (own data properties only, size-limited);
 *  4. glue.ts     Component, the capabilities, and the glue;
 *  5. harden.ts   no code generation, no shared memory or proxies, every intrinsic frozen
 *                 (last, so the wrappers and the glue's exports are frozen too).
 *
 * Written as plain JavaScript: it runs inside the isolate, not in Node. A function written
 * `const f = (function f() {…});` is one a load or a component's first call runs: the parentheses
 * make V8 compile it with the prelude, so it comes compiled from the code cache instead of being
 * compiled on first use in every isolate (lazily, one glue function cost ~70 µs in a cold isolate).
 */
export const PRELUDE_TEXT = `(function isoclassPrelude(config, log, artifact, sleep, settle, logChars) {
'use strict';
${CAPTURE_SOURCE}
${BOUNDS_SOURCE}
${ENCODE_SOURCE}
${GLUE_SOURCE}
${HARDEN_SOURCE}
bind(log, artifact, sleep, settle, logChars);
return glue;
})`;

/**
 * The prelude as compiled: {@link PRELUDE_TEXT} without its comment lines, indentation and blank
 * lines. V8 keeps a script's source for as long as the script lives (lazy compilation, stack
 * traces), and isolated-vm gives every isolate its own copy: ~15 KB less in each. Only whole-line
 * comments go (a line that starts with `//`, a block that starts a line with `/*`), so no string
 * or regular expression is touched; the prelude has no template literals. (A test checks that the
 * two read as the same tokens; the text must also stay Latin-1, or V8 stores it at two bytes a
 * character.)
 */
export const PRELUDE_SOURCE = compact(PRELUDE_TEXT);

function compact(text: string): string {
  return text
    .replace(/^[ \t]*\/\*[\s\S]*?\*\/[ \t]*\n/gm, '')
    .replace(/^[ \t]*\/\/.*\n/gm, '')
    .replace(/^[ \t]+/gm, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{2,}/g, '\n');
}
