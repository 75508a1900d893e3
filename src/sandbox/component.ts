import ivm from 'isolated-vm';
import type { ComponentRecord } from '../envelope/record.ts';
import type { CapabilityName, RuntimeLimits } from '../policy/policy.ts';
import { RUNTIME_MODULE } from '../policy/validate.ts';
import { hostCapabilities, MAX_LOG_CHARS, type LogEntry } from './capabilities.ts';
import { CodeCache, compileModuleCached } from './code-cache.ts';
import { ComponentError, SandboxError } from './errors.ts';
import { IsolateHost, SETUP_TIMEOUT_MS, type DeathKind, type PreparedContext } from './isolate-host.ts';
import {
  componentErrorFrom,
  componentFilename,
  engineFailure,
  label,
  memoryLimitError,
  outcomeError,
  resultOf,
  timeoutError,
  wallTimeoutError,
  type Outcome,
} from './outcome.ts';

export type { LogEntry } from './capabilities.ts';

export interface SandboxOptions {
  readonly limits: RuntimeLimits;
  readonly capabilities: Readonly<Record<CapabilityName, boolean>>;
  /** Where `log()` lines go (after rate limiting). Default: dropped. */
  readonly onLog?: ((entry: LogEntry) => void) | undefined;
  /** Verified bytes of an artifact, for the `artifact()` capability. */
  readonly readArtifact?: ((name: string) => Uint8Array) | undefined;
}

export interface ComponentMetrics {
  /** CPU time this component's calls (and its module evaluation) used, ms. */
  readonly cpuTimeMs: number;
  /** Wall time from each call's start to its result, summed, ms. */
  readonly wallTimeMs: number;
  /** V8 heap in use by the component's isolate, bytes (shared with its tenant's other components in a tenant isolate). */
  readonly heapUsedBytes: number;
  readonly calls: number;
  /** Promise rejections the component left unhandled (never reported as another call's error). */
  readonly unhandledRejections: number;
  /** Whether the isolate is shared with other components of the same tenant. */
  readonly sharedIsolate: boolean;
}

/** Where a component runs: a prepared context, in an isolate it owns or shares with its tenant. */
export interface Placement {
  readonly prepared: PreparedContext;
  /** True when other components of the same tenant live in the same isolate. */
  readonly shared: boolean;
  /** Called once when the component is gone (tenant accounting). */
  readonly onGone?: () => void;
}

/** The process-wide code cache `SandboxedComponent.create` uses (a Sandbox has its own). */
const defaultCodeCache = new CodeCache();

type Pending = { resolve: (outcome: Outcome) => void; reject: (error: Error) => void };

/**
 * One component instantiated in a hardened context. The host holds References into the isolate;
 * the isolate holds nothing of the host but the capability callbacks the prelude wraps.
 */
export class SandboxedComponent {
  readonly record: ComponentRecord;
  readonly #host: IsolateHost;
  readonly #prepared: PreparedContext;
  readonly #shared: boolean;
  readonly #limits: RuntimeLimits;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #pending = new Map<number, Pending>();
  #onGone: (() => void) | undefined;
  #stopListening: () => void = () => {};
  #caller: ivm.Reference | undefined;
  #take: ivm.Reference | undefined;
  #nextCall = 1;
  #calls = 0;
  #cpuNs = 0n;
  #wallMs = 0;
  #unhandledRejections = 0;
  #gone: Error | undefined;
  /** Rejects when the component ends (a limit, its isolate lost, a dispose): every wait races it. */
  readonly #ended: Promise<never>;
  #rejectEnded: (error: Error) => void = () => {};

