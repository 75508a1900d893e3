/** Property tests (fast-check): sign → verify, mutations refused, garbage never crashes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ISOCLASS_PAYLOAD_TYPE, decodeEnvelope, encodeEnvelope } from '../../src/envelope/envelope.ts';
import { EnvelopeError } from '../../src/envelope/errors.ts';
import { serializeRecord } from '../../src/envelope/record.ts';
import { keyPairFromSeed } from '../../src/signing/ed25519.ts';
import { VerificationError } from '../../src/signing/errors.ts';
import { signEnvelope } from '../../src/signing/sign.ts';
import { trustSingleKey } from '../../src/signing/trust.ts';
import { verifyEnvelope, verifyEnvelopeSignatures } from '../../src/signing/verify.ts';
import { makeEnvelope, makeRecord, testKey, testTrust } from '../helpers.ts';

const NOW = new Date('2027-01-01T00:00:00Z');
const RUNS = 100;

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const typeArb = fc.string({ maxLength: 40, unit: 'grapheme' });
const payloadArb = fc.uint8Array({ maxLength: 512 });
const verifierArb = fc.constantFrom('native' as const, 'portable' as const);

function signed(seed: Uint8Array, payloadType: string, payload: Uint8Array) {
  const pair = keyPairFromSeed(seed);
  return { pair, parts: signEnvelope(payloadType, payload, [pair.seed]) };
}

function isTyped(error: unknown): boolean {
  return error instanceof EnvelopeError || error instanceof VerificationError;
}

describe('properties: signatures', () => {
  it('sign → verify holds for any key, payload type and payload bytes, on both verifiers', () => {
    fc.assert(
      fc.property(seedArb, typeArb, payloadArb, verifierArb, (seed, payloadType, payload, verifier) => {
        const { pair, parts } = signed(seed, payloadType, payload);
        const decoded = decodeEnvelope(encodeEnvelope(parts));
        const signers = verifyEnvelopeSignatures(decoded, trustSingleKey(pair.publicKey), verifier);
        assert.equal(signers.length, 1);
      }),
      { numRuns: RUNS },
    );
  });

  it('sign → verify holds for records with any JSON params', () => {
    fc.assert(
      fc.property(seedArb, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), fc.integer({ min: 1, max: 1e9 }), (seed, params, version) => {
        const pair = keyPairFromSeed(seed);
        const record = makeRecord('export default class P {}\n', { params: params as never, version });
        const verified = verifyEnvelope(decodeEnvelope(makeEnvelope(record, [pair])), trustSingleKey(pair.publicKey), { now: NOW });
        assert.deepEqual(verified.record, JSON.parse(new TextDecoder().decode(serializeRecord(record))));
      }),
      { numRuns: 50 },
    );
  });

  it('any change of the payload, the payload type or the signature is refused', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('payload' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('append' as const), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('type' as const), other: typeArb }),
      fc.record({ kind: fc.constant('signature' as const), at: fc.integer({ min: 0, max: 63 }), bit: fc.integer({ min: 0, max: 7 }) }),
    );
    fc.assert(
      fc.property(seedArb, typeArb, payloadArb, mutation, verifierArb, (seed, payloadType, payload, m, verifier) => {
        const { pair, parts } = signed(seed, payloadType, payload);
        let changed = parts;
        if (m.kind === 'payload') {
          fc.pre(payload.length > 0);
          const p = Uint8Array.from(payload);
          p[m.at % p.length] = (p[m.at % p.length] ?? 0) ^ (1 << m.bit);
          changed = { ...parts, payload: p };
        } else if (m.kind === 'append') {
          changed = { ...parts, payload: Uint8Array.from([...payload, m.byte]) };
        } else if (m.kind === 'type') {
          fc.pre(m.other !== payloadType);
          changed = { ...parts, payloadType: m.other };
        } else {
          const sig = Uint8Array.from(parts.signatures[0]?.sig ?? []);
          sig[m.at] = (sig[m.at] ?? 0) ^ (1 << m.bit);
          changed = { ...parts, signatures: [{ keyid: parts.signatures[0]?.keyid, sig }] };
        }
        assert.throws(
          () => verifyEnvelopeSignatures(decodeEnvelope(encodeEnvelope(changed)), trustSingleKey(pair.publicKey), verifier),
          (e: unknown) => e instanceof VerificationError && (e.code === 'SIGNATURE_INVALID' || e.code === 'SIGNATURE_MALLEABLE'),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe('properties: hostile input never crashes the host', () => {
  const trust = testTrust();
  const load = (input: Uint8Array | string) => verifyEnvelope(decodeEnvelope(input), trust, { now: NOW });

  it('random bytes give a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        assert.throws(() => load(bytes), isTyped);
      }),
      { numRuns: 500 },
    );
  });

  it('random JSON, and envelope-shaped JSON with random fields, give a typed error', () => {
    const base64ish = fc.oneof(fc.base64String({ maxLength: 120 }), fc.string({ maxLength: 40 }));
    const envelopeish = fc.record(
      {
        payloadType: fc.oneof(fc.constant(ISOCLASS_PAYLOAD_TYPE), fc.jsonValue({ maxDepth: 1 })),
        payload: fc.oneof(base64ish, fc.jsonValue({ maxDepth: 1 })),
        signatures: fc.oneof(
          fc.array(fc.record({ keyid: fc.oneof(fc.string({ maxLength: 64 }), fc.jsonValue({ maxDepth: 1 })), sig: fc.oneof(base64ish, fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }), { maxLength: 20 }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), envelopeish), (value) => {
        assert.throws(() => load(JSON.stringify(value) ?? 'undefined'), isTyped);
      }),
      { numRuns: 500 },
    );
  });

  it('every truncation of a signed envelope gives an EnvelopeError', () => {
    const text = makeEnvelope(makeRecord('export default class T {}\n'), [testKey()]);
    for (let length = 0; length < text.length; length++) {
      assert.throws(() => load(text.slice(0, length)), (e: unknown) => e instanceof EnvelopeError, `truncated to ${length}`);
    }
    assert.equal(load(text).record.identifier, 'test-component');
  });

  it('a signed payload that is not a record gives an EnvelopeError, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.jsonValue({ maxDepth: 3 }).map((v) => new TextEncoder().encode(JSON.stringify(v) ?? ''))), (payload) => {
        const text = encodeEnvelope(signEnvelope(ISOCLASS_PAYLOAD_TYPE, payload, [testKey().seed]));
        assert.throws(() => load(text), (e: unknown) => e instanceof EnvelopeError);
      }),
      { numRuns: 150 },
    );
  });
});
