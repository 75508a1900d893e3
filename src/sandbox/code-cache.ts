import { sha256Hex } from '../envelope/record.ts';
import ivm from 'isolated-vm';
import { BoundedCache } from '../bounded-cache.ts';

export interface CodeCacheOptions {
  /** Total bytes of cached data kept; least recently used entries go first. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024; // bytes
const MAX_REMEMBERED_KEYS = 64; // source texts whose key is remembered
const KEYS = new Map<string, Map<string, string>>();

/**
 * V8 code cache for scripts compiled into isolates (the prelude), produced here and keyed by the
 * sha256 of the exact source text, computed here.
 *
 * Cached data is never taken from input: V8 checks a code cache against the source's length and
 * its own version and flags, not the source's content, so data produced for other code (or
 * crafted: CVE-2022-39266) would run instead of the source it claims to be for. Here every entry
 * was produced by this process's V8 from the source whose hash is its key.
 */
export class CodeCache {
  /** (bounded memory: least recently used dropped first, its data released) */
  readonly #entries: BoundedCache<string, { readonly data: ivm.ExternalCopy<ArrayBuffer>; readonly size: number }>;
  #hits = 0;
  #misses = 0;

  constructor(options: CodeCacheOptions = {}) {
    this.#entries = new BoundedCache({ maxEntries: Number.POSITIVE_INFINITY, maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES }, (entry) => entry.size, (entry) => entry.data.release());
  }

  /**
   * The key for a source: its sha256, computed from the text itself. Remembered per source text
   * (the prelude is one string, hashed once per process rather than once per isolate).
   */
  static keyOf(kind: string, source: string): string {
    const known = KEYS.get(source)?.get(kind);
    if (known !== undefined) return known;
    const key = `${kind}:${sha256Hex(source)}`;
    if (KEYS.size >= MAX_REMEMBERED_KEYS) KEYS.clear();
    KEYS.set(source, (KEYS.get(source) ?? new Map()).set(kind, key));
    return key;
  }

  get(key: string): ivm.ExternalCopy<ArrayBuffer> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) this.#misses++;
    else this.#hits++;
    return entry?.data;
  }

  /** Stores data V8 produced for the source behind `key`. */
  set(key: string, data: ivm.ExternalCopy<ArrayBuffer>): void {
    this.#entries.set(key, { data, size: data.copy().byteLength }); // (its size read once per entry)
  }

  /** Forgets an entry (V8 rejected it). */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  get stats(): { readonly entries: number; readonly bytes: number; readonly hits: number; readonly misses: number } {
    return { entries: this.#entries.entries, bytes: this.#entries.size, hits: this.#hits, misses: this.#misses };
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Compile results carry cached data that isolated-vm's types leave out. */
export interface CachedDataResult {
  readonly cachedData?: ivm.ExternalCopy<ArrayBuffer>;
  readonly cachedDataRejected?: boolean;
}

/**
 * Compiles a script with the cache: consumes an entry when there is one, produces one when there
 * is not (or V8 rejected it). Worth it for scripts whose code runs eagerly (the prelude: 228 µs
 * from the cache against 2.5 ms compiling); module code compiles lazily and gains nothing.
 */
export async function compileScriptCached(isolate: ivm.Isolate, cache: CodeCache | undefined, kind: string, source: string, filename: string, inline = false): Promise<ivm.Script> {
  // data made for another source: the key is derived here from the very text compiled, never
  // taken from the caller, so one source's cached code can never be served for another
  const key = CodeCache.keyOf(kind, source);
  const cached = cache?.get(key);
  const options = { filename, ...(cached !== undefined ? { cachedData: cached } : cache !== undefined ? { produceCachedData: true } : {}) };
  // inline: on this thread, saving a thread hop
  const script = inline ? isolate.compileScriptSync(source, options) : await isolate.compileScript(source, options);
  remember(cache, key, script as unknown as CachedDataResult, cached !== undefined);
  return script;
}

function remember(cache: CodeCache | undefined, key: string, result: CachedDataResult, consumed: boolean): void {
  if (cache === undefined) return;
  if (consumed && result.cachedDataRejected === true) cache.delete(key);
  if (!consumed && result.cachedData !== undefined) cache.set(key, result.cachedData);
}

/** The cache every sandbox shares unless given its own: entries are keyed by content and made here. */
export const PROCESS_CODE_CACHE = new CodeCache();
