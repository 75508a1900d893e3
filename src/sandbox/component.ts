import ivm from 'isolated-vm';
import type { ComponentRecord } from '../envelope/record.ts';
import type { CapabilityName, RuntimeLimits } from '../policy/policy.ts';
import { RUNTIME_MODULE } from '../policy/validate.ts';
import { capabilityHandlers, type LogEntry } from './capabilities.ts';
import { PROCESS_CODE_CACHE } from './code-cache.ts';
import { ComponentError, SandboxError } from './errors.ts';
import { GLUE_COPY, GLUE_REFERENCE, IsolateHost, type DeathKind, type PreparedContext } from './isolate-host.ts';
import { MAX_PENDING_SLEEPS } from './prelude/names.ts';
import {
  componentErrorFrom,
  componentFilename,
  engineFailure,
  isNoSuchMethod,
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
  /**
   * CPU time this component's calls (and its module evaluation) used, ms: its isolate's, garbage
   * collection included (in an isolate of its own, also the one compaction once it is idle after
   * its load, 10–40 ms), shared with its tenant's other components in a tenant isolate.
   */
  readonly cpuTimeMs: number;
  /** Wall time its isolate spent running its code, ms (same caveat). */
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
  /** Compact the isolate once the component is idle after its load (an isolate of its own only). */
  readonly compactWhenIdle?: boolean;
}


/**
 * An asynchronous call in flight: how to settle it, and its wall-clock deadline (performance.now(),
 * ms; +Infinity for a call made while the isolate is being compacted, until the compaction ends).
 */
type Pending = { readonly resolve: (outcome: Outcome) => void; readonly reject: (error: Error) => void; deadline: number; readonly method: string };

/**
 * How long a component in an isolate of its own must go without a call after its load before the
 * isolate is compacted, once (PreparedContext.compact: 10–40 ms of isolated-vm's thread, ~0.25 MiB
 * less resident; SandboxRuntimeOptions.compactIdleIsolates turns it off). A component called all
 * along is never compacted: its calls make garbage, and V8 collects it as the heap grows.
 */
export const COMPACT_AFTER_IDLE_MS = 1000; // ms

