import ivm from 'isolated-vm';
import type { CapabilityName } from '../policy/policy.ts';
import { capabilityCallbacks, MAX_LOG_CHARS, type CapabilitySlots } from './capabilities.ts';
import { CodeCache, compileScriptCached } from './code-cache.ts';
import { PRELUDE_FILENAME, RUNTIME_FILENAME } from './prelude/names.ts';
import { PRELUDE_SOURCE } from './prelude/source.ts';
import { capabilityKey, runtimeModuleSource } from './runtime-module.ts';
import { applyIsolateSafetyFlags } from './v8-flags.ts';

/** What a prepared context is prepared for: the isolate's memory limit and the granted capabilities. */
export interface ContextProfile {
  /** The isolate's memory limit, MiB. */
  readonly memoryMb: number;
  readonly capabilities: Readonly<Record<CapabilityName, boolean>>;
}

export const SETUP_TIMEOUT_MS = 2000; // ms of CPU for the prelude and runtime module (trusted code)
/** How the host calls the glue for something it keeps a Reference to (no component code runs, or only the setup's). */
export const GLUE_REFERENCE = { timeout: SETUP_TIMEOUT_MS, result: { reference: true } } as const;
/** How the host calls the glue for a value copied out (a status, a remembered outcome). */
export const GLUE_COPY = { timeout: SETUP_TIMEOUT_MS, result: { copy: true } } as const;
/** Past this much heap in use an isolate is not compacted (PreparedContext.compact). */
export const COMPACT_MAX_HEAP_BYTES = 2 * 1024 * 1024; // bytes
const MIB = 1024 * 1024; // bytes

/** Something to tell when an isolate is lost for good (V8 out of memory, a script that would not stop). */
export type CatastrophicErrorHandler = (event: { readonly message: string; readonly tenant: string | undefined }) => void;

/** Why an isolate is gone: its memory, a script that would not stop, or a dispose. */
export type DeathKind = 'memory' | 'timeout' | 'disposed';
export type DeathListener = (reason: string, kind: DeathKind) => void;

/**
 * One isolate and what isoclass knows about it: its owner (a tenant, once it has run anyone's
 * code, and never another's after), its compiled prelude, and the components living in it.
 */
export class IsolateHost {
  readonly isolate: ivm.Isolate;
  readonly memoryMb: number;
  #tenant: string | undefined;
  #prelude: Promise<ivm.Script> | undefined;
  #lost: string | undefined;
  readonly #onDeath = new Set<DeathListener>();

