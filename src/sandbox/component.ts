import ivm from 'isolated-vm';
import type { ComponentRecord } from '../envelope/record.ts';
import type { CapabilityName, RuntimeLimits } from '../policy/policy.ts';
import { RUNTIME_MODULE } from '../policy/validate.ts';
import { ComponentError, SandboxError } from './errors.ts';
import { PRELUDE_FILENAME, PRELUDE_SOURCE, RUNTIME_FILENAME } from './prelude.ts';
import { runtimeModuleSource } from './runtime-module.ts';
import { decodeWireValue } from './wire.ts';

export interface LogEntry {
  readonly tenant: string;
  readonly identifier: string;
  readonly version: number;
  readonly line: string;
}

export interface SandboxOptions {
  readonly limits: RuntimeLimits;
  readonly capabilities: Readonly<Record<CapabilityName, boolean>>;
  /** Where `log()` lines go (after rate limiting). Default: dropped. */
  readonly onLog?: (entry: LogEntry) => void;
  /** Verified bytes of an artifact, for the `artifact()` capability. */
  readonly readArtifact?: (name: string) => Uint8Array;
}

export interface ComponentMetrics {
  /** CPU time the isolate has used, ms. */
  readonly cpuTimeMs: number;
  /** Wall time the isolate has been running code, ms. */
  readonly wallTimeMs: number;
  /** V8 heap in use, bytes. */
  readonly heapUsedBytes: number;
  readonly calls: number;
}

const MAX_LOG_CHARS = 8 * 1024; // characters per log line
const LOG_BURST = 100; // lines allowed at once
const LOG_PER_SECOND = 50; // lines per second sustained
const SETUP_TIMEOUT_MS = 1000; // ms for the prelude and runtime module (trusted code)

/**
 * One component instantiated in its own isolate, with the context hardened before its code ran.
 * The host holds References into the isolate; the isolate holds nothing of the host but the
 * wrapped capability callbacks.
 */
export class SandboxedComponent {
  readonly record: ComponentRecord;
  readonly #isolate: ivm.Isolate;
  readonly #caller: ivm.Reference;
  readonly #limits: RuntimeLimits;
  readonly #timers: Set<NodeJS.Timeout>;
  #calls = 0;
  #disposedBecause: string | undefined;

  private constructor(record: ComponentRecord, isolate: ivm.Isolate, caller: ivm.Reference, limits: RuntimeLimits, timers: Set<NodeJS.Timeout>) {
    this.record = record;
    this.#isolate = isolate;
    this.#caller = caller;
    this.#limits = limits;
    this.#timers = timers;
  }

  /** Stage 4 of loading: a new isolate, hardened, with the component compiled and constructed. */
  static async create(record: ComponentRecord, options: SandboxOptions): Promise<SandboxedComponent> {
    const { limits } = options;
    const isolate = new ivm.Isolate({ memoryLimit: limits.memoryMb });
    const timers = new Set<NodeJS.Timeout>();
    try {
      const context = await isolate.createContext();
      const glue = (await context.eval(PRELUDE_SOURCE, { filename: PRELUDE_FILENAME, timeout: SETUP_TIMEOUT_MS, reference: true })) as ivm.Reference;
      const setup = (await glue.get('setup', { reference: true })) as ivm.Reference;
      const instantiate = (await glue.get('instantiate', { reference: true })) as ivm.Reference;
      const wake = (await glue.get('wake', { reference: true })) as ivm.Reference;
      const callbacks = hostCapabilities(record, options, isolate, wake, timers);
      await setup.apply(
        undefined,
        [new ivm.ExternalCopy({ identifier: record.identifier, version: record.version, tenant: record.tenant }).copyInto(), ...callbacks, MAX_LOG_CHARS],
        { timeout: SETUP_TIMEOUT_MS },
      );
      const runtime = await isolate.compileModule(runtimeModuleSource(options.capabilities), { filename: RUNTIME_FILENAME });
      await runtime.instantiate(context, () => {
        throw new Error('the runtime module imports nothing');
      });
      await runtime.evaluate({ timeout: SETUP_TIMEOUT_MS });

      const filename = componentFilename(record);
      const module = await compile(isolate, record, filename);
      await link(module, context, runtime, filename);
      // the component's top-level code runs here, bounded like a call
      await withDeadline(isolate, limits, module.evaluate({ timeout: limits.cpuMsPerCall }), 'evaluating the module');
      const exported = (await module.namespace.get(record.code.export, { reference: true })) as ivm.Reference;
      if (exported.typeof !== 'function') {
        throw new SandboxError('EXPORT_NOT_FOUND', `${filename} has no class export "${record.code.export}" (found ${exported.typeof})`, {
          details: { export: record.code.export },
        });
      }
      const made = (await withDeadline(
        isolate,
        limits,
        instantiate.apply(undefined, [exported.derefInto(), new ivm.ExternalCopy(record.params).copyInto(), limits.maxResultBytes], {
          timeout: limits.cpuMsPerCall,
          result: { reference: true },
        }),
        'constructing the component',
      )) as ivm.Reference;
      if (made.typeof !== 'function') {
        // an outcome string: the constructor threw, or the export was not constructible
        throw outcomeError(String(await made.copy()), record, 'constructor');
      }
      return new SandboxedComponent(record, isolate, made, limits, timers);
    } catch (error) {
      disposeQuietly(isolate, timers);
      throw classify(error, isolate, limits, record);
    }
  }

