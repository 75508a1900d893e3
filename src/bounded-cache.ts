/**
 * A map bounded in entries and in total size, least recently used dropped first: the memory limit
 * of every cache isoclass keeps (verifications, decoded envelopes, V8 code). Resource exhaustion:
 * whatever fills it, it never holds more than its limits; a value larger than the whole size
 * budget is not kept at all.
 */
export class BoundedCache<K, V> {
  readonly #maxEntries: number;
  readonly #maxSize: number;
  readonly #sizeOf: (value: V) => number;
  readonly #onDrop: ((value: V) => void) | undefined;
  readonly #entries = new Map<K, V>();
  #size = 0;

  constructor(limits: { readonly maxEntries: number; readonly maxSize: number }, sizeOf: (value: V) => number, onDrop?: (value: V) => void) {
    this.#maxEntries = limits.maxEntries;
    this.#maxSize = limits.maxSize;
    this.#sizeOf = sizeOf;
    this.#onDrop = onDrop;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    // re-inserting moves the entry to the end: the first entries are the least recently used
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Keeps `value` (replacing what `key` held), then drops the least recently used until both limits hold. False if not kept. */
  set(key: K, value: V): boolean {
    const size = this.#sizeOf(value);
    if (size > this.#maxSize || this.#maxEntries <= 0) return false;
    this.delete(key);
    this.#entries.set(key, value);
    this.#size += size;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#size <= this.#maxSize) break;
      this.delete(oldest);
    }
    return true;
  }

  delete(key: K): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    this.#size -= this.#sizeOf(value);
    this.#onDrop?.(value);
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.delete(key);
  }

  get entries(): number {
    return this.#entries.size;
  }

  /** Total size of the values kept, in the unit sizeOf counts. */
  get size(): number {
    return this.#size;
  }
}
