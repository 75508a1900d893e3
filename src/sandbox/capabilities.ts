import ivm from 'isolated-vm';
import type { ComponentRecord } from '../envelope/record.ts';
import { IsoclassError } from '../errors.ts';
import type { CapabilityName, RuntimeLimits } from '../policy/policy.ts';

export interface LogEntry {
  readonly tenant: string;
  readonly identifier: string;
  readonly version: number;
  readonly line: string;
}

export const MAX_LOG_CHARS = 8 * 1024; // characters per log line
const LOG_BURST = 100; // lines allowed at once
const LOG_PER_SECOND = 50; // lines per second sustained
const MAX_ARTIFACT_NAME = 200; // characters of an artifact name echoed in an error
const MAX_ARTIFACT_MESSAGE = 500; // characters of an artifact error
const ABSOLUTE_PATH = /(?:[A-Za-z]:)?[\\/][^\s'"()]*/g;

export interface CapabilityOptions {
  readonly record: ComponentRecord;
  readonly limits: RuntimeLimits;
  readonly onLog?: ((entry: LogEntry) => void) | undefined;
  readonly readArtifact?: ((name: string) => Uint8Array) | undefined;
  /** Starts a sleep's timer (the component wakes when it fires). */
  readonly startTimer: (id: number, delayMs: number) => void;
  /** Delivers the outcome of an async call. */
  readonly settle: (callId: unknown, outcome: unknown) => void;
}

/**
 * Where a prepared context's callbacks lead. A context is prepared (its callbacks made and handed
 * to the prelude) before anyone knows which component it will serve; loading the component fills
 * these slots, on the host, without entering the isolate.
 */
export interface CapabilitySlots {
  log?: (line: unknown) => void;
  artifact?: (name: unknown) => [boolean, unknown];
  sleep?: (id: unknown, ms: unknown) => void;
  settle?: (callId: unknown, outcome: unknown) => void;
}

/**
 * The isolated-vm Callbacks a context gets for the capabilities a policy grants (undefined when not
 * granted) and the settle channel, each leading to a slot. A callback copies its arguments (ivm does)
 * and never throws into the isolate: a host Error copied in would carry host file paths in its stack.
 */
export function capabilityCallbacks(
  slots: CapabilitySlots,
  capabilities: Readonly<Record<CapabilityName, boolean>>,
): [ivm.Callback | undefined, ivm.Callback | undefined, ivm.Callback | undefined, ivm.Callback] {
  return [
    capabilities.log ? new ivm.Callback((line: unknown) => slots.log?.(line), { ignored: true }) : undefined,
    capabilities.artifacts ? new ivm.Callback((name: unknown) => slots.artifact?.(name) ?? [false, 'artifacts are not available']) : undefined,
    capabilities.timers ? new ivm.Callback((id: unknown, ms: unknown) => slots.sleep?.(id, ms), { ignored: true }) : undefined,
    new ivm.Callback((callId: unknown, outcome: unknown) => slots.settle?.(callId, outcome), { ignored: true }),
  ];
}

/** The host side of the capabilities, for one component: what its slots are filled with. */
export function capabilityHandlers(options: CapabilityOptions): Required<CapabilitySlots> {
  return { log: logHandler(options), artifact: artifactHandler(options), sleep: sleepHandler(options), settle: options.settle };
}

function logHandler({ record, onLog }: CapabilityOptions): (line: unknown) => void {
  let tokens = LOG_BURST;
  let last = Date.now();
  let dropped = 0;
  return (line: unknown) => {
      // log flooding: a component cannot drown the host's logs; excess lines are counted, not kept
      const now = Date.now();
      tokens = Math.min(LOG_BURST, tokens + ((now - last) / 1000) * LOG_PER_SECOND);
      last = now;
      if (tokens < 1) {
        dropped++;
        return;
      }
      tokens--;
      // one huge line flooding the host's log sink: each line is cut (the glue cuts it first too)
      const text = typeof line === 'string' ? line.slice(0, MAX_LOG_CHARS) : '';
      const prefix = dropped > 0 ? `[${dropped} lines dropped by rate limit] ` : '';
      dropped = 0;
      try {
        onLog?.({ tenant: record.tenant, identifier: record.identifier, version: record.version, line: prefix + text });
      } catch {
        // the host's log sink failing is not the component's business
      }
  };
}

function artifactHandler({ record, readArtifact }: CapabilityOptions): (name: unknown) => [boolean, unknown] {
  return (name: unknown) => {
    // never throw into the isolate: a host Error would carry host paths in its stack
    try {
      // reading outside the record: only the names the signed record lists are served
      if (typeof name !== 'string' || !Object.hasOwn(record.artifacts, name)) {
        return [false, `no artifact named ${JSON.stringify(String(name)).slice(0, MAX_ARTIFACT_NAME)}`];
      }
      if (readArtifact === undefined) return [false, 'artifacts are not available in this loader'];
      // read-only: the component gets a fresh copy of the verified bytes, never the host's buffer
      return [true, new ivm.ExternalCopy(readArtifact(name)).copyInto({ release: true })];
    } catch (error) {
      return [false, artifactFailure(name, error)];
    }
  };
}

/**
 * Why an artifact could not be read, as the component may see it: isoclass's own reasons (a
 * changed or missing blob) with host paths cut out; anything else only as "could not be read".
 */
function artifactFailure(name: unknown, error: unknown): string {
  const what = `artifact ${JSON.stringify(String(name)).slice(0, MAX_ARTIFACT_NAME)}`;
  if (!(error instanceof IsoclassError)) return `${what} could not be read`;
  // host file system layout: absolute paths never reach the isolate
  return error.message.replace(ABSOLUTE_PATH, '<host path>').slice(0, MAX_ARTIFACT_MESSAGE);
}

const SLEEP_PAST_DEADLINE_MS = 250; // ms a clamped sleep waits past the wall-clock limit

function sleepHandler({ limits, startTimer }: CapabilityOptions): (id: unknown, ms: unknown) => void {
  return (id: unknown, ms: unknown) => {
    if (typeof id !== 'number') return;
    // a timer never outlives the call deadline by much: past it the component is gone anyway.
    // (A little past it, not at it: a sleep begun during a call and clamped to the deadline
    // itself could wake before the deadline's own timer and let the call finish in time.)
    const delay = Math.min(Math.max(0, Number(ms) || 0), limits.wallMsPerCall + SLEEP_PAST_DEADLINE_MS);
    startTimer(id, delay);
  };
}