  get disposed(): boolean {
    return this.#disposedBecause !== undefined || this.#isolate.isDisposed;
  }

  /**
   * Stage 5: calls `method` with `args` copied in, awaits a returned promise, and returns the
   * result copied out. Bounded by CPU time, a wall-clock deadline, memory and result size.
   */
  async call(method: string, args: readonly unknown[] = []): Promise<unknown> {
    const copied = this.#prepare(method, args);
    const pending = this.#caller.apply(undefined, [method, copied], {
      timeout: this.#limits.cpuMsPerCall,
      result: { promise: true, copy: true },
    }) as Promise<string>;
    try {
      return this.#finish(method, await withDeadline(this.#isolate, this.#limits, pending, `calling ${method}()`));
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /**
   * Like `call`, on the calling thread, for methods that return without awaiting: cheaper, but
   * only the CPU timeout bounds it (a method returning a promise is refused).
   */
  callSync(method: string, args: readonly unknown[] = []): unknown {
    const copied = this.#prepare(method, args);
    try {
      const outcome = this.#caller.applySync(undefined, [method, copied], { timeout: this.#limits.cpuMsPerCall, result: { copy: true } }) as unknown;
      if (typeof outcome !== 'string') {
        throw new SandboxError('RESULT_NOT_CLONEABLE', `${method}() returned a promise; use call() for async methods`);
      }
      return this.#finish(method, outcome);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  metrics(): ComponentMetrics {
    if (this.disposed) return { cpuTimeMs: 0, wallTimeMs: 0, heapUsedBytes: 0, calls: this.#calls };
    return {
      cpuTimeMs: Number(this.#isolate.cpuTime) / 1e6,
      wallTimeMs: Number(this.#isolate.wallTime) / 1e6,
      heapUsedBytes: this.#isolate.getHeapStatisticsSync().used_heap_size,
      calls: this.#calls,
    };
  }

  /** Frees the isolate. Idempotent; later calls fail with DISPOSED. */
  dispose(reason = 'disposed by the host'): void {
    this.#disposedBecause ??= reason;
    disposeQuietly(this.#isolate, this.#timers);
  }

  #prepare(method: string, args: readonly unknown[]): ivm.Copy<unknown[]> {
    if (this.disposed) {
      throw new SandboxError('DISPOSED', `${label(this.record)} is disposed (${this.#disposedBecause ?? 'its isolate died'}); load it again`);
    }
    if (typeof method !== 'string' || method.length === 0) throw new SandboxError('METHOD_NOT_FOUND', 'method name must be a non-empty string');
    if (!Array.isArray(args)) throw new SandboxError('ARGUMENTS_NOT_CLONEABLE', 'arguments must be an array');
    this.#calls++;
    try {
      return new ivm.ExternalCopy([...args]).copyInto();
    } catch (cause) {
      throw new SandboxError('ARGUMENTS_NOT_CLONEABLE', `arguments to ${method}() cannot be copied into the isolate: ${(cause as Error).message}`, { cause });
    }
  }

  #finish(method: string, outcome: string): unknown {
    if (outcome.startsWith('v')) return decodeWireValue(outcome.slice(1));
    throw outcomeError(outcome, this.record, method);
  }

  #fail(error: unknown): unknown {
    const typed = classify(error, this.#isolate, this.#limits, this.record);
    // A component stopped mid-call may have left its state half-updated: never call it again.
    if (typed instanceof SandboxError && (typed.code === 'TIMEOUT' || typed.code === 'WALL_TIMEOUT' || typed.code === 'MEMORY_LIMIT')) {
      this.dispose(typed.code);
    }
    return typed;
  }
}

function componentFilename(record: ComponentRecord): string {
  return `component:${record.tenant}/${record.identifier}@${record.version}.js`;
}

function label(record: ComponentRecord): string {
  return `${record.tenant}/${record.identifier}@${record.version}`;
}

async function compile(isolate: ivm.Isolate, record: ComponentRecord, filename: string): Promise<ivm.Module> {
  try {
    return await isolate.compileModule(record.code.source, { filename });
  } catch (cause) {
    // acorn accepted it (the policy ran) but V8 did not: report, never crash
    throw new SandboxError('COMPILE_FAILED', `${filename} does not compile in the isolate: ${(cause as Error).message}`, { cause });
  }
}

async function link(module: ivm.Module, context: ivm.Context, runtime: ivm.Module, filename: string): Promise<void> {
  try {
    await module.instantiate(context, (specifier) => {
      if (specifier === RUNTIME_MODULE) return runtime;
      // module loading: nothing but the runtime module can be imported, whatever the policy said
      throw new Error(`${filename} imports "${specifier}"; components can import only "${RUNTIME_MODULE}"`);
    });
  } catch (cause) {
    throw new SandboxError('COMPILE_FAILED', `${filename} cannot be linked: ${(cause as Error).message}`, { cause });
  }
}

/** Races `work` against the wall-clock limit; past it, the isolate is disposed (stuck promises, slow awaits). */
async function withDeadline<T>(isolate: ivm.Isolate, limits: RuntimeLimits, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      disposeQuietly(isolate, undefined);
      reject(new SandboxError('WALL_TIMEOUT', `${what} did not finish within ${limits.wallMsPerCall} ms (wall clock); the isolate was disposed`, {
        details: { limitMs: limits.wallMsPerCall },
      }));
    }, limits.wallMsPerCall);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {}); // the loser's rejection (isolate disposed) is expected
  }
}