/** Method callers a component keeps bound (per mode); past this a call binds, calls and releases one. */
const MAX_BOUND_CALLERS = 64; // methods

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
  /** How every call copies its arguments and result, and its CPU limit. */
  readonly #callOptions: ivm.ReferenceApplyOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Asynchronous calls in flight, oldest first (so also in deadline order: every call gets the same wall-clock limit). */
  readonly #pending = new Map<number, Pending>();
  /** One timer for every pending call's deadline, armed for the oldest. */
  #wallClock: NodeJS.Timeout | undefined;
  /** When this component's load began (see #load), for typing its errors. */
  #loadSince: bigint | number = Number.POSITIVE_INFINITY;
  /** Callers bound to one method each, so a call copies in only its arguments. */
  readonly #syncCallers = new Map<string, ivm.Reference>();
  readonly #asyncCallers = new Map<string, ivm.Reference>();
  /** Methods whose asynchronous caller is being bound. */
  readonly #binding = new Set<string>();
  #onGone: (() => void) | undefined;
  #stopListening: () => void = () => {};
  /** The glue's control function for this component (binds callers, returns lost outcomes). */
  #control: ivm.Reference | undefined;
  #nextCall = 1;
  #calls = 0;
  /** CPU time counted so far (module evaluation), and the isolate's CPU clock when the count resumed. */
  #cpuNs = 0n;
  #cpuMark = 0n;
  #wallNs = 0n;
  #wallMark = 0n;
  #unhandledRejections = 0;
  /** The compaction waiting for the component to be idle (an isolate of its own only). */
  #compaction: NodeJS.Timeout | undefined;
  /** Whether the isolate is being compacted now: a call made meanwhile waits for it, and its deadline starts after. */
  #compacting = false;
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
    this.#callOptions = { timeout: limits.cpuMsPerCall, arguments: { copy: true }, result: { copy: true } };
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
      prepared = await host.prepareContext({ memoryMb: options.limits.memoryMb, capabilities: options.capabilities }, PROCESS_CODE_CACHE, { inline: true });
    } catch (error) {
      host.dispose('preparing the context failed');
      throw error;
    }
    return SandboxedComponent.load(record, options, { prepared, shared: false });
  }

  /** Stage 4 in a prepared context: connect the callbacks, compile, link, evaluate, construct. */
  static async load(record: ComponentRecord, options: SandboxOptions, placement: Placement): Promise<SandboxedComponent> {
    const component = new SandboxedComponent(record, placement, options.limits);
    try {
      await component.#load(options);
      if (placement.compactWhenIdle === true && !placement.shared) component.#compactWhenIdle(component.#calls);
      return component;
    } catch (error) {
      const typed = component.#classify(error, component.#loadSince);
      component.#end(typed, typed instanceof SandboxError && isFatal(typed.code));
      throw typed;
    }
  }

  async #load(options: SandboxOptions): Promise<void> {
    const { record } = this;
    const host = this.#host;
    const prepared = this.#prepared;
    const limits = this.#limits;
    // cross-tenant: a context in an isolate that ran another tenant's code is never used
    host.claim(record.tenant);
    if (!host.usable) throw new SandboxError('DISPOSED', `the isolate for ${label(record)} was gone before loading`);
    this.#stopListening = host.onDeath((reason, kind) => this.#end(this.#deathError(reason, kind), false));

    // the context's callbacks now lead to this component (no isolate entry: prepared.slots is host-side)
    Object.assign(
      prepared.slots,
      capabilityHandlers({
        record,
        limits,
        onLog: options.onLog,
        readArtifact: options.readArtifact,
        startTimer: (id, delay) => this.#startTimer(id, delay),
        settle: (callId, outcome) => this.#settled(callId, outcome),
      }),
    );
    // An isolate of its own is idle and nobody else's: every step runs on this thread, which
    // saves a thread hop per step (the CPU timeout still bounds the component's code). A shared
    // isolate may be running a sibling's call: its steps queue on isolated-vm's threads.
    const inline = !this.#shared;
    // when the load's steps began, for telling a real timeout from a throw that only says so
    // (the CPU clock of a shared isolate, whose steps queue behind a sibling's; the wall clock here)
    this.#loadSince = inline ? performance.now() : host.isolate.cpuTime;

    const filename = componentFilename(record);
    const module = await compile(host.isolate, record, filename, inline);
    await link(module, prepared, filename, inline);
    const cpuBefore = host.isolate.cpuTime;
    try {
      // the component's top-level code runs here, bounded like a call
      if (inline) module.evaluateSync({ timeout: limits.cpuMsPerCall });
      else await this.#deadline(module.evaluate({ timeout: limits.cpuMsPerCall }), `evaluating ${filename}`);
    } catch (error) {
      // a throw out of top-level code may be the budget's RangeError (bounds.ts): MEMORY_LIMIT then
      if (host.usable) await this.#checkBudget(inline);
      throw error;
    } finally {
      this.#cpuNs += host.isolate.cpuTime - cpuBefore;
    }
    const params = new ivm.ExternalCopy(record.params).copyInto({ release: true });
    const instantiateArgs = ['instantiate', module.namespace.derefInto(), record.code.export, params, limits.maxResultBytes, record.identifier, record.version, record.tenant];
    const instantiateOptions = { timeout: limits.cpuMsPerCall, result: { reference: true } } as const;
    // one entry: the export taken from the namespace, constructed, and the caller returned
    const made = (
      inline
        ? prepared.glue.applySync(undefined, instantiateArgs, instantiateOptions)
        : await this.#deadline(prepared.glue.apply(undefined, instantiateArgs, instantiateOptions) as Promise<ivm.Reference>, `constructing ${label(record)}`)
    ) as ivm.Reference;
    if (made.typeof !== 'function') {
      // an outcome string: the export is not a class, the constructor threw, the budget is spent
      const outcome = String(made.copySync());
      made.release();
      throw outcomeError(outcome, record, 'constructor', limits);
    }
    this.#control = made;
    // from here the isolate's CPU clock counts this component's calls (and, shared, its siblings')
    this.#cpuMark = host.isolate.cpuTime;
    this.#wallMark = host.isolate.wallTime;
  }

  get disposed(): boolean {
    return this.#gone !== undefined || !this.#host.usable;
  }

  /**
   * Stage 5: calls `method` with `args` copied in, awaits a returned promise, and returns the
   * result copied out. Bounded by CPU time per task, a wall-clock deadline, memory and result size.
   */
  call(method: string, args: readonly unknown[] = []): Promise<unknown> {
    try {
      return this.#startCall(this.#ready(method, args), method, args);
    } catch (error) {
      return Promise.reject(this.#fail(error));
    }
  }

  #startCall(control: ivm.Reference, method: string, args: readonly unknown[]): Promise<unknown> {
    const callId = this.#nextCall++;
    const cpuBefore = this.#host.isolate.cpuTime;
    // One promise per call, settled by whichever comes first: the outcome (the kick-off's result,
    // or the settle callback's when the method returned a promise), the wall-clock deadline
    // (#wallClockFired), or the component's end (#end rejects every pending call).
    const outcome = new Promise<Outcome>((resolve, reject) => {
      // a call made while the isolate is compacted queues behind the collection: its time starts after it
      this.#pending.set(callId, { resolve, reject, deadline: this.#compacting ? Number.POSITIVE_INFINITY : performance.now() + this.#limits.wallMsPerCall, method });
    });
    this.#armWallClock();
    // From a microtask: isolated-vm records the calling stack of every asynchronous task (up to
    // ten frames), and from there it is one frame instead of the host's whole call chain
    // (measured: a fifth of a plain isolated-vm call from eight frames deep).
    const caller = this.#asyncCallers.get(method);
    if (caller !== undefined) {
      queueMicrotask(() => this.#kickOff(() => caller.apply(undefined, [callId, ...args], this.#callOptions) as Promise<Outcome>, callId, cpuBefore, method, args));
    } else {
      // a method's first call goes through a caller made for it in the same task (no extra hop);
      // the method's own caller is bound afterwards, for the calls after
      queueMicrotask(() => this.#kickOff(() => control.apply(undefined, ['call', method, callId, ...args], this.#callOptions) as Promise<Outcome>, callId, cpuBefore, method, args, control));
    }
    return outcome.then(
      (settled) => {
        if (typeof settled === 'number') return settled;
        try {
          return resultOf(settled, this.record, method, this.#limits);
        } catch (error) {
          throw this.#fail(error);
        }
      },
      (error: unknown) => {
        throw this.#fail(error);
      },
    );
  }

  /**
   * Starts an asynchronous call's task; its outcome settles the pending call. `unbound`: the call
   * went through the control function, and the method's caller is bound once it proved to exist.
   */
  #kickOff(start: () => Promise<Outcome>, callId: number, cpuBefore: bigint, method: string, args: readonly unknown[], unbound?: ivm.Reference): void {
    // ended meanwhile: the call is rejected already
    if (this.#gone !== undefined) return;
    settleFrom(start).then(
      (outcome: Outcome) => {
        if (unbound !== undefined && !isNoSuchMethod(outcome)) this.#bindAsyncCaller(unbound, method);
        if (outcome !== 'p') this.#settled(callId, outcome);
      },
      (error: unknown) =>
        this.#recover(error, callId, cpuBefore, method, args).then(
          (outcome) => {
            // 'p': still running; the settle callback delivers it
            if (outcome !== 'p') this.#settled(callId, outcome);
          },
          (failure: unknown) => this.#rejectCall(callId, failure as Error),
        ),
    );
  }

  /** Binds the method's asynchronous caller in the background (its isolate may be busy: queued, not waited for). */
  #bindAsyncCaller(control: ivm.Reference, method: string): void {
    // a component that answers every name (a proxy) cannot make the host keep a caller per name
    if (this.#binding.has(method) || this.#asyncCallers.size + this.#binding.size >= MAX_BOUND_CALLERS) return;
    this.#binding.add(method);
    settleFrom(() => control.apply(undefined, ['async', method], GLUE_REFERENCE) as Promise<ivm.Reference>)
      .then(callerOf)
      .then(
        (bound) => {
          this.#binding.delete(method);
          this.#keepCaller(this.#asyncCallers, method, bound, true);
        },
        () => this.#binding.delete(method),
      );
  }

  /**
   * Like `call`, on the calling thread, for methods that return without awaiting: cheaper, but
   * only the CPU timeout bounds it (a method returning a promise is refused), and the calling
   * thread runs the component's code.
   */
  callSync(method: string, args: readonly unknown[] = []): unknown {
    const control = this.#ready(method, args);
    let caller = this.#syncCallers.get(method);
    const fresh = caller === undefined;
    let outcome: Outcome | undefined;
    try {
      caller ??= callerOf(control.applySync(undefined, ['sync', method], GLUE_REFERENCE) as ivm.Reference);
      // the wall clock, not the isolate's CPU clock: reading that is a system call, a tenth of a
      // call's cost (see #failureOf)
      const startedAt = performance.now();
      try {
        outcome = caller.applySync(undefined, args as unknown[], this.#callOptions) as Outcome;
      } catch (error) {
        outcome = this.#recoverSync(error, startedAt, method, args);
      }
      return typeof outcome === 'number' ? outcome : resultOf(outcome, this.record, method, this.#limits);
    } catch (error) {
      throw this.#fail(error);
    } finally {
      // kept for the method's next calls unless its first found no such method or had no outcome
      if (fresh && caller !== undefined) this.#keepCaller(this.#syncCallers, method, caller, outcome !== undefined && !isNoSuchMethod(outcome));
    }
  }

  /** Keeps a freshly bound caller (`found`: its method exists), unless enough are kept. */
  #keepCaller(callers: Map<string, ivm.Reference>, method: string, caller: ivm.Reference, found: boolean): void {
    // a component that answers every name (a proxy) cannot make the host keep a caller per name
    if (found && this.#gone === undefined && callers.size < MAX_BOUND_CALLERS && !callers.has(method)) callers.set(method, caller);
    else releaseQuietly(caller);
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
      cpuTimeMs: Number(this.#cpuNs + (this.#gone === undefined && this.#control !== undefined && this.#host.usable ? this.#host.isolate.cpuTime - this.#cpuMark : 0n)) / 1e6,
      wallTimeMs: Number(this.#wallNs + (this.#gone === undefined && this.#control !== undefined && this.#host.usable ? this.#host.isolate.wallTime - this.#wallMark : 0n)) / 1e6,
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

  /** The control function, after checking what the host passed; DISPOSED once the component is gone. */
  #ready(method: string, args: readonly unknown[]): ivm.Reference {
    if (this.#gone !== undefined) throw this.#gone instanceof SandboxError && this.#gone.code === 'DISPOSED' ? this.#gone : disposedAfter(this.record, this.#gone);
    if (this.#control === undefined) throw new SandboxError('DISPOSED', `${label(this.record)} was never loaded`);
    if (typeof method !== 'string' || method.length === 0) throw new SandboxError('METHOD_NOT_FOUND', 'method name must be a non-empty string');
    if (!Array.isArray(args)) throw new SandboxError('ARGUMENTS_NOT_CLONEABLE', 'arguments must be an array');
    this.#calls++;
    return this.#control;
  }

  /**
   * An error from a call's task: arguments that could not be copied in, a limit (typed, fatal),
   * or a promise the component left unhandled, which isolated-vm reports as the task's error
   * instead of its result. The last is the component's own business: counted, and the call's
   * outcome fetched from the glue.
   */
  async #recover(error: unknown, callId: number, cpuBefore: bigint, method: string, args: readonly unknown[]): Promise<Outcome> {
    const failure = this.#failureOf(error, cpuBefore) ?? argumentsFailure(error, method, args);
    if (failure !== undefined) throw failure;
    this.#unhandledRejections++;
    const control = this.#control;
    if (control === undefined || this.#gone !== undefined) throw this.#gone ?? new SandboxError('DISPOSED', `${label(this.record)} is gone`);
    // the outcome the glue remembered for this call ('p' while it runs); the call is still
    // pending, so its own wall-clock deadline (#wallClockFired) and #end bound this wait
    return (await control.apply(undefined, ['take', callId], GLUE_COPY)) as Outcome;
  }

  #recoverSync(error: unknown, startedAt: number, method: string, args: readonly unknown[]): Outcome {
    const failure = this.#failureOf(error, startedAt) ?? argumentsFailure(error, method, args);
    if (failure !== undefined) throw failure;
    this.#unhandledRejections++;
    const outcome = this.#control?.applySync(undefined, ['last'], GLUE_COPY) as Outcome;
    // the promise a synchronous call returned is not waited for
    return outcome === 'p' ? 'P' : outcome;
  }

  /**
   * What an error of a task means: a limit, the isolate gone, or nothing of the engine's (then the
   * component's own business). `since` is when the task started, for telling a real timeout from a
   * component's rejection that only says so: the isolate's CPU clock (a bigint) for a task queued
   * on isolated-vm's threads, or performance.now() for a synchronous call, which runs the moment
   * it is made on this thread (isolated-vm's timeout is a wall-clock timer, so a real timeout has
   * taken the whole limit of wall time; CPU time can be far less on a loaded machine).
   */
  #failureOf(error: unknown, since: bigint | number): Error | undefined {
    if (error instanceof SandboxError || error instanceof ComponentError) return error;
    const disposed = this.#host.isolate.isDisposed;
    const usedMs = disposed ? Number.POSITIVE_INFINITY : typeof since === 'number' ? performance.now() - since : Number(this.#host.isolate.cpuTime - since) / 1e6;
    switch (engineFailure(error, disposed, usedMs, this.#limits)) {
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

  /** Any error of a load step (or of a call, not typed yet), typed; `since` as for #failureOf. */
  #classify(error: unknown, since: bigint | number): Error {
    // anything else raised while the component's module ran is the component's own throw
    return this.#failureOf(error, since) ?? componentErrorFrom(error, this.record);
  }

  /** Types a call's error and, for a limit, ends the component (and its isolate). */
  #fail(error: unknown): Error {
    // (a call's engine errors were typed where the call began; one reaching here untyped has used
    // no time of its own, so a message that claims a timeout is the component's own throw)
    const typed = this.#classify(error, performance.now());
    if (typed instanceof SandboxError && isFatal(typed.code)) {
      // a component stopped mid-call may have left its state half-updated: never call it again
      // (a shared isolate is disposed too, except past a wall-clock deadline: that component was
      // only waiting, and its siblings lose nothing by its end; #end disposes an unshared one anyway)
      this.#end(typed, typed.code !== 'WALL_TIMEOUT');
    }
    return typed;
  }

  /** After a load step ran component code: did it go over its memory budget (bounds.ts)? */
  async #checkBudget(inline: boolean): Promise<void> {
    const why = (inline ? this.#prepared.glue.applySync(undefined, ['status'], GLUE_COPY) : await this.#prepared.glue.apply(undefined, ['status'], GLUE_COPY)) as unknown;
    if (typeof why === 'string' && why !== '') throw memoryLimitError(this.record, this.#limits, why.slice(0, 300));
  }

  #settled(callId: unknown, outcome: unknown): void {
    if (typeof callId === 'number') this.#takePending(callId)?.resolve(outcome as Outcome);
  }

  #rejectCall(callId: number, error: Error): void {
    this.#takePending(callId)?.reject(error);
  }

  /** A pending call, no longer pending (the wall clock stops holding the process once none is). */
  #takePending(callId: number): Pending | undefined {
    const pending = this.#pending.get(callId);
    if (pending === undefined) return undefined;
    this.#pending.delete(callId);
    if (this.#pending.size === 0) this.#wallClock?.unref();
    return pending;
  }

  /**
   * The wall clock of the pending calls: one timer, armed for the oldest call's deadline (calls
   * share one limit, so the oldest is due first). It keeps the process alive only while a call
   * is pending, as a timer per call would.
   */
  #armWallClock(): void {
    if (this.#wallClock === undefined) this.#wallClock = setTimeout(() => this.#wallClockFired(), this.#limits.wallMsPerCall);
    else if (!this.#wallClock.hasRef()) this.#wallClock.ref();
  }

  #wallClockFired(): void {
    this.#wallClock = undefined;
    const now = performance.now();
    for (const [callId, pending] of this.#pending) {
      if (pending.deadline > now) {
        // the oldest call still in time: wake at its deadline (one made during a compaction has
        // none yet: #compactNow arms the clock when the compaction ends)
        if (pending.deadline !== Number.POSITIVE_INFINITY) this.#wallClock = setTimeout(() => this.#wallClockFired(), Math.max(1, Math.ceil(pending.deadline - now)));
        return;
      }
      // a promise that never settles: past the deadline the call fails (and the isolate is disposed by #fail)
      this.#rejectCall(callId, wallTimeoutError(`calling ${pending.method}()`, this.#limits));
    }
  }

  #startTimer(id: number, delayMs: number): void {
    // host timer flooding, should the glue's own count (MAX_PENDING_SLEEPS) ever be bypassed
    if (this.#gone !== undefined || this.#timers.size >= MAX_PENDING_SLEEPS) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#gone !== undefined || !this.#host.usable) return;
      const cpuBefore = this.#host.isolate.cpuTime;
      // the code after an await runs in this task: it gets the same CPU limit as a call
      this.#prepared.glue.apply(undefined, ['wake', id], { timeout: this.#limits.cpuMsPerCall }).catch((error: unknown) => {
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

  /** Compacts the isolate once no call has come for COMPACT_AFTER_IDLE_MS since `calls` were made. */
  #compactWhenIdle(calls: number): void {
    this.#compaction = setTimeout(() => {
      this.#compaction = undefined;
      if (this.#gone !== undefined) return;
      if (this.#calls !== calls || this.#pending.size > 0) this.#compactWhenIdle(this.#calls);
      else this.#compactNow();
    }, COMPACT_AFTER_IDLE_MS);
    // a process with nothing else to do is not kept alive for this
    this.#compaction.unref();
  }

  /**
   * Compacts the isolate (it is idle: no call pending). A call made meanwhile waits behind the
   * collection on isolated-vm's thread (a tight wall-clock limit would otherwise dispose a
   * healthy component): its deadline is set when the compaction ends.
   */
  #compactNow(): void {
    this.#compacting = true;
    void this.#prepared.compact().then(() => {
      this.#compacting = false;
      const deadline = performance.now() + this.#limits.wallMsPerCall;
      for (const pending of this.#pending.values()) if (pending.deadline === Number.POSITIVE_INFINITY) pending.deadline = deadline;
      if (this.#pending.size > 0 && this.#gone === undefined) {
        clearTimeout(this.#wallClock);
        this.#wallClock = undefined;
        this.#armWallClock();
      }
    });
  }

  /** `work` under a wall-clock deadline; past it, WALL_TIMEOUT naming `what` (the isolate is disposed by #fail). */
  #deadline<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(wallTimeoutError(what, this.#limits)), this.#limits.wallMsPerCall);
    });
    work.catch(() => {}); // the loser's rejection (isolate disposed) is expected
    return Promise.race([work, expired, this.#ended]).finally(() => clearTimeout(timer));
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
      // the CPU count stops with the component
      if (this.#control !== undefined && this.#host.usable) {
        this.#cpuNs += this.#host.isolate.cpuTime - this.#cpuMark;
        this.#wallNs += this.#host.isolate.wallTime - this.#wallMark;
      }
      this.#stopListening();
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      clearTimeout(this.#wallClock);
      this.#wallClock = undefined;
      clearTimeout(this.#compaction);
      this.#compaction = undefined;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      for (const callers of [this.#syncCallers, this.#asyncCallers]) {
        for (const caller of callers.values()) releaseQuietly(caller);
        callers.clear();
      }
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

/** The host's arguments could not be copied in (checked only when a call failed: it costs a copy). */
function argumentsFailure(error: unknown, method: string, args: readonly unknown[]): SandboxError | undefined {
  try {
    new ivm.ExternalCopy([...args]).release();
    return undefined;
  } catch (cause) {
    return new SandboxError('ARGUMENTS_NOT_CLONEABLE', `arguments to ${method}() cannot be copied into the isolate: ${(cause as Error).message}`, { cause: cause ?? error });
  }
}

/** A caller the glue bound (a function, always: anything else is isoclass's bug, not the component's). */
function callerOf(bound: ivm.Reference): ivm.Reference {
  if (bound.typeof === 'function') return bound;
  releaseQuietly(bound);
  throw new SandboxError('DISPOSED', 'the isolate did not bind a method caller');
}

/** The promise an isolated-vm call returns, or a rejected one if it threw instead (a released reference). */
function settleFrom<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Releases a Reference into an isolate that may be gone already. */
function releaseQuietly(reference: ivm.Reference): void {
  try {
    reference.release();
  } catch {
    // its isolate is disposed: nothing left to release
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

/**
 * Component modules are compiled without V8's code cache: a module's functions compile lazily,
 * so a cache made at compile time holds little, and consuming it measured slower than compiling
 * (BENCHMARKS.md: 115 µs against 50 µs for a small component, even at 108 KB). The prelude, whose
 * code runs eagerly, is cached (isolate-host.ts).
 */
async function compile(isolate: ivm.Isolate, record: ComponentRecord, filename: string, inline: boolean): Promise<ivm.Module> {
  try {
    const options = { filename };
    return inline ? isolate.compileModuleSync(record.code.source, options) : await isolate.compileModule(record.code.source, options);
  } catch (cause) {
    if (isolate.isDisposed) throw cause;
    // acorn accepted it (the policy ran) but V8 did not: report, never crash
    throw new SandboxError('COMPILE_FAILED', `${filename} does not compile in the isolate: ${(cause as Error).message}`, { cause });
  }
}

async function link(module: ivm.Module, prepared: PreparedContext, filename: string, inline: boolean): Promise<void> {
  const resolve = (specifier: string): ivm.Module => {
    if (specifier === RUNTIME_MODULE) return prepared.runtime;
    // module loading: nothing but the runtime module can be imported, whatever the policy said
    throw new Error(`${filename} imports "${specifier}"; components can import only "${RUNTIME_MODULE}"`);
  };
  try {
    if (inline) module.instantiateSync(prepared.context, resolve);
    else await module.instantiate(prepared.context, resolve);
  } catch (cause) {
    throw new SandboxError('COMPILE_FAILED', `${filename} cannot be linked: ${(cause as Error).message}`, { cause });
  }
}
