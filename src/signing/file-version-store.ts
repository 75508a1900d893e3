import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { replaceFileAtomically } from './atomic-file.ts';
import { VerificationError } from './errors.ts';
import { componentKey, type AcceptedVersion, type VersionStore } from './version-state.ts';

/** Name of the state file inside the state directory. */
export const VERSION_STATE_FILE = 'versions.json';

const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Accepted versions in `<dir>/versions.json`, replaced atomically on every change:
 *
 *   { "version": 1, "components": { "<tenant>": { "<identifier>": { "version": 3, "payloadDigest": "…", "acceptedAt": "…" } } } }
 *
 * The file is re-read whenever it changed on disk (inode, size or mtime), so several stores
 * on one directory in one process agree, and a put never lowers a version that another writer
 * stored. Several processes writing one directory at the same instant can still lose an
 * update; give each process its own directory, or plug in a store backed by a database.
 * A state file that cannot be read or parsed fails closed (STATE_INVALID): forgetting state
 * would re-open rollback.
 */
export class FileVersionStore implements VersionStore {
  readonly #dir: string;
  readonly #path: string;
  #snapshot: { stamp: string; entries: Map<string, AcceptedVersion> } | undefined;

  constructor(dir: string) {
    this.#dir = resolve(dir);
    this.#path = join(this.#dir, VERSION_STATE_FILE);
  }

  get path(): string {
    return this.#path;
  }

  get(tenant: string, identifier: string): AcceptedVersion | undefined {
    return this.#read().get(componentKey(tenant, identifier));
  }

  put(tenant: string, identifier: string, accepted: AcceptedVersion): void {
    // read-modify-write without an await in between: nothing else in this process interleaves
    const entries = new Map(this.#read());
    const key = componentKey(tenant, identifier);
    const current = entries.get(key);
    // rollback through the store: a version lower than one stored is never written back
    if (current !== undefined && current.version > accepted.version) {
      throw new VerificationError('ROLLBACK', `${tenant}/${identifier} v${accepted.version} is older than v${current.version} in ${this.#path}`, {
        details: { tenant, identifier, version: accepted.version, accepted: current.version },
      });
    }
    entries.set(key, accepted);
    try {
      mkdirSync(this.#dir, { recursive: true });
      replaceFileAtomically(this.#path, `${JSON.stringify(serialize(entries), null, 2)}\n`);
    } catch (cause) {
      throw new VerificationError('STATE_INVALID', `cannot write version state ${this.#path}: ${(cause as Error).message}; check the directory's permissions`, {
        cause,
        details: { path: this.#path },
      });
    }
    this.#snapshot = { stamp: this.#stamp() ?? '', entries };
  }

  #read(): Map<string, AcceptedVersion> {
    const stamp = this.#stamp();
    if (stamp === undefined) return (this.#snapshot = { stamp: '', entries: new Map() }).entries;
    if (this.#snapshot?.stamp === stamp) return this.#snapshot.entries;
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (cause) {
      throw this.#invalid(`cannot be read: ${(cause as Error).message}`, cause);
    }
    const entries = this.#parse(text);
    this.#snapshot = { stamp, entries };
    return entries;
  }

  /** Identifies one version of the file on disk, or undefined if there is none. */
  #stamp(): string | undefined {
    try {
      const s = statSync(this.#path, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#invalid(`cannot be read: ${(cause as Error).message}`, cause);
    }
  }

  #parse(text: string): Map<string, AcceptedVersion> {
    let alleged: unknown;
    try {
      alleged = JSON.parse(text);
    } catch (cause) {
      throw this.#invalid(`is not JSON (${(cause as Error).message})`, cause);
    }
    if (!isObject(alleged) || alleged['version'] !== 1 || !isObject(alleged['components'])) {
      throw this.#invalid('must be {"version": 1, "components": {...}}');
    }
    const entries = new Map<string, AcceptedVersion>();
    for (const [tenant, byIdentifier] of Object.entries(alleged['components'])) {
      if (!isObject(byIdentifier)) throw this.#invalid(`components["${tenant}"] must be an object`);
      for (const [identifier, entry] of Object.entries(byIdentifier)) {
        const path = `components["${tenant}"]["${identifier}"]`;
        if (!isObject(entry)) throw this.#invalid(`${path} must be an object`);
        const { version, payloadDigest, acceptedAt } = entry;
        if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw this.#invalid(`${path}.version must be a positive integer`);
        if (typeof payloadDigest !== 'string' || !DIGEST.test(payloadDigest)) throw this.#invalid(`${path}.payloadDigest must be a sha256 hex digest`);
        if (typeof acceptedAt !== 'string' || Number.isNaN(Date.parse(acceptedAt))) throw this.#invalid(`${path}.acceptedAt must be an ISO 8601 date`);
        entries.set(componentKey(tenant, identifier), { version, payloadDigest, acceptedAt });
      }
    }
    return entries;
  }

  #invalid(what: string, cause?: unknown): VerificationError {
    return new VerificationError(
      'STATE_INVALID',
      `version state ${this.#path} ${what}; restore it from a backup (deleting it forgets every accepted version and re-opens rollback)`,
      { ...(cause === undefined ? {} : { cause }), details: { path: this.#path } },
    );
  }
}

function serialize(entries: ReadonlyMap<string, AcceptedVersion>): unknown {
  const components: Record<string, Record<string, AcceptedVersion>> = Object.create(null) as Record<string, Record<string, AcceptedVersion>>;
  for (const [key, entry] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [tenant = '', identifier = ''] = key.split('\u0000');
    (components[tenant] ??= Object.create(null) as Record<string, AcceptedVersion>)[identifier] = { version: entry.version, payloadDigest: entry.payloadDigest, acceptedAt: entry.acceptedAt };
  }
  return { version: 1, components };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
