/**
 * DSSE conformance: the spec's PAE example and the DSSE project's test vectors
 * (test/vectors/dsse-vectors.json; sources in test/vectors/README.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeEnvelope } from '../../src/envelope/envelope.ts';
import { preAuthEncoding } from '../../src/envelope/pae.ts';
import { keyPairFromSeed, signEd25519 } from '../../src/signing/ed25519.ts';
import { VerificationError } from '../../src/signing/errors.ts';
import { keyIdOf } from '../../src/signing/keys.ts';
import type { TrustRoot } from '../../src/signing/trust.ts';
import { verifyEnvelopeSignatures } from '../../src/signing/verify.ts';

interface DsseVectors {
  keys: Record<string, { seed: string; public: string }>;
  paeExample: { payloadType: string; body: string; pae: string };
  vectors: {
    id: string;
    envelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
    trustedKeys: string[];
    threshold: number;
    supportedPayloadTypes: string[];
    pae: string;
    expect: 'accept' | 'reject';
  }[];
}
const file = JSON.parse(readFileSync(new URL('../vectors/dsse-vectors.json', import.meta.url), 'utf8')) as DsseVectors;
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const publicKeyOf = (name: string): Uint8Array => hex(file.keys[name]?.public ?? '');

function trustOf(names: readonly string[], threshold: number): TrustRoot {
  return {
    keys: names.map((name) => ({ keyid: keyIdOf(publicKeyOf(name)), publicKey: publicKeyOf(name), tenants: ['*'], identifiers: ['*'], notBefore: undefined, notAfter: undefined, revoked: false })),
    threshold,
    generation: `dsse-vectors:${names.join(',')}:${threshold}`,
  };
}

/** DSSE's verification: decode, signatures by >= t distinct trusted keys, supported type. */
function dsseVerdict(v: DsseVectors['vectors'][number], verifier: 'native' | 'portable'): 'accept' | 'reject' {
  // DSSE leaves keyid semantics to the application; isoclass's hint is the sha256 keyid.
  const envelope = {
    ...v.envelope,
    signatures: v.envelope.signatures.map((s) => (s.keyid === undefined ? s : { ...s, keyid: keyIdOf(publicKeyOf(s.keyid)) })),
  };
  const decoded = decodeEnvelope(JSON.stringify(envelope));
  let signers;
  try {
    signers = verifyEnvelopeSignatures(decoded, trustOf(v.trustedKeys, v.threshold), verifier);
  } catch (error) {
    assert.ok(error instanceof VerificationError, `typed error, got ${String(error)}`);
    return 'reject';
  }
  if (signers.length < v.threshold) return 'reject';
  return v.supportedPayloadTypes.includes(decoded.payloadType) ? 'accept' : 'reject';
}

describe('DSSE PAE', () => {
  it('matches the protocol.md example byte for byte', () => {
    const { payloadType, body, pae } = file.paeExample;
    assert.equal(Buffer.from(preAuthEncoding(payloadType, new TextEncoder().encode(body))).toString('utf8'), pae);
  });

  it('counts bytes, not characters, and writes LEN in decimal without leading zeros', () => {
    assert.equal(Buffer.from(preAuthEncoding('é', new Uint8Array(10))).subarray(0, 14).toString('latin1'), 'DSSEv1 2 \u00c3\u00a9 10');
    assert.equal(Buffer.from(preAuthEncoding('', new Uint8Array(0))).toString('utf8'), 'DSSEv1 0  0 ');
  });

  for (const v of file.vectors) {
    it(`${v.id}: PAE of the signed (type, body) is the vector's`, () => {
      const decoded = decodeEnvelope(JSON.stringify(v.envelope));
      const signedType = v.id === 'payload-type-swapped' ? 'application/vnd.in-toto+json' : decoded.payloadType;
      assert.equal(Buffer.from(preAuthEncoding(signedType, decoded.payload)).toString('hex'), v.pae);
    });
  }
});

describe('DSSE test vectors, both verifiers', () => {
  for (const v of file.vectors) {
    it(`${v.id}: ${v.expect}`, () => {
      assert.equal(dsseVerdict(v, 'native'), v.expect, 'native');
      assert.equal(dsseVerdict(v, 'portable'), v.expect, 'portable');
    });
  }

  it('every vector signature is what RFC 8032 signing gives (the vectors are transcribed right)', () => {
    for (const v of file.vectors) {
      const decoded = decodeEnvelope(JSON.stringify(v.envelope));
      const signedType = v.id === 'payload-type-swapped' ? 'application/vnd.in-toto+json' : decoded.payloadType;
      const pae = preAuthEncoding(signedType, decoded.payload);
      decoded.signatures.forEach((s, i) => {
        const name = v.envelope.signatures[i]?.keyid ?? (i === 0 ? 'A' : 'B');
        const seed = hex(file.keys[name]?.seed ?? '');
        assert.deepEqual(Buffer.from(signEd25519(pae, keyPairFromSeed(seed).seed)), Buffer.from(s.sig), `${v.id} signature ${i}`);
      });
    }
  });
});
