import type { ComponentRecord } from '../envelope/record.ts';
import { PROCESS_CODE_CACHE, type CodeCache } from './code-cache.ts';
import { SandboxedComponent, type SandboxOptions } from './component.ts';
import { SandboxError } from './errors.ts';
import { IsolateHost, type CatastrophicErrorHandler, type ContextProfile, type PreparedContext, type StartedContext } from './isolate-host.ts';
import { IsolatePool } from './isolate-pool.ts';
import { capabilityKey } from './runtime-module.ts';
import { TenantBook, type Release, type TenantLimits } from './tenants.ts';

/**
 * How components are placed in isolates:
 *  - `isolate`: every component in an isolate of its own (the default; a limit hit by one
 *    component ends only that component);
 *  - `tenant`: the components of one tenant share one isolate, each in its own hardened context
 *    (far less memory per idle component; a limit hit by one component ends its tenant's isolate,
 *    and all the tenant's components in it report DISPOSED). Tenants never share an isolate.
 */
export type IsolationMode = 'isolate' | 'tenant';

export interface SandboxRuntimeOptions {
  readonly isolation?: IsolationMode;
  /** Warm isolates kept ready per runtime profile (in `tenant` mode, for tenants' first loads); 0 for none. */
  readonly poolSize?: number;
  readonly tenantLimits?: Partial<TenantLimits>;
  /** Memory limit of a tenant's shared isolate (`tenant` mode), MiB. */
  readonly tenantIsolateMemoryMb?: number;
  /** V8 code cache for the prelude, keyed by its sha256 (default: the process-wide one; `false` for none). */
  readonly codeCache?: CodeCache | false;
  /** Told when V8 loses control of an isolate; the process should then be drained and restarted. */
  readonly onCatastrophicError?: CatastrophicErrorHandler;
  /**
   * Compact a component's own isolate once it has gone a second without calls after its load
   * (`isolation: 'isolate'` only): an idle isolate never collects, and each keeps ~0.25 MiB of
   * garbage resident otherwise. A compaction costs 10–40 ms of isolated-vm's thread, once; a call
   * made meanwhile waits for it (its wall-clock deadline starts after). Default true.
   */
  readonly compactIdleIsolates?: boolean;
}

const DEFAULT_POOL_SIZE = 2; // isolates
const DEFAULT_TENANT_ISOLATE_MEMORY_MB = 256; // MiB
// isolates begun ahead of loads still being verified; each is wasted when its envelope is refused
const MAX_ISOLATES_AHEAD = 1; // isolates

/**
 * A fresh isolate a load began preparing before its envelope was verified (`Sandbox.prepareAhead`),
 * so that the isolate's thread creates the context and compiles the prelude while this thread
 * verifies and validates. Nobody's until the load instantiates into it; `cancel` frees it if the
 * load fails first (and does nothing once it is used).
 */
export class IsolateAhead {
  readonly #started: StartedContext;
  readonly #profileKey: string;
  readonly #onDone: () => void;
  #done = false;

  constructor(started: StartedContext, profileKey: string, onDone: () => void) {
    this.#started = started;
    this.#profileKey = profileKey;
    this.#onDone = onDone;
  }

  /** The started context, for a load with the same profile; undefined if cancelled or used. */
  take(profileKey: string): StartedContext | undefined {
    // capability escalation: an isolate begun for other limits or capabilities serves no other load
    if (this.#done || profileKey !== this.#profileKey || !this.#started.host.usable) return undefined;
    this.#finish();
    return this.#started;
  }

  cancel(): void {
    if (this.#done) return;
    this.#finish();
    this.#started.host.dispose('the load it was begun for did not use it');
  }

  #finish(): void {
    this.#done = true;
    this.#onDone();
  }
}

interface TenantIsolate {
  readonly host: IsolateHost;
  readonly release: Release;
  /** A context prepared ahead for the tenant's next component. */
  spare: Promise<PreparedContext> | undefined;
}

/**
 * The isolate runtime a loader owns: where components are placed (their own isolate, or their
 * tenant's), the pool of warm isolates, the code cache and the per-tenant limits.
 */
export class Sandbox {
  readonly isolation: IsolationMode;
  readonly #poolSize: number;
  readonly #compactIdle: boolean;
  readonly #tenantIsolateMemoryMb: number;
  readonly #cache: CodeCache | undefined;
  readonly #onCatastrophicError: CatastrophicErrorHandler;
  readonly #book: TenantBook;
  readonly #pools = new Map<string, IsolatePool>();
  readonly #tenantIsolates = new Map<string, TenantIsolate>();
  readonly #live = new Set<SandboxedComponent>();
  #isolatesAhead = 0;
  #closed = false;

