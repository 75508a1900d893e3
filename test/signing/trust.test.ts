/** Trust files: every rule of the format, and the edits `isoclass trust` makes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerificationError } from '../../src/signing/errors.ts';
import { keyIdOf } from '../../src/signing/keys.ts';
import { globMatches, parseTrust, parseTrustFile, trustSingleKey } from '../../src/signing/trust.ts';
import { addTrustedKey, emptyTrustFile, revokeTrustedKey, serializeTrustFile } from '../../src/signing/trust-edit.ts';
import { testKey } from '../helpers.ts';
import { trustFileText } from './trust-fixtures.ts';

const K1 = testKey(1);
const K2 = testKey(2);
const k1 = () => JSON.parse(trustFileText([{ key: K1 }])) as { keys: Record<string, unknown>[]; [k: string]: unknown };
const P = 2n ** 255n - 19n;
const le = (n: bigint): string => {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out.toString('base64');
};

describe('parseTrust: refuses every broken trust file with TRUST_INVALID naming the path', () => {
  const ROWS: [string, (doc: ReturnType<typeof k1>) => unknown, RegExp][] = [
    ['not JSON', () => '{"version":', /neither a PEM public key nor JSON/],
    ['an unknown top-level key', (d) => ({ ...d, trustEveryone: true }), /trust\.trustEveryone is not a known key/],
    ['an unknown key field', (d) => ({ ...d, keys: [{ ...d.keys[0], scope: 'all' }] }), /trust\.keys\[0\]\.scope is not a known key/],
    ['a keyid that names another key', (d) => ({ ...d, keys: [{ ...d.keys[0], keyid: keyIdOf(K2.publicKey) }] }), /keys\[0\]\.keyid does not match its publicKey/],
    ['a key listed twice', (d) => ({ ...d, keys: [d.keys[0], d.keys[0]] }), /keys\[1\] lists key .* a second time/],
    ['the identity as public key', (d) => ({ ...d, keys: [{ ...d.keys[0], publicKey: le(1n) }] }), /keys\[0\]\.publicKey is not a strict Ed25519 public key/],
    ['a non-canonical public key', (d) => ({ ...d, keys: [{ ...d.keys[0], publicKey: le(P + 2n) }] }), /keys\[0\]\.publicKey is not a strict/],
    ['a public key with non-zero trailing bits', (d) => ({ ...d, keys: [{ ...d.keys[0], publicKey: (d.keys[0]?.['publicKey'] as string).replace(/.=$/, (m) => `${String.fromCharCode(m.charCodeAt(0) + 1)}=`) }] }), /not a strict|does not match/],
    ['notAfter before notBefore', (d) => ({ ...d, keys: [{ ...d.keys[0], notBefore: '2027-02-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' }] }), /notAfter .* is not after notBefore/],
    ['an impossible date', (d) => ({ ...d, keys: [{ ...d.keys[0], notAfter: '2027-13-45T00:00:00Z' }] }), /notAfter is not a real date/],
    ['a threshold above the key count', (d) => ({ ...d, threshold: 2 }), /threshold is 2 but only 1 key/],
    ['a threshold of 0', (d) => ({ ...d, threshold: 0 }), /trust\.threshold/],
    ['a tenant pattern with regex syntax', (d) => ({ ...d, keys: [{ ...d.keys[0], tenants: ['acme|globex'] }] }), /tenants\[0\]/],
    ['no tenants', (d) => ({ ...d, keys: [{ ...d.keys[0], tenants: [] }] }), /tenants/],
    ['version 2', (d) => ({ ...d, version: 2 }), /trust\.version must be 1/],
  ];
  for (const [name, mutate, message] of ROWS) {
    it(name, () => {
      const doc = mutate(k1());
      const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
      assert.throws(() => parseTrust(text, 'trust.json'), (e: unknown) => {
        assert.ok(e instanceof VerificationError);
        assert.equal(e.code, 'TRUST_INVALID');
        assert.match(e.message, /^trust file trust\.json: /);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it('accepts a file where every key is revoked (an emergency stop loads; envelopes are then KEY_REVOKED)', () => {
    const root = parseTrust(trustFileText([{ key: K1, revoked: true }]), 'trust.json');
    assert.equal(root.keys[0]?.revoked, true);
  });

  it('derives the generation from the content, and freezes the root', () => {
    const a = parseTrust(trustFileText([{ key: K1 }]), 'a');
    const b = parseTrust(trustFileText([{ key: K1, revoked: true }]), 'b');
    assert.notEqual(a.generation, b.generation);
    assert.equal(a.generation, parseTrust(trustFileText([{ key: K1 }]), 'c').generation);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.keys) && Object.isFrozen(a.keys[0]) && Object.isFrozen(a.keys[0]?.tenants));
  });

  it('trustSingleKey refuses a weak key', () => {
    assert.throws(() => trustSingleKey(Buffer.from(le(1n), 'base64')), (e: unknown) => e instanceof VerificationError && e.code === 'TRUST_INVALID');
  });
});

describe('globMatches', () => {
  const ROWS: [string, string, boolean][] = [
    ['*', 'anything/at/all', true],
    ['billing/*', 'billing/invoice', true],
    ['billing/*', 'billing', false],
    ['billing/*', 'payroll/billing/x', false],
    ['score?', 'score1', true],
    ['score?', 'score12', false],
    ['a.b', 'aXb', false],
    ['a.b', 'a.b', true],
    ['v-*', 'v-2', true],
  ];
  for (const [glob, value, expected] of ROWS) it(`${glob} ${expected ? 'matches' : 'does not match'} ${value}`, () => assert.equal(globMatches(glob, value), expected));
});

describe('trust edits', () => {
  it('add: derives the keyid, defaults the scope to everything, and the result loads', () => {
    const file = addTrustedKey(emptyTrustFile(), K1.publicKey, {}, 't.json');
    assert.deepEqual(file.keys[0], { keyid: keyIdOf(K1.publicKey), publicKey: Buffer.from(K1.publicKey).toString('base64'), tenants: ['*'], identifiers: ['*'] });
    const root = parseTrust(serializeTrustFile(file), 't.json');
    assert.equal(root.keys[0]?.keyid, keyIdOf(K1.publicKey));
  });

  it('add: keeps scope and window, side by side with the old key (rotation)', () => {
    let file = addTrustedKey(emptyTrustFile(), K1.publicKey, { notAfter: new Date('2027-07-01T00:00:00Z') }, 't.json');
    file = addTrustedKey(file, K2.publicKey, { tenants: ['acme'], identifiers: ['billing/*'], notBefore: new Date('2027-06-01T00:00:00Z') }, 't.json');
    assert.deepEqual(file.keys.map((k) => [k.tenants, k.identifiers, k.notBefore, k.notAfter]), [
      [['*'], ['*'], undefined, '2027-07-01T00:00:00Z'],
      [['acme'], ['billing/*'], '2027-06-01T00:00:00Z', undefined],
    ]);
  });

  it('add: refuses a key already listed, and never un-revokes one', () => {
    const file = addTrustedKey(emptyTrustFile(), K1.publicKey, {}, 't.json');
    assert.throws(() => addTrustedKey(file, K1.publicKey, {}, 't.json'), (e: unknown) => e instanceof VerificationError && /already listed/.test(e.message));
    const revoked = revokeTrustedKey(file, keyIdOf(K1.publicKey), 't.json').file;
    assert.throws(() => addTrustedKey(revoked, K1.publicKey, {}, 't.json'), (e: unknown) => e instanceof VerificationError && /cannot be trusted again/.test(e.message));
  });

  it('add: refuses a scope the schema refuses', () => {
    assert.throws(() => addTrustedKey(emptyTrustFile(), K1.publicKey, { tenants: ['bad tenant'] }, 't.json'), (e: unknown) => e instanceof VerificationError && e.code === 'TRUST_INVALID');
  });

  it('revoke: marks the key, keeps it listed, is idempotent, and refuses an unknown keyid', () => {
    const file = addTrustedKey(emptyTrustFile(), K1.publicKey, {}, 't.json');
    const { file: revoked, alreadyRevoked } = revokeTrustedKey(file, keyIdOf(K1.publicKey), 't.json');
    assert.equal(alreadyRevoked, false);
    assert.equal(revoked.keys[0]?.revoked, true);
    assert.equal(file.keys[0]?.revoked, undefined, 'edits do not mutate their input');
    assert.equal(revokeTrustedKey(revoked, keyIdOf(K1.publicKey), 't.json').alreadyRevoked, true);
    assert.throws(() => revokeTrustedKey(file, keyIdOf(K2.publicKey), 't.json'), (e: unknown) => e instanceof VerificationError && e.code === 'KEY_UNKNOWN');
  });

  it('parseTrustFile round-trips what serializeTrustFile writes', () => {
    const file = addTrustedKey(emptyTrustFile(), K1.publicKey, { comment: 'release key 2027' }, 't.json');
    assert.deepEqual(parseTrustFile(serializeTrustFile(file), 't.json'), file);
  });
});
