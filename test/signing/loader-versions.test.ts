/**
 * Rollback and equivocation through the Loader: a version counts as accepted only when its
 * whole load succeeded, and concurrent loads in one process cannot lower the state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Loader } from '../../src/loader.ts';
import { PolicyError } from '../../src/policy/errors.ts';
import { VerificationError } from '../../src/signing/errors.ts';
import { FileVersionStore } from '../../src/signing/file-version-store.ts';
import { MemoryVersionStore } from '../../src/signing/version-state.ts';
import { makeEnvelope, makeRecord, tempDir, testKey } from '../helpers.ts';
import { trustOf } from './trust-fixtures.ts';

const GOOD = (n: number) => `import { Component } from 'isoclass';\nexport default class S extends Component {\n  score(x) { return x * ${n}; }\n}\n`;
const EVIL = `import { Component } from 'isoclass';\nexport default class S extends Component {\n  score(x) { return eval(x); }\n}\n`;
const K1 = testKey(1);
const K2 = testKey(2);
const code = (c: string) => (e: unknown) => e instanceof VerificationError && e.code === c;
const envelopeOf = (version: number, source = GOOD(version), keys = [K1]) => makeEnvelope(makeRecord(source, { identifier: 'scorer', version }), keys);

async function loadAndDispose(loader: Loader, text: string): Promise<number> {
  const component = await loader.load(text);
  const version = component.record.version;
  component.dispose();
  return version;
}

describe('Loader with a version store', () => {
  it('refuses a rollback and an equivocation; accepts the same content re-signed by another key', async () => {
    const versionStore = new MemoryVersionStore();
    const loader = new Loader({ trust: trustOf([{ key: K1 }, { key: K2 }]), versionStore });
    assert.equal(await loadAndDispose(loader, envelopeOf(2)), 2);
    await assert.rejects(loader.load(envelopeOf(1)), code('ROLLBACK'));
    await assert.rejects(loader.load(envelopeOf(2, GOOD(99))), code('EQUIVOCATION'));
    assert.equal(await loadAndDispose(loader, envelopeOf(2, GOOD(2), [K2])), 2, 'same record, other signer: not equivocation');
    assert.equal(await loadAndDispose(loader, envelopeOf(3)), 3);
    assert.equal(versionStore.get('acme', 'scorer')?.version, 3);
  });

  it('refuses a rollback before looking at its code (the version check precedes the policy)', async () => {
    const loader = new Loader({ trust: trustOf([{ key: K1 }]), versionStore: new MemoryVersionStore() });
    assert.equal(await loadAndDispose(loader, envelopeOf(2)), 2);
    await assert.rejects(loader.load(envelopeOf(1, EVIL)), code('ROLLBACK'));
  });

  it('counts a version as accepted only when its whole load succeeded', async () => {
    const versionStore = new MemoryVersionStore();
    const loader = new Loader({ trust: trustOf([{ key: K1 }]), versionStore });
    assert.equal(await loadAndDispose(loader, envelopeOf(2)), 2);
    await assert.rejects(loader.load(envelopeOf(3, EVIL)), (e: unknown) => e instanceof PolicyError);
    assert.equal(versionStore.get('acme', 'scorer')?.version, 2, 'a refused v3 does not raise the floor');
    assert.equal(await loadAndDispose(loader, envelopeOf(2)), 2, 'v2 still loads');
  });

  it('checks the state on a verification cache hit', async () => {
    const versionStore = new MemoryVersionStore();
    const loader = new Loader({ trust: trustOf([{ key: K1 }]), versionStore });
    const v1 = envelopeOf(1);
    assert.equal(await loadAndDispose(loader, v1), 1);
    assert.equal(await loadAndDispose(loader, envelopeOf(2)), 2);
    await assert.rejects(loader.load(v1), code('ROLLBACK'), 'v1 is in the cache, and still refused');
  });

  it('keeps concurrent loads in one process safe: the state ends at the highest version, losers are refused', async () => {
    const versionStore = new MemoryVersionStore();
    const loader = new Loader({ trust: trustOf([{ key: K1 }]), versionStore });
    const versions = [3, 5, 4, 5, 1, 2];
    const results = await Promise.allSettled(versions.map((v) => loader.load(envelopeOf(v))));
    for (const r of results) {
      if (r.status === 'fulfilled') r.value.dispose();
      else assert.ok(code('ROLLBACK')(r.reason), `only rollbacks may be refused, got ${String(r.reason)}`);
    }
    assert.equal(versionStore.get('acme', 'scorer')?.version, 5);
    const loaded = results.flatMap((r, i) => (r.status === 'fulfilled' ? [versions[i]] : []));
    assert.ok(loaded.includes(5));
  });

  it('concurrent loads of two different records under one version: exactly one wins', async () => {
    const versionStore = new MemoryVersionStore();
    const loader = new Loader({ trust: trustOf([{ key: K1 }]), versionStore });
    const results = await Promise.allSettled([loader.load(envelopeOf(7, GOOD(1))), loader.load(envelopeOf(7, GOOD(2)))]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.ok(code('EQUIVOCATION')((lost[0] as PromiseRejectedResult).reason));
    for (const r of won) (r as PromiseFulfilledResult<{ dispose(): void }>).value.dispose();
  });

  it('remembers across loaders and restarts with a FileVersionStore', async (t) => {
    const dir = tempDir(t);
    const trust = trustOf([{ key: K1 }]);
    assert.equal(await loadAndDispose(new Loader({ trust, versionStore: new FileVersionStore(dir) }), envelopeOf(4)), 4);
    await assert.rejects(new Loader({ trust, versionStore: new FileVersionStore(dir) }).load(envelopeOf(3)), code('ROLLBACK'));
  });
});
