import { Component } from 'isoclass';

/** A token bucket per key: private fields and state that lives across calls. */
export default class RateLimiter extends Component {
  declare params: { capacity: number; refillPerSecond: number };
  #buckets = new Map<string, { tokens: number; at: number }>();

  allow(key: string, now: number): boolean {
    const bucket = this.#buckets.get(key) ?? { tokens: this.params.capacity, at: now };
    bucket.tokens = Math.min(this.params.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.params.refillPerSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    return allowed;
  }
}