  private constructor(memoryMb: number, onCatastrophicError: CatastrophicErrorHandler | undefined) {
    applyIsolateSafetyFlags();
    this.memoryMb = memoryMb;
    this.isolate = new ivm.Isolate({
      memoryLimit: memoryMb,
      // process abort: V8 lost control of the isolate (out of memory inside native code, or a
      // script that did not stop 5 s after its timeout); with this handler isolated-vm parks the
      // isolate's thread instead of aborting the process, and the isolate is written off
      onCatastrophicError: (message: string) => {
        this.#lost = String(message);
        this.#died(`lost: ${this.#lost}`, /out-of-memory/i.test(this.#lost) ? 'memory' : /terminate/i.test(this.#lost) ? 'timeout' : 'disposed');
        onCatastrophicError?.({ message: this.#lost, tenant: this.#tenant });
      },
    });
  }

  static create(memoryMb: number, onCatastrophicError?: CatastrophicErrorHandler): IsolateHost {
    return new IsolateHost(memoryMb, onCatastrophicError);
  }

  /** The tenant whose code this isolate runs; undefined while it has run nobody's. */
  get tenant(): string | undefined {
    return this.#tenant;
  }

  /** Gives the isolate to a tenant, for good. */
  claim(tenant: string): void {
    // cross-tenant reuse: an isolate that ran one tenant's code never runs another's
    if (this.#tenant !== undefined && this.#tenant !== tenant) {
      throw new Error(`isolate of tenant "${this.#tenant}" cannot be given to tenant "${tenant}"`);
    }
    this.#tenant = tenant;
  }

  get lost(): string | undefined {
    return this.#lost;
  }

  get usable(): boolean {
    return this.#lost === undefined && !this.isolate.isDisposed;
  }

  /** Runs `listener` once when the isolate is disposed or lost; returns a function to stop listening. */
  onDeath(listener: DeathListener): () => void {
    this.#onDeath.add(listener);
    return () => this.#onDeath.delete(listener);
  }

  dispose(reason: string, kind: DeathKind = 'disposed'): void {
    if (!this.isolate.isDisposed) {
      try {
        this.isolate.dispose();
      } catch {
        // already disposed by a memory-limit failure
      }
    }
    this.#died(reason, kind);
  }

  #died(reason: string, kind: DeathKind): void {
    const listeners = [...this.#onDeath];
    this.#onDeath.clear();
    for (const listener of listeners) listener(reason, kind);
  }

  /**
   * Starts the first steps of preparing a context on isolated-vm's thread: creating the context
   * and compiling the prelude and the runtime module, which need nothing from this thread. A load
   * that will need a fresh isolate starts them before it verifies and validates the envelope, and
   * the two run at once; it then finishes with `prepareContext(…, { started })`.
   */
  startContext(profile: ContextProfile, cache: CodeCache | undefined): StartedContext {
    return this.#begin(profile, cache, false);
  }

  /** The first steps of a context, on isolated-vm's thread or (`inline`) done at once on this one. */
  #begin(profile: ContextProfile, cache: CodeCache | undefined, inline: boolean): StartedContext {
    const isolate = this.isolate;
    this.#prelude ??= compileScriptCached(isolate, cache, 'prelude', PRELUDE_SOURCE, PRELUDE_FILENAME, inline);
    // (a module this small compiles faster than V8 reads a code cache for it: not cached)
    const runtimeSource = runtimeModuleSource(profile.capabilities);
    const runtimeOptions = { filename: RUNTIME_FILENAME };
    const started = {
      host: this,
      context: inline ? settledNow(() => isolate.createContextSync()) : isolate.createContext(),
      runtime: inline ? settledNow(() => isolate.compileModuleSync(runtimeSource, runtimeOptions)) : isolate.compileModule(runtimeSource, runtimeOptions),
      capabilityKey: capabilityKey(profile.capabilities),
    };
    // a load that fails before it finishes preparing disposes the isolate: nobody waits for these
    for (const step of [started.context, started.runtime, this.#prelude]) step.catch(() => {});
    return started;
  }

  /**
   * A new context with the hardened prelude run and the runtime module evaluated. `inline` runs
   * every step on this thread (a load waiting for it: no thread hops); otherwise the steps queue on
   * isolated-vm's threads and this thread stays free (the pool, a shared isolate). `rehearse` runs
   * the glue once so V8 compiles it before the component's load needs it. `started` is the context
   * `startContext` began.
   */
  async prepareContext(
    profile: ContextProfile,
    cache: CodeCache | undefined,
    options: { readonly inline?: boolean; readonly rehearse?: boolean; readonly started?: StartedContext | undefined } = {},
  ): Promise<PreparedContext> {
    const inline = options.inline === true;
    const key = capabilityKey(profile.capabilities);
    // capability escalation: a context whose runtime module exports what this profile does not
    // grant (or one in another isolate, maybe another tenant's) is never finished for it
    if (options.started !== undefined && (options.started.host !== this || options.started.capabilityKey !== key)) throw new Error('a context started for another isolate or profile');
    const started = options.started ?? this.#begin(profile, cache, inline);
    const context = await started.context;
    try {
      const prelude = await this.#prelude!;
      const runOptions = { reference: true, timeout: SETUP_TIMEOUT_MS } as const;
      const factory = (inline ? prelude.runSync(context, runOptions) : await prelude.run(context, runOptions)) as ivm.Reference;
      // the prelude runs with the memory budget and the context's capability callbacks (leading
      // to slots a load fills), and gives back the glue
      const slots: CapabilitySlots = {};
      const config = new ivm.ExternalCopy({ memoryBytes: this.memoryMb * MIB }).copyInto({ release: true });
      const preludeArgs = [config, ...capabilityCallbacks(slots, profile.capabilities), MAX_LOG_CHARS];
      const glue = (inline ? factory.applySync(undefined, preludeArgs, GLUE_REFERENCE) : await factory.apply(undefined, preludeArgs, GLUE_REFERENCE)) as ivm.Reference;
      factory.release();
      try {
        const runtime = await started.runtime;
        const noImports = (): never => {
          throw new Error('the runtime module imports nothing');
        };
        if (inline) runtime.instantiateSync(context, noImports);
        else await runtime.instantiate(context, noImports);
        if (inline) runtime.evaluateSync({ timeout: SETUP_TIMEOUT_MS });
        else await runtime.evaluate({ timeout: SETUP_TIMEOUT_MS });
        if (options.rehearse === true) {
          // off the load's path: the glue runs once on a throwaway component, and the isolate's
          // next entry from this thread (the load's) is not its first
          glue.applySync(undefined, ['rehearse'], { timeout: SETUP_TIMEOUT_MS });
        }
        return new PreparedContext(this, context, runtime, glue, slots, key);
      } catch (error) {
        glue.release();
        throw error;
      }
    } catch (error) {
      context.release();
      throw error;
    }
  }
}

/** A context `IsolateHost.startContext` is creating, with the prelude and runtime module compiling. */
export interface StartedContext {
  readonly host: IsolateHost;
  readonly context: Promise<ivm.Context>;
  readonly runtime: Promise<ivm.Module>;
  /** The capabilities its runtime module exports, comma-separated. */
  readonly capabilityKey: string;
}

/** A context ready for one component: hardened, with the runtime module evaluated, not yet bound. */
export class PreparedContext {
  readonly host: IsolateHost;
  readonly context: ivm.Context;
  readonly runtime: ivm.Module;
  /** The glue (prelude/glue.ts): called with an operation, `instantiate`, `wake`, `status`, `rehearse` or `compact`. */
  readonly glue: ivm.Reference;
  /** Where the context's capability callbacks lead; filled when a component is loaded into it. */
  readonly slots: CapabilitySlots;
  /** The capabilities its runtime module exports, comma-separated. */
  readonly capabilityKey: string;

  constructor(host: IsolateHost, context: ivm.Context, runtime: ivm.Module, glue: ivm.Reference, slots: CapabilitySlots, capabilityKey: string) {
    this.slots = slots;
    this.capabilityKey = capabilityKey;
    this.host = host;
    this.context = context;
    this.runtime = runtime;
    this.glue = glue;
  }

  /**
   * One memory-reducing collection of the whole isolate, on isolated-vm's thread (this one stays
   * free): an idle isolate never collects on its own, so one fresh from the prelude and a load
   * keeps ~0.25 MiB it no longer needs resident (BENCHMARKS.md, memory). Only for an isolate of
   * one context whose heap is still small (COMPACT_MAX_HEAP_BYTES): a shared isolate would make
   * every sibling wait, and the cost grows with the heap (10 ms at 1 MiB, ~40 ms at 3 MiB; 550 ms
   * at 300 MiB), all of it time a call waits. Resolves whether the collection was asked for.
   */
  async compact(): Promise<boolean> {
    if (!this.host.usable) return false;
    try {
      const heap = await this.host.isolate.getHeapStatistics();
      if (heap.used_heap_size > COMPACT_MAX_HEAP_BYTES) return false;
      // a request no isolate of this limit can grant (see glue.ts, compact)
      const refused = 2 * heap.heap_size_limit;
      return (await this.glue.apply(undefined, ['compact', refused], GLUE_COPY)) === true;
    } catch {
      // the isolate went away meanwhile: its owner hears of it through onDeath
      return false;
    }
  }

  /** Frees the context (its component's objects go with it); the isolate stays. */
  release(): void {
    if (this.host.isolate.isDisposed) return;
    this.glue.release();
    // the callbacks lead nowhere once the context is gone
    for (const key of Object.keys(this.slots) as (keyof CapabilitySlots)[]) delete this.slots[key];
    this.runtime.release();
    this.context.release();
  }
}

/** A synchronous step's value or throw as a promise, the shape of its asynchronous twin. */
function settledNow<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (error) {
    return Promise.reject(error);
  }
}
