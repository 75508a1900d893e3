import type { CodeCache } from './code-cache.ts';
import { IsolateHost, type CatastrophicErrorHandler, type ContextProfile, type PreparedContext } from './isolate-host.ts';

/**
 * Isolates made ahead of time, each with one context already hardened and its runtime module
 * evaluated, so a load pays neither isolate creation nor the prelude. A pooled isolate belongs to
 * nobody until it is taken; once taken it is its tenant's for good and never comes back.
 */
export class IsolatePool {
  readonly #profile: ContextProfile;
  readonly #size: number;
  readonly #cache: CodeCache | undefined;
  readonly #onCatastrophicError: CatastrophicErrorHandler | undefined;
  readonly #ready: PreparedContext[] = [];
  #filling = 0;
  #failures = 0;
  #closed = false;

  constructor(profile: ContextProfile, size: number, cache: CodeCache | undefined, onCatastrophicError?: CatastrophicErrorHandler) {
    this.#profile = profile;
    this.#size = size;
    this.#cache = cache;
    this.#onCatastrophicError = onCatastrophicError;
  }

  /**
   * A warm context in an isolate nobody has used, or undefined when none is ready. The caller
   * refills the pool (`fill`) once its load is over: a refill begun now would make an isolate on
   * this thread, and queue a prelude on the isolates' threads, in the middle of that load.
   */
  take(): PreparedContext | undefined {
    let prepared: PreparedContext | undefined;
    while (prepared === undefined && this.#ready.length > 0) {
      const candidate = this.#ready.shift();
      // an isolate that died while it waited is skipped; one a tenant owns is never handed to
      // another (cross-tenant reuse: it has run that tenant's code)
      if (candidate !== undefined && candidate.host.usable && candidate.host.tenant === undefined) prepared = candidate;
      else candidate?.host.dispose('pooled isolate no longer usable');
    }
    return prepared;
  }

  /** Starts making isolates until `size` are ready or being made. */
  fill(): void {
    if (this.#closed) return;
    const missing = this.#size - this.#ready.length - this.#filling;
    for (let i = 0; i < missing; i++) {
      this.#filling++;
      // after the current task: the isolate constructor runs on this thread, the rest does not
      setImmediate(() => {
        this.#make().finally(() => this.#filling--);
      });
    }
  }

  get readyCount(): number {
    return this.#ready.length;
  }

  /** Resolves when the pool is full (or stopped making isolates after failures). */
  async whenFilled(): Promise<void> {
    this.fill();
    while (!this.#closed && this.#ready.length < this.#size && this.#failures < 3) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.#closed = true;
    for (const prepared of this.#ready.splice(0)) prepared.host.dispose('pool closed');
  }

  async #make(): Promise<void> {
    if (this.#closed) return;
    const host = IsolateHost.create(this.#profile.memoryMb, this.#onCatastrophicError);
    try {
      const prepared = await host.prepareContext(this.#profile, this.#cache, { rehearse: true });
      if (this.#closed) {
        host.dispose('pool closed');
        return;
      }
      this.#failures = 0;
      this.#ready.push(prepared);
    } catch {
      host.dispose('preparing a pooled isolate failed');
      this.#failures++;
    }
  }
}
