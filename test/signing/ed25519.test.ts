/**
 * Strict Ed25519 on both verifiers, against every vector file in test/vectors (see its README
 * for sources and the decisions where strict verification differs from the RFC).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import nacl from 'tweetnacl';
import {
  isStrictPublicKey,
  keyPairFromSeed,
  nativeEd25519Available,
  signEd25519,
  verifyEd25519,
  verifyNative,
  verifyPortable,
  type StrictVerdict,
} from '../../src/signing/ed25519.ts';

const VERIFIERS = [
  ['native', verifyNative],
  ['portable', verifyPortable],
] as const;

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const readVectors = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T;

interface WycheproofFile {
  numberOfTests: number;
  testGroups: { publicKey: { pk: string }; tests: { tcId: number; comment: string; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }[] }[];
}
const wycheproof = readVectors<WycheproofFile>('wycheproof-ed25519_test.json');
const wycheproofCases = wycheproof.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));

interface RfcVector { name: string; secretKey: string; publicKey: string; message: string; signature: string }
const rfc8032 = readVectors<{ vectors: RfcVector[] }>('rfc8032-ed25519.json').vectors;

interface StrictVector { id: string; publicKey: string; message: string; signature: string; strict: StrictVerdict; raw: { tweetnacl: boolean; openssl: boolean } }
const strict = readVectors<{ vectors: StrictVector[] }>('strict-ed25519.json').vectors;

describe('Wycheproof Ed25519 (151 vectors), both verifiers', () => {
  it('has every vector of the file', () => {
    assert.equal(wycheproofCases.length, wycheproof.numberOfTests);
    assert.equal(wycheproofCases.length, 151);
  });

  it('the native path is really native here', () => {
    assert.equal(nativeEd25519Available, true);
  });

  for (const [name, verify] of VERIFIERS) {
    it(`${name}: valid exactly when Wycheproof says valid`, () => {
      const wrong = wycheproofCases.filter((t) => (verify(hex(t.msg), hex(t.sig), hex(t.pk)) === 'valid') !== (t.result === 'valid'));
      assert.deepEqual(wrong.map((t) => `${t.tcId} ${t.comment}`), []);
    });
  }

  it('native and portable give the same verdict on every vector', () => {
    const differ = wycheproofCases.filter((t) => verifyNative(hex(t.msg), hex(t.sig), hex(t.pk)) !== verifyPortable(hex(t.msg), hex(t.sig), hex(t.pk)));
    assert.deepEqual(differ.map((t) => t.tcId), []);
  });

  it('names S >= L as malleable on both paths, including where raw tweetnacl accepts it (tcIds 63-66, 85)', () => {
    for (const tcId of [63, 64, 65, 66, 85]) {
      const t = wycheproofCases.find((c) => c.tcId === tcId);
      assert.ok(t, `tcId ${tcId} present`);
      assert.equal(nacl.sign.detached.verify(hex(t.msg), hex(t.sig), hex(t.pk)), true, `raw tweetnacl accepts tcId ${tcId}: the pre-check is what refuses it`);
      for (const [name, verify] of VERIFIERS) assert.equal(verify(hex(t.msg), hex(t.sig), hex(t.pk)), 'malleable', `${name} tcId ${tcId}`);
    }
  });

  it('never throws on wrong-length signatures (tweetnacl alone throws)', () => {
    for (const t of wycheproofCases.filter((c) => c.sig.length !== 128)) {
      for (const [, verify] of VERIFIERS) assert.equal(verify(hex(t.msg), hex(t.sig), hex(t.pk)), 'invalid');
    }
  });
});

describe('RFC 8032 section 7.1 vectors, both verifiers', () => {
  for (const v of rfc8032) {
    it(`${v.name}: key derivation, deterministic signing, verification`, () => {
      const pair = keyPairFromSeed(hex(v.secretKey));
      assert.equal(Buffer.from(pair.publicKey).toString('hex'), v.publicKey);
      assert.equal(Buffer.from(signEd25519(hex(v.message), pair.seed)).toString('hex'), v.signature);
      for (const [name, verify] of VERIFIERS) {
        assert.equal(verify(hex(v.message), hex(v.signature), hex(v.publicKey)), 'valid', name);
        const flipped = hex(v.signature);
        flipped[7] = (flipped[7] ?? 0) ^ 0x01;
        assert.notEqual(verify(hex(v.message), flipped, hex(v.publicKey)), 'valid', `${name}: one flipped bit`);
        const other = hex(v.message.length > 0 ? v.message : '00');
        other[0] = (other[0] ?? 0) ^ 0x80;
        assert.notEqual(verify(other, hex(v.signature), hex(v.publicKey)), 'valid', `${name}: other message`);
      }
    });
  }
});

describe('strict where RFC 8032 is lenient (strict-ed25519.json)', () => {
  for (const v of strict) {
    it(`${v.id}: raw tweetnacl accepts it, both isoclass verifiers refuse it as ${v.strict}`, () => {
      assert.equal(nacl.sign.detached.verify(hex(v.message), hex(v.signature), hex(v.publicKey)), v.raw.tweetnacl);
      assert.equal(v.raw.tweetnacl, true, 'the vector is accepted by the cofactorless equation');
      for (const [name, verify] of VERIFIERS) assert.equal(verify(hex(v.message), hex(v.signature), hex(v.publicKey)), v.strict, name);
    });
  }
});

describe('public key strictness', () => {
  const P = 2n ** 255n - 19n;
  const le = (n: bigint, signBit = false): Uint8Array => {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
    if (signBit) out[31] = (out[31] ?? 0) | 0x80;
    return out;
  };
  const cases: [string, Uint8Array, boolean][] = [
    ['a generated key', keyPairFromSeed(new Uint8Array(32).fill(9)).publicKey, true],
    ['the identity (y = 1)', le(1n), false],
    ['the identity with the sign bit set', le(1n, true), false],
    ['y = 0 (order 4)', le(0n), false],
    ['y = p - 1 (order 2)', le(P - 1n), false],
    ['y = p (non-canonical 0)', le(P), false],
    ['y = p + 1 (non-canonical 1)', le(P + 1n), false],
    ['y = 2^255 - 1 (non-canonical)', le(2n ** 255n - 1n), false],
    ['31 bytes', new Uint8Array(31).fill(1), false],
    ['33 bytes', new Uint8Array(33).fill(1), false],
  ];
  for (const [name, key, expected] of cases) {
    it(`${name}: ${expected ? 'accepted' : 'refused'}`, () => {
      assert.equal(isStrictPublicKey(key), expected);
      if (!expected) {
        const sig = new Uint8Array(64);
        sig[0] = 1;
        for (const [verifierName, verify] of VERIFIERS) assert.equal(verify(new Uint8Array([1]), sig, key), 'bad-public-key', verifierName);
      }
    });
  }

  it('verifyEd25519 defaults to the native path and agrees with the portable one on a fresh signature', () => {
    const pair = keyPairFromSeed(new Uint8Array(32).fill(4));
    const message = new TextEncoder().encode('isoclass');
    const sig = signEd25519(message, pair.seed);
    assert.equal(verifyEd25519(message, sig, pair.publicKey), 'valid');
    assert.equal(verifyEd25519(message, sig, pair.publicKey, 'portable'), 'valid');
  });
});
