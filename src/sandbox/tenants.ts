import { SandboxError } from './errors.ts';

/** What one tenant may hold at once in one sandbox. */
export interface TenantLimits {
  /** Isolates the tenant owns (each component's own, or the tenant's shared one). */
  readonly maxIsolates: number;
  /** Sum of the memory limits of the tenant's isolates, MiB. */
  readonly maxMemoryMb: number;
  /** Live components. */
  readonly maxComponents: number;
  /**
   * Isolates of the tenant V8 lost for good (each leaves a parked thread and its memory behind)
   * before the tenant's loads are refused for the life of the sandbox.
   */
  readonly maxCatastrophicFailures: number;
}

export const DEFAULT_TENANT_LIMITS: TenantLimits = Object.freeze({
  maxIsolates: 64, // isolates
  maxMemoryMb: 2048, // MiB
  maxComponents: 1024, // components
  maxCatastrophicFailures: 3, // isolates lost
});

interface Account {
  isolates: number;
  memoryMb: number;
  components: number;
  catastrophes: number;
}

/** A reservation: released once, when what it was for is gone. */
export type Release = () => void;

/**
 * Per-tenant bookkeeping of isolates, memory and components. One tenant's heavy use is refused
 * here (TENANT_LIMIT) before it takes isolates or memory the other tenants need.
 */
export class TenantBook {
  readonly #limits: TenantLimits;
  readonly #accounts = new Map<string, Account>();

  constructor(limits: Partial<TenantLimits> = {}) {
    this.#limits = Object.freeze({ ...DEFAULT_TENANT_LIMITS, ...limits });
    for (const [key, value] of Object.entries(this.#limits)) {
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`tenant limit ${key} must be a positive integer`);
    }
  }

  get limits(): TenantLimits {
    return this.#limits;
  }

  /** Reserves one isolate of `memoryMb` for `tenant`; throws TENANT_LIMIT past a limit. */
  reserveIsolate(tenant: string, memoryMb: number): Release {
    const account = this.#account(tenant);
    this.#checkQuarantine(tenant, account);
    // one tenant exhausting the host: isolates and their memory are capped per tenant
    if (account.isolates + 1 > this.#limits.maxIsolates) {
      throw this.#refuse(tenant, `${account.isolates} isolates, the limit is ${this.#limits.maxIsolates}`);
    }
    if (account.memoryMb + memoryMb > this.#limits.maxMemoryMb) {
      throw this.#refuse(tenant, `${account.memoryMb} MiB of isolate memory and ${memoryMb} MiB more would pass the limit of ${this.#limits.maxMemoryMb} MiB`);
    }
    account.isolates++;
    account.memoryMb += memoryMb;
    return once(() => {
      account.isolates--;
      account.memoryMb -= memoryMb;
      this.#forgetIfIdle(tenant, account);
    });
  }

  /** Reserves one component slot for `tenant`. */
  reserveComponent(tenant: string): Release {
    const account = this.#account(tenant);
    this.#checkQuarantine(tenant, account);
    // one tenant starving the others: its live components are capped like its isolates and memory
    if (account.components + 1 > this.#limits.maxComponents) {
      throw this.#refuse(tenant, `${account.components} live components, the limit is ${this.#limits.maxComponents}`);
    }
    account.components++;
    return once(() => {
      account.components--;
      this.#forgetIfIdle(tenant, account);
    });
  }

  /** A tenant's isolate was lost for good (its memory and thread are not coming back). */
  recordCatastrophe(tenant: string): void {
    this.#account(tenant).catastrophes++;
  }

  usage(tenant: string): Readonly<Account> {
    const account = this.#accounts.get(tenant);
    return account === undefined ? { isolates: 0, memoryMb: 0, components: 0, catastrophes: 0 } : { ...account };
  }

  #checkQuarantine(tenant: string, account: Account): void {
    // repeated resource exhaustion: every lost isolate leaks a thread and its heap, so a tenant that
    // keeps losing them is stopped before it drains the process
    if (account.catastrophes >= this.#limits.maxCatastrophicFailures) {
      throw this.#refuse(tenant, `${account.catastrophes} isolates that V8 lost for good (quarantined for the life of this loader)`);
    }
  }

  #account(tenant: string): Account {
    let account = this.#accounts.get(tenant);
    if (account === undefined) {
      account = { isolates: 0, memoryMb: 0, components: 0, catastrophes: 0 };
      this.#accounts.set(tenant, account);
    }
    return account;
  }

  #forgetIfIdle(tenant: string, account: Account): void {
    if (account.isolates === 0 && account.components === 0 && account.memoryMb === 0 && account.catastrophes === 0) this.#accounts.delete(tenant);
  }

  #refuse(tenant: string, why: string): SandboxError {
    return new SandboxError('TENANT_LIMIT', `tenant "${tenant}" holds ${why}; dispose some of its components first`, { details: { tenant } });
  }
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