  constructor(options: SandboxRuntimeOptions = {}) {
    this.isolation = options.isolation ?? 'isolate';
    if (this.isolation !== 'isolate' && this.isolation !== 'tenant') throw new TypeError(`isolation must be "isolate" or "tenant"`);
    this.#poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
    this.#compactIdle = options.compactIdleIsolates ?? true;
    if (typeof this.#compactIdle !== 'boolean') throw new TypeError('compactIdleIsolates must be a boolean');
    if (!Number.isInteger(this.#poolSize) || this.#poolSize < 0) throw new TypeError('poolSize must be a non-negative integer');
    this.#tenantIsolateMemoryMb = options.tenantIsolateMemoryMb ?? DEFAULT_TENANT_ISOLATE_MEMORY_MB;
    if (!Number.isInteger(this.#tenantIsolateMemoryMb) || this.#tenantIsolateMemoryMb < 8) throw new TypeError('tenantIsolateMemoryMb must be an integer of at least 8');
    this.#cache = options.codeCache === false ? undefined : (options.codeCache ?? PROCESS_CODE_CACHE);
    this.#book = new TenantBook(options.tenantLimits);
    const report = options.onCatastrophicError ?? defaultCatastrophicReport;
    this.#onCatastrophicError = (event) => {
      if (event.tenant !== undefined) this.#book.recordCatastrophe(event.tenant);
      report(event);
    };
  }

  get tenantLimits(): TenantLimits {
    return this.#book.limits;
  }

  /** What a tenant holds now, and how many of its isolates V8 lost. */
  usage(tenant: string): { readonly isolates: number; readonly memoryMb: number; readonly components: number; readonly catastrophes: number } {
    return this.#book.usage(tenant);
  }

  get liveComponents(): number {
    return this.#live.size;
  }

  /** Isolates begun for loads still being verified (see prepareAhead). */
  get isolatesAhead(): number {
    return this.#isolatesAhead;
  }

  /** Fills the pool for a profile ahead of the first load. */
  async warm(options: Pick<SandboxOptions, 'limits' | 'capabilities'>): Promise<void> {
    if (this.#poolSize === 0) return;
    await this.#pool(this.#profileFor(options)).whenFilled();
  }

  /**
   * Begins a fresh isolate for a load that will need one (`isolate` mode with no warm context
   * ready), before the load's envelope is verified: see IsolateAhead. Undefined when the load
   * will not need one, or another is already begun (an envelope that is then refused has cost an
   * isolate, so at most MAX_ISOLATES_AHEAD are begun at once).
   */
  prepareAhead(options: Pick<SandboxOptions, 'limits' | 'capabilities'>): IsolateAhead | undefined {
    if (this.#closed || this.isolation !== 'isolate' || this.#isolatesAhead >= MAX_ISOLATES_AHEAD) return undefined;
    const profile = profileOf(options);
    if (this.#poolSize > 0 && this.#pool(profile).readyCount > 0) return undefined;
    const host = IsolateHost.create(profile.memoryMb, this.#onCatastrophicError);
    this.#isolatesAhead++;
    return new IsolateAhead(host.startContext(profile, this.#cache), profileKey(profile), () => this.#isolatesAhead--);
  }

  /** Stage 4: the component instantiated in an isolate its tenant owns (`ahead`: one begun for this load). */
  async instantiate(record: ComponentRecord, options: SandboxOptions, ahead?: IsolateAhead): Promise<SandboxedComponent> {
    try {
      if (this.#closed) throw new SandboxError('DISPOSED', 'this loader is closed');
      const releaseComponent = this.#book.reserveComponent(record.tenant);
      let component: SandboxedComponent;
      try {
        component = this.isolation === 'tenant' ? await this.#inTenantIsolate(record, options, releaseComponent) : await this.#inOwnIsolate(record, options, releaseComponent, ahead);
      } catch (error) {
        releaseComponent();
        throw error;
      }
      this.#live.add(component);
      return component;
    } finally {
      // not used (a warm context was there after all, or the load failed): freed
      ahead?.cancel();
      // the pool is refilled once the load is over, not in the middle of it
      if (this.#poolSize > 0 && !this.#closed) this.#pool(this.#profileFor(options)).fill();
    }
  }

  /** Disposes every component, pooled and tenant isolate. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const component of this.#live) component.dispose('the loader was closed');
    this.#live.clear();
    for (const pool of this.#pools.values()) pool.close();
    this.#pools.clear();
    for (const tenantIsolate of this.#tenantIsolates.values()) tenantIsolate.host.dispose('the loader was closed');
    this.#tenantIsolates.clear();
  }

  async #inOwnIsolate(record: ComponentRecord, options: SandboxOptions, releaseComponent: Release, ahead: IsolateAhead | undefined): Promise<SandboxedComponent> {
    const profile = profileOf(options);
    const releaseIsolate = this.#book.reserveIsolate(record.tenant, profile.memoryMb);
    let prepared: PreparedContext | undefined;
    try {
      prepared = this.#poolSize > 0 ? this.#pool(profile).take() : undefined;
      if (prepared === undefined) {
        const started = ahead?.take(profileKey(profile));
        const host = started?.host ?? IsolateHost.create(profile.memoryMb, this.#onCatastrophicError);
        try {
          // the load is waiting: prepare on this thread, with no hops
          prepared = await host.prepareContext(profile, this.#cache, { inline: true, started });
        } catch (error) {
          host.dispose('preparing the context failed');
          throw error;
        }
      }
    } catch (error) {
      releaseIsolate();
      throw error;
    }
    let component: SandboxedComponent | undefined;
    // the isolate is this component's: when the component goes, so do the isolate and the reservations
    component = await SandboxedComponent.load(
      record,
      options,
      {
        prepared,
        shared: false,
        compactWhenIdle: this.#compactIdle,
        onGone: () =>
          this.#gone(component, () => {
            releaseIsolate();
            releaseComponent();
          }),
      },
    );
    return component;
  }

  async #inTenantIsolate(record: ComponentRecord, options: SandboxOptions, releaseComponent: Release): Promise<SandboxedComponent> {
    const profile = this.#tenantProfile(options);
    const tenantIsolate = this.#tenantIsolate(record.tenant, profile);
    let prepared: PreparedContext;
    try {
      const spare = tenantIsolate.spare;
      tenantIsolate.spare = undefined;
      prepared = spare !== undefined ? await spare : await tenantIsolate.host.prepareContext(profile, this.#cache);
    } catch (error) {
      // a spare whose preparation failed, or an isolate that died meanwhile: prepare anew
      if (!tenantIsolate.host.usable) throw new SandboxError('DISPOSED', `tenant "${record.tenant}"'s isolate died while a component was loading; load it again`, { cause: error });
      prepared = await tenantIsolate.host.prepareContext(profile, this.#cache);
    }
    // a spare prepared for the capabilities of the tenant's last load (a sandbox used with
    // several policies): a component gets only what its own policy grants
    if (!sameCapabilities(prepared, options)) {
      prepared.release();
      prepared = await tenantIsolate.host.prepareContext(profile, this.#cache);
    }
    const sandboxOptions = { ...options, limits: { ...options.limits, memoryMb: this.#tenantIsolateMemoryMb } };
    let component: SandboxedComponent | undefined;
    component = await SandboxedComponent.load(record, sandboxOptions, { prepared, shared: true, onGone: () => this.#gone(component, releaseComponent) });
    // the tenant's next component finds its context ready
    if (tenantIsolate.host.usable && !this.#closed) {
      const spare = tenantIsolate.host.prepareContext(profile, this.#cache);
      spare.catch(() => {});
      tenantIsolate.spare = spare;
    }
    return component;
  }

  /**
   * The tenant's shared isolate; a disposed or lost one is replaced. A new one is a warm isolate
   * from the pool when there is one (nobody's until now; its prepared context is the tenant's
   * first), so a tenant's first load pays neither isolate creation nor the prelude.
   */
  #tenantIsolate(tenant: string, profile: ContextProfile): TenantIsolate {
    const existing = this.#tenantIsolates.get(tenant);
    if (existing !== undefined && existing.host.usable) return existing;
    if (existing !== undefined) this.#forgetTenantIsolate(tenant, existing);
    const release = this.#book.reserveIsolate(tenant, this.#tenantIsolateMemoryMb);
    let warm: PreparedContext | undefined;
    try {
      warm = this.#poolSize > 0 ? this.#pool(profile).take() : undefined;
    } catch (error) {
      release();
      throw error;
    }
    const host = warm?.host ?? IsolateHost.create(this.#tenantIsolateMemoryMb, this.#onCatastrophicError);
    host.claim(tenant);
    const tenantIsolate: TenantIsolate = { host, release, spare: warm === undefined ? undefined : Promise.resolve(warm) };
    host.onDeath(() => this.#forgetTenantIsolate(tenant, tenantIsolate));
    this.#tenantIsolates.set(tenant, tenantIsolate);
    return tenantIsolate;
  }

  #forgetTenantIsolate(tenant: string, tenantIsolate: TenantIsolate): void {
    if (this.#tenantIsolates.get(tenant) === tenantIsolate) this.#tenantIsolates.delete(tenant);
    tenantIsolate.release();
  }

  /** What a context for these options is prepared for, in this loader's isolation mode. */
  #profileFor(options: Pick<SandboxOptions, 'limits' | 'capabilities'>): ContextProfile {
    return this.isolation === 'tenant' ? this.#tenantProfile(options) : profileOf(options);
  }

  /** What a context in a tenant's shared isolate is prepared for: the shared isolate's memory limit. */
  #tenantProfile(options: Pick<SandboxOptions, 'capabilities'>): ContextProfile {
    return { memoryMb: this.#tenantIsolateMemoryMb, capabilities: options.capabilities };
  }

  #pool(profile: ContextProfile): IsolatePool {
    const key = profileKey(profile);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new IsolatePool(profile, this.#poolSize, this.#cache, this.#onCatastrophicError);
      this.#pools.set(key, pool);
    }
    return pool;
  }

  #gone(component: SandboxedComponent | undefined, release: () => void): void {
    if (component !== undefined) this.#live.delete(component);
    release();
  }
}

/** Without a handler: a process warning, so the event is never silent. */
function defaultCatastrophicReport(event: { readonly message: string; readonly tenant: string | undefined }): void {
  process.emitWarning(`isoclass: V8 lost an isolate of tenant "${event.tenant ?? '(none)'}" for good: ${event.message}. Its thread and memory are not reclaimed; drain and restart the process when convenient.`, 'IsoclassCatastrophicError');
}

function sameCapabilities(prepared: PreparedContext, options: SandboxOptions): boolean {
  return prepared.capabilityKey === capabilityKey(options.capabilities);
}

function profileOf(options: Pick<SandboxOptions, 'limits' | 'capabilities'>): ContextProfile {
  return { memoryMb: options.limits.memoryMb, capabilities: options.capabilities };
}

function profileKey(profile: ContextProfile): string {
  return `${profile.memoryMb}:${capabilityKey(profile.capabilities)}`;
}
