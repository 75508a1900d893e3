import { BoundedCache } from '../bounded-cache.ts';
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
  readonly #entries: BoundedCache<string, CachedVerification>;
  #hits = 0;
  #misses = 0;

  constructor(limits: Partial<VerificationCacheLimits> = {}) {
    const { maxEntries, maxPayloadBytes } = { ...DEFAULT_VERIFICATION_CACHE_LIMITS, ...limits };
    // bounded memory: least recently used dropped first; a record larger than the budget not kept
    this.#entries = new BoundedCache({ maxEntries, maxSize: maxPayloadBytes }, (entry) => entry.payloadBytes);
  }

  get(trustGeneration: string, envelopeDigest: string): CachedVerification | undefined {
    const entry = this.#entries.get(cacheKey(trustGeneration, envelopeDigest));
    if (entry === undefined) this.#misses++;
    else this.#hits++;
    return entry;
  }

  set(trustGeneration: string, envelopeDigest: string, entry: CachedVerification): void {
    this.#entries.set(cacheKey(trustGeneration, envelopeDigest), entry);
  }

  clear(): void {
    this.#entries.clear();
  }

  stats(): { entries: number; payloadBytes: number; hits: number; misses: number } {
    return { entries: this.#entries.entries, payloadBytes: this.#entries.size, hits: this.#hits, misses: this.#misses };
  }
}

function cacheKey(trustGeneration: string, envelopeDigest: string): string {
  // the digest is always 64 hex characters, so this join cannot make two pairs collide
  return `${envelopeDigest} ${trustGeneration}`;
}
