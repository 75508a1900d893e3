import type { ComponentRecord } from '../envelope/record.ts';
import type { RuntimeLimits } from '../policy/policy.ts';
import { ComponentError, SandboxError } from './errors.ts';
import { decodeWireValue } from './wire.ts';

/** What the glue returns for a call (prelude/glue.ts lists the forms). */
export type Outcome = string | number | boolean | null;

export function componentFilename(record: ComponentRecord): string {
  return `component:${record.tenant}/${record.identifier}@${record.version}.js`;
}

export function label(record: ComponentRecord): string {
  return `${record.tenant}/${record.identifier}@${record.version}`;
}

/** The result a successful outcome carries, as a fresh host value; a typed error otherwise. */
/** The glue's answer when the instance has no such method ('m' + name, see glue.ts). */
export function isNoSuchMethod(outcome: Outcome | undefined): boolean {
  return typeof outcome === 'string' && outcome[0] === 'm';
}

export function resultOf(outcome: Outcome, record: ComponentRecord, method: string, limits: RuntimeLimits): unknown {
  if (typeof outcome !== 'string') return outcome;
  switch (outcome[0]) {
    case 's':
      return outcome.slice(1);
    case 'u':
      return undefined;
    case 'v':
      return decodeWireValue(outcome.slice(1));
    default:
      throw outcomeError(outcome, record, method, limits);
  }
}

export function outcomeError(outcome: string, record: ComponentRecord, method: string, limits: RuntimeLimits): Error {
  const body = outcome.slice(1);
  switch (outcome[0]) {
    case 't': {
      const thrown = JSON.parse(body) as { name: string; message: string; stack: string };
      return new ComponentError(thrown.name, thrown.message, componentFrames(thrown.stack, record));
    }
    case 'e': {
      const failure = JSON.parse(body) as { code: 'RESULT_TOO_LARGE' | 'RESULT_NOT_CLONEABLE'; message: string };
      return new SandboxError(failure.code, `${method}() of ${label(record)}: ${failure.message}`);
    }
    case 'M':
      return memoryLimitError(record, limits, body.slice(0, 300));
    case 'm':
      return new SandboxError('METHOD_NOT_FOUND', `${label(record)} has no method "${body.slice(0, 200)}"`, { details: { method: body.slice(0, 200) } });
    case 'x':
      return new SandboxError('EXPORT_NOT_FOUND', `export "${record.code.export}" of ${label(record)} is a ${body}, not a class`);
    case 'T':
      return new SandboxError('EXPORT_NOT_FOUND', `${componentFilename(record)} did not finish evaluating (top-level await is not supported)`);
    case 'P':
      return new SandboxError('RESULT_NOT_CLONEABLE', `${method}() of ${label(record)} returned a promise; use call() for async methods`);
    default:
      return new SandboxError('RESULT_NOT_CLONEABLE', `unexpected outcome from the isolate for ${method}()`);
  }
}

export function memoryLimitError(record: ComponentRecord, limits: RuntimeLimits, why?: string): SandboxError {
  const detail = why === undefined || why === '' ? '' : ` (${why})`;
  return new SandboxError('MEMORY_LIMIT', `${label(record)} exceeded its memory limit of ${limits.memoryMb} MiB${detail}; its isolate was disposed`, {
    details: { limitMb: limits.memoryMb },
  });
}

export function timeoutError(record: ComponentRecord, limits: RuntimeLimits): SandboxError {
  return new SandboxError('TIMEOUT', `${label(record)} used more than ${limits.cpuMsPerCall} ms of CPU in one call; its isolate was disposed`, {
    details: { limitMs: limits.cpuMsPerCall },
  });
}

export function wallTimeoutError(what: string, limits: RuntimeLimits): SandboxError {
  return new SandboxError('WALL_TIMEOUT', `${what} did not finish within ${limits.wallMsPerCall} ms (wall clock); the isolate was disposed`, {
    details: { limitMs: limits.wallMsPerCall },
  });
}

/** What isolated-vm threw, recognised by message and confirmed by the isolate's state. */
export type EngineFailure = 'memory' | 'timeout' | 'disposed' | 'other';

/**
 * Classifies an error isolated-vm raised for a task. A component can reject a promise with any
 * message (an unhandled rejection is reported as the task's error), so a message alone is never
 * trusted: a memory failure must have disposed the isolate, a timeout must have taken at least
 * half the limit (`usedMs`: the task's CPU time, or its wall time for a synchronous call).
 */
export function engineFailure(error: unknown, isolateDisposed: boolean, usedMs: number, limits: RuntimeLimits): EngineFailure {
  const message = error instanceof Error ? error.message : '';
  if (isolateDisposed && /memory limit/i.test(message)) return 'memory';
  if (/^Script execution timed out\.?$/.test(message) && usedMs >= limits.cpuMsPerCall / 2) return 'timeout';
  if (isolateDisposed) return 'disposed';
  return 'other';
}

/** The component's own stack frames: the prelude's and runtime's are internal, the host's never appear. */
export function componentFrames(stack: string, record: ComponentRecord): string {
  const filename = componentFilename(record);
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line) && line.includes(filename))
    .join('\n');
}

/** An error raised while the component's module was evaluated, as the component's own. */
export function componentErrorFrom(error: unknown, record: ComponentRecord): ComponentError {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  const name = error instanceof Error ? error.name : '(non-error value)';
  const message = error instanceof Error ? error.message : String(error);
  return new ComponentError(name, message, componentFrames(stack, record));
}
