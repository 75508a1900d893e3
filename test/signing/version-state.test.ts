/** Rollback and equivocation: the version state, its file store, and concurrency. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VerificationError } from '../../src/signing/errors.ts';
import { FileVersionStore } from '../../src/signing/file-version-store.ts';
import { MemoryVersionStore, VersionState, type AcceptedVersion, type VersionClaim, type VersionStore } from '../../src/signing/version-state.ts';
import { tempDir } from '../helpers.ts';

const NOW = new Date('2027-01-01T00:00:00Z');
const digest = (c: string): string => c.repeat(64);
const claim = (version: number, content = 'a', identifier = 'scorer', tenant = 'acme'): VersionClaim => ({ tenant, identifier, version, payloadDigest: digest(content) });
const code = (c: string) => (e: unknown) => e instanceof VerificationError && e.code === c;

describe('VersionState', () => {
  const ROWS: [string, VersionClaim, string | null][] = [
    ['a newer version', claim(4), null],
    ['the same version with the same content', claim(3), null],
    ['an older version (rollback)', claim(2), 'ROLLBACK'],
    ['the same version with other content (equivocation)', claim(3, 'b'), 'EQUIVOCATION'],
    ['another identifier at a lower version', claim(1, 'a', 'other'), null],
    ['another tenant at a lower version', claim(1, 'a', 'scorer', 'globex'), null],
  ];
  for (const [name, c, expected] of ROWS) {
    it(`after v3 was accepted: ${name} → ${expected ?? 'accepted'}`, async () => {
      const state = new VersionState(new MemoryVersionStore());
      await state.accept(claim(3), NOW);
      if (expected === null) {
        await state.check(c);
        await state.accept(c, NOW);
      } else {
        await assert.rejects(state.check(c), code(expected));
        await assert.rejects(state.accept(c, NOW), code(expected));
      }
    });
  }

  it('names the component, both versions and what to do', async () => {
    const state = new VersionState(new MemoryVersionStore());
    await state.accept(claim(7), NOW);
    await assert.rejects(state.check(claim(5)), (e: unknown) => e instanceof VerificationError && /acme\/scorer v5 is older than v7/.test(e.message) && /load v7 or newer/.test(e.message));
    await assert.rejects(state.check(claim(7, 'b')), (e: unknown) => e instanceof VerificationError && e.message.includes(digest('b')) && e.message.includes(digest('a')) && /publish a new version/.test(e.message));
  });

  it('serialises concurrent accepts per component: a slower older one cannot overwrite a newer one', async () => {
    const inner = new MemoryVersionStore();
    const slow: VersionStore = {
      get: async (t, i) => {
        await new Promise((r) => setTimeout(r, 5));
        return inner.get(t, i);
      },
      put: async (t, i, v: AcceptedVersion) => {
        await new Promise((r) => setTimeout(r, 5));
        inner.put(t, i, v);
      },
    };
    const results = await Promise.allSettled([new VersionState(slow).accept(claim(2), NOW), new VersionState(slow).accept(claim(1), NOW), new VersionState(slow).accept(claim(2, 'b'), NOW)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected']);
    assert.ok(code('ROLLBACK')((results[1] as PromiseRejectedResult).reason));
    assert.ok(code('EQUIVOCATION')((results[2] as PromiseRejectedResult).reason));
    assert.equal(inner.get('acme', 'scorer')?.version, 2);
  });

  it('many concurrent accepts in random order end at the highest version', async () => {
    const store = new MemoryVersionStore();
    const state = new VersionState(store);
    const versions = [5, 3, 9, 1, 9, 7, 2, 8, 4, 6];
    await Promise.allSettled(versions.map((v) => state.accept(claim(v), NOW)));
    assert.equal(store.get('acme', 'scorer')?.version, 9);
  });
});

describe('FileVersionStore', () => {
  it('creates the directory, persists across instances, and writes readable JSON', async (t) => {
    const dir = join(tempDir(t), 'state', 'nested');
    await new VersionState(new FileVersionStore(dir)).accept(claim(3), NOW);
    const again = new VersionState(new FileVersionStore(dir));
    await assert.rejects(again.check(claim(2)), code('ROLLBACK'));
    const file = JSON.parse(readFileSync(join(dir, 'versions.json'), 'utf8')) as unknown;
    assert.deepEqual(file, { version: 1, components: { acme: { scorer: { version: 3, payloadDigest: digest('a'), acceptedAt: NOW.toISOString() } } } });
    assert.deepEqual(readdirSync(dir), ['versions.json'], 'no temporary files left behind');
  });

  it('two stores on one directory see each other\'s writes', async (t) => {
    const dir = tempDir(t);
    const a = new FileVersionStore(dir);
    const b = new FileVersionStore(dir);
    assert.equal(b.get('acme', 'scorer'), undefined);
    await new VersionState(a).accept(claim(4), NOW);
    await assert.rejects(new VersionState(b).check(claim(3)), code('ROLLBACK'));
    await new VersionState(b).accept(claim(1, 'a', 'other'), NOW);
    assert.equal(a.get('acme', 'other')?.version, 1);
    assert.equal(a.get('acme', 'scorer')?.version, 4);
  });

  it('never writes a lower version, even when asked directly', (t) => {
    const store = new FileVersionStore(tempDir(t));
    store.put('acme', 'scorer', { version: 5, payloadDigest: digest('a'), acceptedAt: NOW.toISOString() });
    assert.throws(() => store.put('acme', 'scorer', { version: 4, payloadDigest: digest('a'), acceptedAt: NOW.toISOString() }), code('ROLLBACK'));
    assert.equal(store.get('acme', 'scorer')?.version, 5);
  });

  const CORRUPT: [string, string][] = [
    ['not JSON', '{"version": 1, "comp'],
    ['wrong version', '{"version": 2, "components": {}}'],
    ['a version that is not a positive integer', JSON.stringify({ version: 1, components: { acme: { s: { version: 0, payloadDigest: digest('a'), acceptedAt: NOW.toISOString() } } } })],
    ['a bad digest', JSON.stringify({ version: 1, components: { acme: { s: { version: 1, payloadDigest: 'xyz', acceptedAt: NOW.toISOString() } } } })],
    ['a bad date', JSON.stringify({ version: 1, components: { acme: { s: { version: 1, payloadDigest: digest('a'), acceptedAt: 'yesterday' } } } })],
  ];
  for (const [name, text] of CORRUPT) {
    it(`fails closed on a state file with ${name} (STATE_INVALID, naming the file)`, async (t) => {
      const dir = tempDir(t);
      writeFileSync(join(dir, 'versions.json'), text);
      const state = new VersionState(new FileVersionStore(dir));
      await assert.rejects(state.check(claim(1)), (e: unknown) => e instanceof VerificationError && e.code === 'STATE_INVALID' && e.message.includes(join(dir, 'versions.json')));
      await assert.rejects(state.accept(claim(1), NOW), code('STATE_INVALID'));
      assert.equal(readFileSync(join(dir, 'versions.json'), 'utf8'), text, 'a broken file is never overwritten');
    });
  }

  it('reports an unwritable directory as STATE_INVALID', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'blocker'), 'a file where the directory should be');
    await assert.rejects(new VersionState(new FileVersionStore(join(dir, 'blocker', 'state'))).accept(claim(1), NOW), code('STATE_INVALID'));
    assert.equal(existsSync(join(dir, 'blocker', 'state')), false);
  });
});