  private constructor(record: ComponentRecord, placement: Placement, limits: RuntimeLimits) {
    this.record = record;
    this.#host = placement.prepared.host;
    this.#prepared = placement.prepared;
    this.#shared = placement.shared;
    this.#limits = limits;
    this.#onGone = placement.onGone;
    this.#ended = new Promise<never>((_, reject) => {
      this.#rejectEnded = reject;
    });
    this.#ended.catch(() => {});
  }

  /**
   * Stage 4 of loading in a fresh isolate of its own (no pool, no tenant bookkeeping): what
   * packing's round trip uses. A loader goes through a {@link Sandbox} instead.
   */
  static async create(record: ComponentRecord, options: SandboxOptions): Promise<SandboxedComponent> {
    const host = IsolateHost.create(options.limits.memoryMb);
    host.claim(record.tenant);
    let prepared: PreparedContext;
    try {
      prepared = await host.prepareContext({ memoryMb: options.limits.memoryMb, capabilities: options.capabilities }, defaultCodeCache);
    } catch (error) {
      host.dispose('preparing the context failed');
      throw error;
    }
    return SandboxedComponent.load(record, options, { prepared, shared: false }, defaultCodeCache);
  }

  /** Stage 4 in a prepared context: bind, compile (code cache), link, evaluate, construct. */
  static async load(record: ComponentRecord, options: SandboxOptions, placement: Placement, cache: CodeCache | undefined): Promise<SandboxedComponent> {
    const component = new SandboxedComponent(record, placement, options.limits);
    try {
      await component.#load(options, cache);
      return component;
    } catch (error) {
      const typed = component.#classify(error, 0, 'loading');
      component.#end(typed, typed instanceof SandboxError && isFatal(typed.code));
      throw typed;
    }
  }

  async #load(options: SandboxOptions, cache: CodeCache | undefined): Promise<void> {
    const { record } = this;
    const host = this.#host;
    const prepared = this.#prepared;
    const limits = this.#limits;
    // cross-tenant: a context in an isolate that ran another tenant's code is never used
    host.claim(record.tenant);
    if (!host.usable) throw new SandboxError('DISPOSED', `the isolate for ${label(record)} was gone before loading`);
    this.#stopListening = host.onDeath((reason, kind) => this.#end(this.#deathError(reason, kind), false));

    const [log, artifact, sleep] = hostCapabilities({
      record,
      limits,
      capabilities: options.capabilities,
      onLog: options.onLog,
      readArtifact: options.readArtifact,
      startTimer: (id, delay) => this.#startTimer(id, delay),
    });
    const settle = new ivm.Callback((callId: unknown, outcome: unknown) => this.#settled(callId, outcome), { ignored: true });
    const meta = new ivm.ExternalCopy({ identifier: record.identifier, version: record.version, tenant: record.tenant }).copyInto({ release: true });
    await prepared.bind.apply(undefined, [meta, log, artifact, sleep, settle, MAX_LOG_CHARS], { timeout: SETUP_TIMEOUT_MS });

    const filename = componentFilename(record);
    const module = await compile(host.isolate, cache, record, filename);
    await link(module, prepared, filename);
    const cpuBefore = host.isolate.cpuTime;
    try {
      // the component's top-level code runs here, bounded like a call
      await this.#deadline(module.evaluate({ timeout: limits.cpuMsPerCall }), `evaluating ${filename}`);
    } finally {
      this.#cpuNs += host.isolate.cpuTime - cpuBefore;
    }
    await this.#checkBudget();
    let exported: ivm.Reference;
    try {
      exported = (await module.namespace.get(record.code.export, { reference: true })) as ivm.Reference;
    } catch (cause) {
      // a binding still in its temporal dead zone: top-level await that had not finished
      throw new SandboxError('EXPORT_NOT_FOUND', `${filename} did not finish evaluating (top-level await is not supported): ${(cause as Error).message}`, { cause });
    }
    if (exported.typeof !== 'function') {
      throw new SandboxError('EXPORT_NOT_FOUND', `${filename} has no class export "${record.code.export}" (found ${exported.typeof})`, {
        details: { export: record.code.export },
      });
    }
    const params = new ivm.ExternalCopy(record.params).copyInto({ release: true });
    const made = (await this.#deadline(
      prepared.instantiate.apply(undefined, [exported.derefInto({ release: true }), params, limits.maxResultBytes], {
        timeout: limits.cpuMsPerCall,
        result: { reference: true },
      }) as Promise<ivm.Reference>,
      `constructing ${label(record)}`,
    )) as ivm.Reference;
    if (made.typeof !== 'object') {
      // an outcome string: the constructor threw, or the export was not constructible
      throw outcomeError(String(await made.copy()), record, 'constructor', limits);
    }
    this.#caller = (await made.get('call', { reference: true })) as ivm.Reference;
    this.#take = (await made.get('take', { reference: true })) as ivm.Reference;
    made.release();
  }

  get disposed(): boolean {
    return this.#gone !== undefined || !this.#host.usable;
  }

  /**
   * Stage 5: calls `method` with `args` copied in, awaits a returned promise, and returns the
   * result copied out. Bounded by CPU time per task, a wall-clock deadline, memory and result size.
   */
  async call(method: string, args: readonly unknown[] = []): Promise<unknown> {
    const caller = this.#ready();
    const copied = this.#copyArguments(method, args);
    const callId = this.#nextCall++;
    const started = performance.now();
    const cpuBefore = this.#host.isolate.cpuTime;
    const settled = new Promise<Outcome>((resolve, reject) => this.#pending.set(callId, { resolve, reject }));
    settled.catch(() => {}); // rejected only when the component ends; the caller hears it below
    const deadline = this.#startDeadline(`calling ${method}()`);
    try {
      let outcome: Outcome;
      try {
        const kickoff = caller.apply(undefined, [method, copied, callId, false], { timeout: this.#limits.cpuMsPerCall, result: { copy: true } }) as Promise<Outcome>;
        kickoff.catch(() => {}); // if the deadline wins, the kick-off's later rejection (isolate disposed) is expected
        outcome = await Promise.race([kickoff, deadline.expired, this.#ended]);
      } catch (error) {
        outcome = await this.#recover(error, callId, cpuBefore, `calling ${method}()`);
      }
      if (outcome === 'p') outcome = await Promise.race([settled, deadline.expired, this.#ended]);
      return resultOf(outcome, this.record, method, this.#limits);
    } catch (error) {
      throw this.#fail(error);
    } finally {
      deadline.cancel();
      this.#pending.delete(callId);
      this.#cpuNs += this.#host.usable ? this.#host.isolate.cpuTime - cpuBefore : 0n;
      this.#wallMs += performance.now() - started;
    }
  }

  /**
   * Like `call`, on the calling thread, for methods that return without awaiting: cheaper, but
   * only the CPU timeout bounds it (a method returning a promise is refused), and the calling
   * thread runs the component's code.
   */
  callSync(method: string, args: readonly unknown[] = []): unknown {
    const caller = this.#ready();
    const copied = this.#copyArguments(method, args);
    const callId = this.#nextCall++;
    const started = performance.now();
    const cpuBefore = this.#host.isolate.cpuTime;
    try {
      let outcome: Outcome;
      try {
        outcome = caller.applySync(undefined, [method, copied, callId, true], { timeout: this.#limits.cpuMsPerCall, result: { copy: true } }) as Outcome;
      } catch (error) {
        outcome = this.#recoverSync(error, callId, cpuBefore);
      }
      return resultOf(outcome, this.record, method, this.#limits);
    } catch (error) {
      throw this.#fail(error);
    } finally {
      this.#cpuNs += this.#host.usable ? this.#host.isolate.cpuTime - cpuBefore : 0n;
      this.#wallMs += performance.now() - started;
    }
  }

  metrics(): ComponentMetrics {
    let heapUsedBytes = 0;
    if (this.#host.usable) {
      try {
        heapUsedBytes = this.#host.isolate.getHeapStatisticsSync().used_heap_size;
      } catch {
        // disposed meanwhile
      }
    }
    return {
      cpuTimeMs: Number(this.#cpuNs) / 1e6,
      wallTimeMs: this.#wallMs,
      heapUsedBytes,
      calls: this.#calls,
      unhandledRejections: this.#unhandledRejections,
      sharedIsolate: this.#shared,
    };
  }

  /** Frees the component (its isolate, or its context in a shared isolate). Idempotent; later calls fail with DISPOSED. */
  dispose(reason = 'disposed by the host'): void {
    this.#end(new SandboxError('DISPOSED', `${label(this.record)} is disposed (${reason}); load it again`), false);
  }

  #ready(): ivm.Reference {
    if (this.#gone !== undefined) throw this.#gone instanceof SandboxError && this.#gone.code === 'DISPOSED' ? this.#gone : disposedAfter(this.record, this.#gone);
    if (!this.#host.usable || this.#caller === undefined) {
      throw new SandboxError('DISPOSED', `${label(this.record)}'s isolate is gone (${this.#host.lost ?? 'disposed'}); load it again`);
    }
    return this.#caller;
  }

  #copyArguments(method: string, args: readonly unknown[]): ivm.Copy<unknown[]> {
    if (typeof method !== 'string' || method.length === 0) throw new SandboxError('METHOD_NOT_FOUND', 'method name must be a non-empty string');
    if (!Array.isArray(args)) throw new SandboxError('ARGUMENTS_NOT_CLONEABLE', 'arguments must be an array');
    this.#calls++;
    try {
      return new ivm.ExternalCopy([...args]).copyInto({ release: true });
    } catch (cause) {
      throw new SandboxError('ARGUMENTS_NOT_CLONEABLE', `arguments to ${method}() cannot be copied into the isolate: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * An error from a call's task: a limit (typed, fatal), or a promise the component left
   * unhandled, which isolated-vm reports as the task's error instead of its result. The latter
   * is the component's own business: counted, and the call's outcome fetched from the glue.
   */
  async #recover(error: unknown, callId: number, cpuBefore: bigint, what: string): Promise<Outcome> {
    const failure = this.#failureOf(error, cpuBefore);
    if (failure !== undefined) throw failure;
    this.#unhandledRejections++;
    const take = this.#take;
    if (take === undefined) throw new SandboxError('DISPOSED', `${label(this.record)} is gone`);
    return (await this.#deadline(take.apply(undefined, [callId], { timeout: SETUP_TIMEOUT_MS, result: { copy: true } }) as Promise<Outcome>, what)) as Outcome;
  }

  #recoverSync(error: unknown, callId: number, cpuBefore: bigint): Outcome {
    const failure = this.#failureOf(error, cpuBefore);
    if (failure !== undefined) throw failure;
    this.#unhandledRejections++;
    const outcome = this.#take?.applySync(undefined, [callId], { timeout: SETUP_TIMEOUT_MS, result: { copy: true } }) as Outcome;
    // the promise a synchronous call returned is not waited for
    return outcome === 'p' ? 'P' : outcome;
  }

  #failureOf(error: unknown, cpuBefore: bigint): Error | undefined {
    if (error instanceof SandboxError || error instanceof ComponentError) return error;
    const disposed = this.#host.isolate.isDisposed;
    const cpuMs = disposed ? Number.POSITIVE_INFINITY : Number(this.#host.isolate.cpuTime - cpuBefore) / 1e6;
    switch (engineFailure(error, disposed, cpuMs, this.#limits)) {
      case 'memory':
        return memoryLimitError(this.record, this.#limits);
      case 'timeout':
        return timeoutError(this.record, this.#limits);
      case 'disposed':
        return this.#gone ?? new SandboxError('DISPOSED', `${label(this.record)}'s isolate was disposed during the call (${this.#host.lost ?? 'disposed'})`);
      default:
        return undefined;
    }
  }

  /** Any error of a load step, typed. */
  #classify(error: unknown, cpuBefore: number, what: string): Error {
    if (error instanceof SandboxError || error instanceof ComponentError) return error;
    const failure = this.#failureOf(error, BigInt(cpuBefore));
    if (failure !== undefined) return failure;
    void what;
    // anything else raised while the component's module ran is the component's own throw
    return componentErrorFrom(error, this.record);
  }

  /** Types a call's error and, for a limit, ends the component (and its isolate). */
  #fail(error: unknown): Error {
    const typed = error instanceof Error && (error instanceof SandboxError || error instanceof ComponentError) ? error : this.#classify(error, 0, 'call');
    if (typed instanceof SandboxError && isFatal(typed.code)) {
      // a component stopped mid-call may have left its state half-updated: never call it again
      this.#end(typed, typed.code !== 'WALL_TIMEOUT' || !this.#shared);
    }
    return typed;
  }

  /** After a load step ran component code: did it go over its memory budget (bounds.ts)? */
  async #checkBudget(): Promise<void> {
    const why = (await this.#prepared.status.apply(undefined, [], { timeout: SETUP_TIMEOUT_MS, result: { copy: true } })) as unknown;
    if (typeof why === 'string' && why !== '') throw memoryLimitError(this.record, this.#limits, why.slice(0, 300));
  }

  #settled(callId: unknown, outcome: unknown): void {
    if (typeof callId !== 'number') return;
    const pending = this.#pending.get(callId);
    if (pending === undefined) return;
    this.#pending.delete(callId);
    pending.resolve(outcome as Outcome);
  }

  #startTimer(id: number, delayMs: number): void {
    if (this.#gone !== undefined) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#gone !== undefined || !this.#host.usable) return;
      const cpuBefore = this.#host.isolate.cpuTime;
      // the code after an await runs in this task: it gets the same CPU limit as a call
      this.#prepared.wake.apply(undefined, [id], { timeout: this.#limits.cpuMsPerCall }).catch((error: unknown) => {
        const failure = this.#failureOf(error, cpuBefore);
        if (failure === undefined) {
          this.#unhandledRejections++;
          return;
        }
        if (failure instanceof SandboxError && isFatal(failure.code)) this.#end(failure, true);
      });
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  /** A wall-clock deadline; past it the call fails with WALL_TIMEOUT (the isolate is disposed by #fail). */
  #startDeadline(what: string): { expired: Promise<never>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(wallTimeoutError(what, this.#limits)), this.#limits.wallMsPerCall);
    });
    expired.catch(() => {});
    return { expired, cancel: () => clearTimeout(timer) };
  }

  #deadline<T>(work: Promise<T>, what: string): Promise<T> {
    const deadline = this.#startDeadline(what);
    work.catch(() => {}); // the loser's rejection (isolate disposed) is expected
    return Promise.race([work, deadline.expired, this.#ended]).finally(() => deadline.cancel());
  }

  /** The error a call sees when the isolate goes away under it. */
  #deathError(reason: string, kind: DeathKind): SandboxError {
    if (kind === 'memory') return memoryLimitError(this.record, this.#limits, reason);
    if (kind === 'timeout') return timeoutError(this.record, this.#limits);
    return new SandboxError('DISPOSED', `${label(this.record)}'s isolate is gone (${reason}); load it again`);
  }

  /**
   * The component is over: every pending call fails with `error`, its timers stop, its context
   * (or, when `disposeIsolate`, its whole isolate) is freed. Idempotent.
   */
  #end(error: Error, disposeIsolate: boolean): void {
    if (this.#gone === undefined) {
      this.#gone = error;
      this.#stopListening();
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      this.#rejectEnded(error);
      if (disposeIsolate || !this.#shared) {
        this.#host.dispose(`${label(this.record)}: ${error instanceof SandboxError ? error.code : 'ended'}`);
      } else {
        this.#prepared.release();
      }
      const onGone = this.#onGone;
      this.#onGone = undefined;
      onGone?.();
    } else if (disposeIsolate) {
      this.#host.dispose(`${label(this.record)}: ended`);
    }
  }
}

/** Limits after which the component is never called again. */
function isFatal(code: string): boolean {
  return code === 'TIMEOUT' || code === 'WALL_TIMEOUT' || code === 'MEMORY_LIMIT';
}

function disposedAfter(record: ComponentRecord, cause: Error): SandboxError {
  const why = cause instanceof SandboxError ? cause.code : 'an error';
  return new SandboxError('DISPOSED', `${label(record)} was stopped by ${why} and is disposed; load it again`, { cause });
}

async function compile(isolate: ivm.Isolate, cache: CodeCache | undefined, record: ComponentRecord, filename: string): Promise<ivm.Module> {
  try {
    return await compileModuleCached(isolate, cache, CodeCache.keyOf('component', record.code.source), record.code.source, filename);
  } catch (cause) {
    if (isolate.isDisposed) throw cause;
    // acorn accepted it (the policy ran) but V8 did not: report, never crash
    throw new SandboxError('COMPILE_FAILED', `${filename} does not compile in the isolate: ${(cause as Error).message}`, { cause });
  }
}

async function link(module: ivm.Module, prepared: PreparedContext, filename: string): Promise<void> {
  try {
    await module.instantiate(prepared.context, (specifier) => {
      if (specifier === RUNTIME_MODULE) return prepared.runtime;
      // module loading: nothing but the runtime module can be imported, whatever the policy said
      throw new Error(`${filename} imports "${specifier}"; components can import only "${RUNTIME_MODULE}"`);
    });
  } catch (cause) {
    throw new SandboxError('COMPILE_FAILED', `${filename} cannot be linked: ${(cause as Error).message}`, { cause });
  }
}
