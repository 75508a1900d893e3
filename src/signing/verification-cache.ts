import type { ComponentRecord } from '../envelope/record.ts';

/**
 * Remembers which trusted keys' signatures verified over an envelope, so that loading the same
 * envelope again does no signature math and no record parsing. It is the single owner of that
 * memory; `verifyEnvelope` is its only user.
 *
 * What is cached is only what cannot change while the key stays the same: "these exact envelope
 * bytes carry valid signatures by these public keys, and the payload is this record". Every
 * check that depends on time or on other state (revocation, key windows, scope, threshold,
 * expiry, rollback) runs again on a hit. The key includes the trust root's generation, so any
 * edit of the trust file (a revocation, a narrowed scope) starts from nothing.
 *
 * Only envelopes that verified are stored: an attacker without a trusted key cannot fill it.
 */
export interface VerificationCacheLimits {
  /** Most envelopes remembered; the least recently used is dropped first. */
  readonly maxEntries: number;
  /** Most payload bytes held by remembered records, in bytes. */
  readonly maxPayloadBytes: number;
}

export const DEFAULT_VERIFICATION_CACHE_LIMITS: VerificationCacheLimits = {
  maxEntries: 1024, // envelopes
  maxPayloadBytes: 64 * 1024 * 1024, // bytes
};

/** What a cache hit hands back: facts about the bytes, none about time. */
export interface CachedVerification {
  /** The frozen record parsed from the payload. */
  readonly record: ComponentRecord;
  /** Public keys (raw 32 bytes, by keyid) whose signatures over the PAE verified. */
  readonly signerKeys: ReadonlyMap<string, Uint8Array>;
  /** sha256 (hex) of the payload bytes. */
  readonly payloadDigest: string;
  readonly payloadBytes: number;
}

export class VerificationCache {
  readonly #limits: VerificationCacheLimits;
  readonly #entries = new Map<string, CachedVerification>();
  #payloadBytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(limits: Partial<VerificationCacheLimits> = {}) {
    this.#limits = { ...DEFAULT_VERIFICATION_CACHE_LIMITS, ...limits };
  }

  get(trustGeneration: string, envelopeDigest: string): CachedVerification | undefined {
    const key = cacheKey(trustGeneration, envelopeDigest);
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    // least recently used goes first: re-inserting moves the entry to the end
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits++;
    return entry;
  }

  set(trustGeneration: string, envelopeDigest: string, entry: CachedVerification): void {
    // resource exhaustion: one record larger than the whole budget is simply not cached
    if (entry.payloadBytes > this.#limits.maxPayloadBytes || this.#limits.maxEntries <= 0) return;
    const key = cacheKey(trustGeneration, envelopeDigest);
    this.#drop(key);
    this.#entries.set(key, entry);
    this.#payloadBytes += entry.payloadBytes;
    // bounded memory: evict least recently used until both limits hold
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#payloadBytes <= this.#limits.maxPayloadBytes) break;
      this.#drop(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#payloadBytes = 0;
  }

  stats(): { entries: number; payloadBytes: number; hits: number; misses: number } {
    return { entries: this.#entries.size, payloadBytes: this.#payloadBytes, hits: this.#hits, misses: this.#misses };
  }

  #drop(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#payloadBytes -= old.payloadBytes;
  }
}

function cacheKey(trustGeneration: string, envelopeDigest: string): string {
  // the digest is always 64 hex characters, so this join cannot make two pairs collide
  return `${envelopeDigest} ${trustGeneration}`;
}