/** Maps whatever isolated-vm threw to a typed error. */
function classify(error: unknown, isolate: ivm.Isolate, limits: RuntimeLimits, record: ComponentRecord): Error {
  if (error instanceof SandboxError || error instanceof ComponentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/memory limit/i.test(message)) {
    return new SandboxError('MEMORY_LIMIT', `${label(record)} exceeded its memory limit of ${limits.memoryMb} MiB; its isolate was disposed`, {
      details: { limitMb: limits.memoryMb },
    });
  }
  if (/execution timed out/i.test(message)) {
    return new SandboxError('TIMEOUT', `${label(record)} used more than ${limits.cpuMsPerCall} ms of CPU in one call; its isolate was disposed`, {
      details: { limitMs: limits.cpuMsPerCall },
    });
  }
  if (isolate.isDisposed || /isolate is disposed/i.test(message)) {
    return new SandboxError('DISPOSED', `${label(record)}'s isolate was disposed during the call: ${message}`);
  }
  // Anything else raised while running component code (top-level evaluation) is the component's.
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  const name = error instanceof Error ? error.name : '(non-error value)';
  return new ComponentError(name, message, componentFrames(stack, record));
}

function outcomeError(outcome: string, record: ComponentRecord, method: string): Error {
  const kind = outcome[0];
  const body = outcome.slice(1);
  switch (kind) {
    case 't': {
      const thrown = JSON.parse(body) as { name: string; message: string; stack: string };
      return new ComponentError(thrown.name, thrown.message, componentFrames(thrown.stack, record));
    }
    case 'e': {
      const failure = JSON.parse(body) as { code: 'RESULT_TOO_LARGE' | 'RESULT_NOT_CLONEABLE'; message: string };
      return new SandboxError(failure.code, `${method}() of ${label(record)}: ${failure.message}`);
    }
    case 'm':
      return new SandboxError('METHOD_NOT_FOUND', `${label(record)} has no method "${body.slice(0, 200)}"`, { details: { method: body.slice(0, 200) } });
    case 'x':
      return new SandboxError('EXPORT_NOT_FOUND', `export "${record.code.export}" of ${label(record)} is a ${body}, not a class`);
    default:
      return new SandboxError('RESULT_NOT_CLONEABLE', `unexpected outcome from the isolate for ${method}()`);
  }
}

