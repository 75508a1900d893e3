import { VerificationError } from './errors.ts';

/**
 * Rollback and equivocation protection: the highest version accepted per (tenant, identifier).
 *
 * A version counts as ACCEPTED only when a whole load of it succeeded — decoded, verified,
 * validated against the policy and instantiated. Checking happens twice: early, in the verify
 * step, so a stale envelope is refused before any of its code is looked at; and again,
 * atomically with recording, once the load succeeded (`accept`), because another load of the
 * same component may have been accepted in between. A load refused at any stage leaves the
 * state untouched, so a signed-but-broken v9 cannot lock out a working v8.
 *
 * "The same content" is the sha256 of the signed payload bytes, not of the envelope: the same
 * record re-signed by another key, or sent in the other base64 alphabet, is not equivocation.
 */

/** What is remembered about one accepted component. */
export interface AcceptedVersion {
  readonly version: number;
  /** sha256 (hex) of the payload bytes of the accepted envelope. */
  readonly payloadDigest: string;
  /** When the load that accepted it ran (its reference time), ISO 8601. */
  readonly acceptedAt: string;
}

/**
 * Where accepted versions are kept. The default is a file (`FileVersionStore`); a service with
 * several processes plugs in a store backed by its database. `VersionState` never calls `put`
 * with a lower version than `get` returned, and serialises calls per (tenant, identifier)
 * within one process; a store shared between processes must make `put` refuse to lower the
 * stored version itself (e.g. a conditional update).
 */
export interface VersionStore {
  get(tenant: string, identifier: string): Promise<AcceptedVersion | undefined> | AcceptedVersion | undefined;
  put(tenant: string, identifier: string, accepted: AcceptedVersion): Promise<void> | void;
}

/** Keeps versions in memory: for tests and for services that keep state elsewhere. */
export class MemoryVersionStore implements VersionStore {
  readonly #entries = new Map<string, AcceptedVersion>();
  get(tenant: string, identifier: string): AcceptedVersion | undefined {
    return this.#entries.get(componentKey(tenant, identifier));
  }
  put(tenant: string, identifier: string, accepted: AcceptedVersion): void {
    this.#entries.set(componentKey(tenant, identifier), accepted);
  }
}

/** The facts of a verified record that version state needs. */
export interface VersionClaim {
  readonly tenant: string;
  readonly identifier: string;
  readonly version: number;
  readonly payloadDigest: string;
}

/**
 * The single owner of version state for one store: every check and every write goes through
 * here, serialised per (tenant, identifier) by a lock shared by all `VersionState`s of the store.
 */
export class VersionState {
  readonly #store: VersionStore;

  constructor(store: VersionStore) {
    this.#store = store;
  }

  /** Refuses a claim that is older than, or conflicts with, what was already accepted. */
  async check(claim: VersionClaim): Promise<void> {
    compare(claim, await this.#store.get(claim.tenant, claim.identifier));
  }

  /**
   * Records a claim as accepted after its load succeeded. Checks again under the lock (another
   * load may have won meanwhile) and only ever raises the stored version.
   */
  accept(claim: VersionClaim, now: Date): Promise<void> {
    return withLock(this.#store, componentKey(claim.tenant, claim.identifier), async () => {
      const current = await this.#store.get(claim.tenant, claim.identifier);
      compare(claim, current);
      if (current !== undefined && current.version === claim.version) return; // the same content again
      await this.#store.put(claim.tenant, claim.identifier, { version: claim.version, payloadDigest: claim.payloadDigest, acceptedAt: now.toISOString() });
    });
  }
}

function compare(claim: VersionClaim, current: AcceptedVersion | undefined): void {
  if (current === undefined) return;
  const name = `${claim.tenant}/${claim.identifier}`;
  // rollback: replaying an older signed version (with its old bugs) is refused
  if (claim.version < current.version) {
    throw new VerificationError('ROLLBACK', `${name} v${claim.version} is older than v${current.version}, accepted at ${current.acceptedAt}; load v${current.version} or newer`, {
      details: { tenant: claim.tenant, identifier: claim.identifier, version: claim.version, accepted: current.version },
    });
  }
  // equivocation: two different records signed under one version would let a signer show
  // different code to different services while both look current
  if (claim.version === current.version && claim.payloadDigest !== current.payloadDigest) {
    throw new VerificationError(
      'EQUIVOCATION',
      `${name} v${claim.version} has payload sha256 ${claim.payloadDigest}, but a different v${claim.version} (sha256 ${current.payloadDigest}) was accepted at ${current.acceptedAt}; a version number must name one record — publish a new version`,
      { details: { tenant: claim.tenant, identifier: claim.identifier, version: claim.version, payloadDigest: claim.payloadDigest, acceptedDigest: current.payloadDigest } },
    );
  }
}

/** Tenants cannot contain NUL (record schema), so this key cannot collide. */
export function componentKey(tenant: string, identifier: string): string {
  return `${tenant}\u0000${identifier}`;
}

const locks = new WeakMap<VersionStore, Map<string, Promise<void>>>();

/** Runs `task` after every earlier task for the same store and key has settled. */
function withLock(store: VersionStore, key: string, task: () => Promise<void>): Promise<void> {
  let byKey = locks.get(store);
  if (byKey === undefined) {
    byKey = new Map();
    locks.set(store, byKey);
  }
  const previous = byKey.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  byKey.set(key, tail);
  void tail.then(() => {
    if (byKey.get(key) === tail) byKey.delete(key);
  });
  return run;
}
