/** The verification cache: repeat loads skip signature math, never the time-dependent checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEnvelope, encodeEnvelope } from '../../src/envelope/envelope.ts';
import { VerificationError } from '../../src/signing/errors.ts';
import { keyIdOf } from '../../src/signing/keys.ts';
import { VerificationCache } from '../../src/signing/verification-cache.ts';
import { verifyEnvelope } from '../../src/signing/verify.ts';
import { makeEnvelope, makeRecord, testKey } from '../helpers.ts';
import { trustOf } from './trust-fixtures.ts';

const K1 = testKey(1);
const NOW = new Date('2027-06-01T00:00:00Z');
const SOURCE = 'export default class C {}\n';

describe('VerificationCache', () => {
  it('a repeat verification is a hit and returns the same frozen record', () => {
    const cache = new VerificationCache();
    const trust = trustOf([{ key: K1 }]);
    const text = makeEnvelope(makeRecord(SOURCE));
    const first = verifyEnvelope(decodeEnvelope(text), trust, { now: NOW, cache });
    const second = verifyEnvelope(decodeEnvelope(text), trust, { now: NOW, cache });
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    assert.equal(second.record, first.record);
    assert.deepEqual(second.signers, [keyIdOf(K1.publicKey)]);
    assert.equal(second.payloadDigest, first.payloadDigest);
    assert.deepEqual(cache.stats(), { entries: 1, payloadBytes: decodeEnvelope(text).payload.byteLength, hits: 1, misses: 1 });
  });

  it('a hit does no signature math: an entry planted for bad signatures is believed (so only verified envelopes may be stored)', () => {
    const cache = new VerificationCache();
    const trust = trustOf([{ key: K1 }]);
    const good = makeEnvelope(makeRecord(SOURCE));
    const verified = verifyEnvelope(decodeEnvelope(good), trust, { now: NOW, cache });
    // same payload, garbage signature: a miss is refused...
    const parts = decodeEnvelope(good);
    const forged = encodeEnvelope({ ...parts, signatures: [{ keyid: parts.signatures[0]?.keyid, sig: new Uint8Array(64).fill(7) }] });
    assert.throws(() => verifyEnvelope(decodeEnvelope(forged), trust, { now: NOW, cache }), (e: unknown) => e instanceof VerificationError);
    // ...and is not stored; planting it by hand shows a hit skips the signature check entirely
    assert.equal(cache.stats().entries, 1);
    cache.set(trust.generation, decodeEnvelope(forged).digest, { record: verified.record, signerKeys: new Map([[keyIdOf(K1.publicKey), K1.publicKey]]), payloadDigest: verified.payloadDigest, payloadBytes: 10 });
    assert.equal(verifyEnvelope(decodeEnvelope(forged), trust, { now: NOW, cache }).cached, true);
  });

  it('failures are not cached: an unknown signer cannot fill the cache', () => {
    const cache = new VerificationCache();
    const trust = trustOf([{ key: K1 }]);
    for (let i = 0; i < 5; i++) {
      const text = makeEnvelope(makeRecord(SOURCE, { version: i + 1 }), [testKey(50 + i)]);
      assert.throws(() => verifyEnvelope(decodeEnvelope(text), trust, { now: NOW, cache }));
    }
    assert.equal(cache.stats().entries, 0);
  });

  const TIME_CHECKS: [string, () => ReturnType<typeof trustOf>, Partial<Parameters<typeof makeRecord>[1]>, Date, string][] = [
    ['record expiry', () => trustOf([{ key: K1 }]), { expiresAt: '2027-07-01T00:00:00Z' }, new Date('2027-07-02T00:00:00Z'), 'EXPIRED'],
    ['key notAfter', () => trustOf([{ key: K1, notAfter: '2027-06-15T00:00:00Z' }]), {}, new Date('2027-06-20T00:00:00Z'), 'KEY_EXPIRED'],
    ['key notBefore', () => trustOf([{ key: K1, notBefore: '2027-05-15T00:00:00Z' }]), {}, new Date('2027-05-01T00:00:00Z'), 'KEY_NOT_YET_VALID'],
  ];
  for (const [name, makeTrust, record, later, code] of TIME_CHECKS) {
    it(`${name} is checked again on a hit (${code})`, () => {
      const cache = new VerificationCache();
      const trust = makeTrust();
      const text = makeEnvelope(makeRecord(SOURCE, record));
      assert.equal(verifyEnvelope(decodeEnvelope(text), trust, { now: NOW, cache }).cached, false);
      assert.throws(() => verifyEnvelope(decodeEnvelope(text), trust, { now: later, cache }), (e: unknown) => e instanceof VerificationError && e.code === code);
      assert.equal(cache.stats().hits, 1, 'the refusal came on a cache hit');
    });
  }

  it('a revocation (a new trust generation) misses the cache and is enforced', () => {
    const cache = new VerificationCache();
    const text = makeEnvelope(makeRecord(SOURCE));
    verifyEnvelope(decodeEnvelope(text), trustOf([{ key: K1 }]), { now: NOW, cache });
    assert.throws(() => verifyEnvelope(decodeEnvelope(text), trustOf([{ key: K1, revoked: true }]), { now: NOW, cache }), (e: unknown) => e instanceof VerificationError && e.code === 'KEY_REVOKED');
  });

  it('a narrowed scope (a new trust generation) is enforced', () => {
    const cache = new VerificationCache();
    const text = makeEnvelope(makeRecord(SOURCE));
    verifyEnvelope(decodeEnvelope(text), trustOf([{ key: K1 }]), { now: NOW, cache });
    assert.throws(() => verifyEnvelope(decodeEnvelope(text), trustOf([{ key: K1, tenants: ['globex'] }]), { now: NOW, cache }), (e: unknown) => e instanceof VerificationError && e.code === 'KEY_OUT_OF_SCOPE');
  });

  it('a trust root reusing a generation with another key does not inherit the entry', () => {
    const cache = new VerificationCache();
    const text = makeEnvelope(makeRecord(SOURCE));
    const real = trustOf([{ key: K1 }]);
    verifyEnvelope(decodeEnvelope(text), real, { now: NOW, cache });
    const impostor = { ...trustOf([{ key: testKey(2) }]), generation: real.generation };
    assert.throws(() => verifyEnvelope(decodeEnvelope(text), impostor, { now: NOW, cache }), (e: unknown) => e instanceof VerificationError && e.code === 'KEY_UNKNOWN');
    // a hand-built root naming another public key under K1's keyid: the cached key must match by bytes
    const other = trustOf([{ key: testKey(2) }]);
    const misnamed = { keys: [{ ...other.keys[0], keyid: keyIdOf(K1.publicKey) } as (typeof other.keys)[number]], threshold: 1, generation: real.generation };
    assert.throws(() => verifyEnvelope(decodeEnvelope(text), misnamed, { now: NOW, cache }), (e: unknown) => e instanceof VerificationError && e.code === 'SIGNATURE_INVALID');
  });

  it('is bounded by entries and by payload bytes, least recently used first', () => {
    const trust = trustOf([{ key: K1 }]);
    const texts = [1, 2, 3, 4].map((version) => makeEnvelope(makeRecord(SOURCE, { version })));
    const byCount = new VerificationCache({ maxEntries: 2 });
    for (const t of texts.slice(0, 2)) verifyEnvelope(decodeEnvelope(t), trust, { now: NOW, cache: byCount });
    verifyEnvelope(decodeEnvelope(texts[0] ?? ''), trust, { now: NOW, cache: byCount }); // touch #1
    verifyEnvelope(decodeEnvelope(texts[2] ?? ''), trust, { now: NOW, cache: byCount }); // evicts #2
    assert.equal(byCount.stats().entries, 2);
    assert.equal(verifyEnvelope(decodeEnvelope(texts[0] ?? ''), trust, { now: NOW, cache: byCount }).cached, true);
    assert.equal(verifyEnvelope(decodeEnvelope(texts[1] ?? ''), trust, { now: NOW, cache: byCount }).cached, false);

    const size = decodeEnvelope(texts[0] ?? '').payload.byteLength;
    const byBytes = new VerificationCache({ maxPayloadBytes: size * 2 + 1 });
    for (const t of texts) verifyEnvelope(decodeEnvelope(t), trust, { now: NOW, cache: byBytes });
    assert.equal(byBytes.stats().entries, 2);
    assert.ok(byBytes.stats().payloadBytes <= size * 2 + 1);
    const tiny = new VerificationCache({ maxPayloadBytes: 10 });
    verifyEnvelope(decodeEnvelope(texts[0] ?? ''), trust, { now: NOW, cache: tiny });
    assert.equal(tiny.stats().entries, 0, 'a record larger than the whole budget is not cached');
  });
});