/** The component's own stack frames: the prelude's and runtime's are internal, the host's never appear. */
function componentFrames(stack: string, record: ComponentRecord): string {
  const filename = componentFilename(record);
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line) && line.includes(filename))
    .join('\n');
}

function hostCapabilities(
  record: ComponentRecord,
  options: SandboxOptions,
  isolate: ivm.Isolate,
  wake: ivm.Reference,
  timers: Set<NodeJS.Timeout>,
): [ivm.Callback | undefined, ivm.Callback | undefined, ivm.Callback | undefined] {
  const { capabilities, limits } = options;
  let log: ivm.Callback | undefined;
  if (capabilities.log) {
    let tokens = LOG_BURST;
    let last = Date.now();
    let dropped = 0;
    log = new ivm.Callback(
      (line: unknown) => {
        // log flooding: a component cannot drown the host's logs; excess lines are counted, not kept
        const now = Date.now();
        tokens = Math.min(LOG_BURST, tokens + ((now - last) / 1000) * LOG_PER_SECOND);
        last = now;
        if (tokens < 1) {
          dropped++;
          return;
        }
        tokens--;
        const text = typeof line === 'string' ? line.slice(0, MAX_LOG_CHARS) : '';
        const prefix = dropped > 0 ? `[${dropped} lines dropped by rate limit] ` : '';
        dropped = 0;
        options.onLog?.({ tenant: record.tenant, identifier: record.identifier, version: record.version, line: prefix + text });
      },
      { ignored: true },
    );
  }
  let artifact: ivm.Callback | undefined;
  if (capabilities.artifacts) {
    artifact = new ivm.Callback((name: unknown) => {
      // never throw into the isolate: a host Error would carry host paths in its stack
      try {
        if (typeof name !== 'string' || !Object.hasOwn(record.artifacts, name)) return [false, `no artifact named ${JSON.stringify(String(name)).slice(0, 200)}`];
        if (options.readArtifact === undefined) return [false, 'artifacts are not available in this loader'];
        return [true, new ivm.ExternalCopy(options.readArtifact(name)).copyInto()];
      } catch (error) {
        return [false, error instanceof Error ? error.message : 'artifact could not be read'];
      }
    });
  }
  let sleep: ivm.Callback | undefined;
  if (capabilities.timers) {
    sleep = new ivm.Callback(
      (id: unknown, ms: unknown) => {
        // a timer never outlives the call deadline: past it the isolate is gone anyway
        const delay = Math.min(Math.max(0, Number(ms) || 0), limits.wallMsPerCall);
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!isolate.isDisposed) wake.apply(undefined, [id]).catch(() => {});
        }, delay);
        timers.add(timer);
      },
      { ignored: true },
    );
  }
  return [log, artifact, sleep];
}

function disposeQuietly(isolate: ivm.Isolate, timers: Set<NodeJS.Timeout> | undefined): void {
  if (timers !== undefined) {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  }
  if (!isolate.isDisposed) {
    try {
      isolate.dispose();
    } catch {
      // already disposed by a memory-limit failure
    }
  }
}
