/**
 * The verify stage against hostile envelopes and trust files: one row per attack, each failing
 * if the check that stops it is removed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ISOCLASS_PAYLOAD_TYPE, decodeEnvelope, encodeEnvelope } from '../../src/envelope/envelope.ts';
import { EnvelopeError } from '../../src/envelope/errors.ts';
import { serializeRecord, type ComponentRecord } from '../../src/envelope/record.ts';
import type { Ed25519KeyPair } from '../../src/signing/ed25519.ts';
import { VerificationError } from '../../src/signing/errors.ts';
import { keyIdOf } from '../../src/signing/keys.ts';
import { signEnvelope } from '../../src/signing/sign.ts';
import type { TrustRoot } from '../../src/signing/trust.ts';
import { verifyEnvelope } from '../../src/signing/verify.ts';
import { makeRecord, testKey } from '../helpers.ts';
import { trustOf } from './trust-fixtures.ts';

const SOURCE = 'export default class C {}\n';
const NOW = new Date('2027-06-01T12:00:00Z');
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const K1 = testKey(1);
const K2 = testKey(2);
const K3 = testKey(3);
const STRANGER = testKey(99);

interface EnvelopeSpec {
  readonly record?: Partial<ComponentRecord>;
  readonly payload?: Uint8Array;
  readonly signers?: readonly Ed25519KeyPair[];
  readonly signedType?: string;
  readonly claimedType?: string;
  /** Rewrites the signature entries after signing. */
  readonly signatures?: (sigs: { keyid: string | undefined; sig: Uint8Array }[]) => { keyid: string | undefined; sig: Uint8Array }[];
}

function envelope(spec: EnvelopeSpec = {}): string {
  const payload = spec.payload ?? serializeRecord(makeRecord(SOURCE, spec.record ?? {}));
  const signed = signEnvelope(spec.signedType ?? ISOCLASS_PAYLOAD_TYPE, payload, (spec.signers ?? [K1]).map((k) => k.seed));
  const signatures = spec.signatures ? spec.signatures(signed.signatures.map((s) => ({ ...s }))) : signed.signatures;
  return encodeEnvelope({ payloadType: spec.claimedType ?? signed.payloadType, payload, signatures });
}

function addL(sig: Uint8Array): Uint8Array {
  const out = Uint8Array.from(sig);
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(out[i] ?? 0);
  s += L;
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

interface Row {
  readonly attack: string;
  readonly trust: TrustRoot;
  readonly envelope: string;
  readonly now?: Date;
  /** An error code, or the signer keyids of a successful verification. */
  readonly expect: string | readonly Ed25519KeyPair[];
}

const ROWS: Row[] = [
  { attack: 'baseline: a trusted key signs', trust: trustOf([{ key: K1 }]), envelope: envelope(), expect: [K1] },
  { attack: 'unknown signer', trust: trustOf([{ key: K1 }]), envelope: envelope({ signers: [STRANGER] }), expect: 'KEY_UNKNOWN' },
  {
    attack: 'unknown signer claiming a trusted keyid',
    trust: trustOf([{ key: K1 }]),
    envelope: envelope({ signers: [STRANGER], signatures: (s) => s.map((x) => ({ ...x, keyid: keyIdOf(K1.publicKey) })) }),
    expect: 'SIGNATURE_INVALID',
  },
  {
    attack: 'keyid hint naming another trusted key does not help a forged signature',
    trust: trustOf([{ key: K1 }, { key: K2 }]),
    envelope: envelope({ signers: [STRANGER], signatures: (s) => s.map((x) => ({ ...x, keyid: undefined })) }),
    expect: 'SIGNATURE_INVALID',
  },
  {
    attack: 'no keyid hint: the key is found by trying trusted keys',
    trust: trustOf([{ key: K2 }, { key: K1 }]),
    envelope: envelope({ signatures: (s) => s.map((x) => ({ ...x, keyid: undefined })) }),
    expect: [K1],
  },
  {
    attack: 'payload changed after signing',
    trust: trustOf([{ key: K1 }]),
    envelope: envelope({ payload: serializeRecord(makeRecord(SOURCE)), signatures: (s) => s }).replace(/"payload":"./, (m) => m.slice(0, -1) + (m.endsWith('e') ? 'f' : 'e')),
    expect: 'SIGNATURE_INVALID',
  },
  {
    attack: 'payload type swapped after signing',
    trust: trustOf([{ key: K1 }]),
    envelope: envelope({ signedType: 'application/vnd.other+json' }),
    expect: 'ENVELOPE_PAYLOAD_TYPE',
  },
  {
    attack: 'payload type claimed differs from the signed one',
    trust: trustOf([{ key: K1 }]),
    envelope: envelope({ signedType: 'application/vnd.other+json', claimedType: ISOCLASS_PAYLOAD_TYPE }),
    expect: 'SIGNATURE_INVALID',
  },
  {
    attack: 'type confusion: a validly signed foreign document is refused before its body is parsed',
    trust: trustOf([{ key: K1 }]),
    envelope: envelope({ signedType: 'application/vnd.in-toto+json', payload: new TextEncoder().encode('not json at all') }),
    expect: 'ENVELOPE_PAYLOAD_TYPE',
  },
  {
    attack: 'verify before parse: an unsigned garbage payload is a signature error, not a parse error',
    trust: trustOf([{ key: K1 }]),
    envelope: envelope({ signers: [STRANGER], payload: new TextEncoder().encode('{"__proto__": ') }),
    expect: 'KEY_UNKNOWN',
  },
  {
    attack: 'malleability: S + L',
    trust: trustOf([{ key: K1 }]),
    envelope: envelope({ signatures: (s) => s.map((x) => ({ ...x, sig: addL(x.sig) })) }),
    expect: 'SIGNATURE_MALLEABLE',
  },
  { attack: 'revoked key', trust: trustOf([{ key: K1, revoked: true }]), envelope: envelope(), expect: 'KEY_REVOKED' },
  { attack: 'key not yet valid', trust: trustOf([{ key: K1, notBefore: '2027-07-01T00:00:00Z' }]), envelope: envelope(), expect: 'KEY_NOT_YET_VALID' },
  { attack: 'retired key', trust: trustOf([{ key: K1, notAfter: '2027-05-01T00:00:00Z' }]), envelope: envelope(), expect: 'KEY_EXPIRED' },
  { attack: 'key inside its window', trust: trustOf([{ key: K1, notBefore: '2027-01-01T00:00:00Z', notAfter: '2028-01-01T00:00:00Z' }]), envelope: envelope(), expect: [K1] },
  { attack: 'cross-tenant signing', trust: trustOf([{ key: K1, tenants: ['globex'] }]), envelope: envelope({ record: { tenant: 'acme' } }), expect: 'KEY_OUT_OF_SCOPE' },
  { attack: 'tenant in scope', trust: trustOf([{ key: K1, tenants: ['globex', 'acme'] }]), envelope: envelope({ record: { tenant: 'acme' } }), expect: [K1] },
  { attack: 'identifier outside the glob', trust: trustOf([{ key: K1, identifiers: ['billing/*'] }]), envelope: envelope({ record: { identifier: 'payroll/x' } }), expect: 'KEY_OUT_OF_SCOPE' },
  { attack: 'identifier inside the glob', trust: trustOf([{ key: K1, identifiers: ['billing/*'] }]), envelope: envelope({ record: { identifier: 'billing/invoice' } }), expect: [K1] },
  { attack: 'a glob "." is a literal dot, not a regex wildcard', trust: trustOf([{ key: K1, identifiers: ['billing.v?'] }]), envelope: envelope({ record: { identifier: 'billingXv2' } }), expect: 'KEY_OUT_OF_SCOPE' },
  { attack: 'record expired', trust: trustOf([{ key: K1 }]), envelope: envelope({ record: { expiresAt: '2027-06-01T11:59:59Z' } }), expect: 'EXPIRED' },
  { attack: 'record expiring exactly now', trust: trustOf([{ key: K1 }]), envelope: envelope({ record: { expiresAt: '2027-06-01T12:00:00Z' } }), expect: 'EXPIRED' },
  { attack: 'record not yet expired', trust: trustOf([{ key: K1 }]), envelope: envelope({ record: { expiresAt: '2027-06-01T12:00:01Z' } }), expect: [K1] },
  { attack: 'threshold 2, one signature', trust: trustOf([{ key: K1 }, { key: K2 }], 2), envelope: envelope({ signers: [K1] }), expect: 'THRESHOLD_NOT_MET' },
  { attack: 'threshold 2, one key signing twice', trust: trustOf([{ key: K1 }, { key: K2 }], 2), envelope: envelope({ signers: [K1, K1] }), expect: 'THRESHOLD_NOT_MET' },
  {
    attack: 'threshold 2, one key twice without hints',
    trust: trustOf([{ key: K1 }, { key: K2 }], 2),
    envelope: envelope({ signers: [K1, K1], signatures: (s) => s.map((x) => ({ ...x, keyid: undefined })) }),
    expect: 'THRESHOLD_NOT_MET',
  },
  { attack: 'threshold 2, a trusted and an unknown key', trust: trustOf([{ key: K1 }, { key: K2 }], 2), envelope: envelope({ signers: [K1, STRANGER] }), expect: 'THRESHOLD_NOT_MET' },
  { attack: 'threshold 2, two distinct keys', trust: trustOf([{ key: K1 }, { key: K2 }, { key: K3 }], 2), envelope: envelope({ signers: [K3, K1] }), expect: [K3, K1] },
  { attack: 'threshold 2, one of the two keys revoked', trust: trustOf([{ key: K1 }, { key: K2, revoked: true }, { key: K3 }], 2), envelope: envelope({ signers: [K1, K2] }), expect: 'KEY_REVOKED' },
  { attack: 'threshold 2, one of the two keys out of scope', trust: trustOf([{ key: K1 }, { key: K2, tenants: ['globex'] }], 2), envelope: envelope({ signers: [K1, K2] }), expect: 'KEY_OUT_OF_SCOPE' },
  {
    attack: 'threshold 1 with one good and one tampered signature (DSSE: failing signatures are skipped)',
    trust: trustOf([{ key: K1 }, { key: K2 }]),
    envelope: envelope({ signers: [K1, K2], signatures: (s) => s.map((x, i) => (i === 1 ? { ...x, sig: Uint8Array.from(x.sig, (b, j) => (j === 5 ? b ^ 1 : b)) } : x)) }),
    expect: [K1],
  },
];

describe('verifyEnvelope: attacks, one row each', () => {
  for (const row of ROWS) {
    for (const verifier of ['native', 'portable'] as const) {
      it(`${row.attack} (${verifier}) → ${typeof row.expect === 'string' ? row.expect : 'verified'}`, () => {
        const run = () => verifyEnvelope(decodeEnvelope(row.envelope), row.trust, { now: row.now ?? NOW, verifier });
        if (typeof row.expect === 'string') {
          assert.throws(run, (e: unknown) => {
            assert.ok(e instanceof VerificationError || e instanceof EnvelopeError, `typed error, got ${String(e)}`);
            assert.equal(e.code, row.expect);
            assert.ok(e.message.length > 20, 'the message says what failed');
            return true;
          });
        } else {
          assert.deepEqual(run().signers, row.expect.map((k) => keyIdOf(k.publicKey)));
        }
      });
    }
  }
});

describe('verifyEnvelope: key rotation by listing old and new keys side by side', () => {
  const trust = trustOf([
    { key: K1, notAfter: '2027-06-30T00:00:00Z', identifiers: ['*'] },
    { key: K2, notBefore: '2027-06-15T00:00:00Z' },
  ]);
  const cases: [string, Ed25519KeyPair, string, string | null][] = [
    ['old key before the overlap', K1, '2027-06-01T00:00:00Z', null],
    ['new key before its window opens', K2, '2027-06-01T00:00:00Z', 'KEY_NOT_YET_VALID'],
    ['old key during the overlap', K1, '2027-06-20T00:00:00Z', null],
    ['new key during the overlap', K2, '2027-06-20T00:00:00Z', null],
    ['old key after it retired', K1, '2027-07-01T00:00:00Z', 'KEY_EXPIRED'],
    ['new key after the rotation', K2, '2027-07-01T00:00:00Z', null],
  ];
  for (const [name, key, at, code] of cases) {
    it(`${name}: ${code ?? 'verified'}`, () => {
      const run = () => verifyEnvelope(decodeEnvelope(envelope({ signers: [key] })), trust, { now: new Date(at) });
      if (code === null) assert.deepEqual(run().signers, [keyIdOf(key.publicKey)]);
      else assert.throws(run, (e: unknown) => e instanceof VerificationError && e.code === code);
    });
  }
});

describe('verifyEnvelope: limits and errors', () => {
  it('bounds the signature checks of hint-less signatures against a large trust file', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ key: testKey(10 + i) }));
    const trust = trustOf([...many, { key: K1 }]);
    const text = envelope({ signers: Array.from({ length: 16 }, () => STRANGER), signatures: (s) => s.map((x) => ({ ...x, keyid: undefined })) });
    assert.throws(
      () => verifyEnvelope(decodeEnvelope(text), trust, { now: NOW, limits: { maxSignatureChecks: 64 } }),
      (e: unknown) => e instanceof VerificationError && e.code === 'SIGNATURE_INVALID' && /used up its 64 signature checks/.test(e.message),
    );
    const found = envelope({ signatures: (s) => s.map((x) => ({ ...x, keyid: undefined })) });
    assert.throws(() => verifyEnvelope(decodeEnvelope(found), trust, { now: NOW, limits: { maxSignatureChecks: 8 } }), (e: unknown) => e instanceof VerificationError);
    assert.deepEqual(verifyEnvelope(decodeEnvelope(found), trust, { now: NOW }).signers, [keyIdOf(K1.publicKey)]);
  });

  it('names the key and the time in key-window errors', () => {
    const trust = trustOf([{ key: K1, notAfter: '2027-05-01T00:00:00Z' }]);
    assert.throws(
      () => verifyEnvelope(decodeEnvelope(envelope()), trust, { now: NOW }),
      (e: unknown) => e instanceof VerificationError && e.message.includes(keyIdOf(K1.publicKey)) && e.message.includes('2027-05-01T00:00:00.000Z') && e.message.includes('2027-06-01T12:00:00.000Z'),
    );
  });

  it('returns a deeply frozen record and the payload digest', () => {
    const verified = verifyEnvelope(decodeEnvelope(envelope({ record: { params: { nested: { a: 1 } } } })), trustOf([{ key: K1 }]), { now: NOW });
    assert.ok(Object.isFrozen(verified.record) && Object.isFrozen(verified.record.params) && Object.isFrozen(verified.record.params['nested']));
    assert.match(verified.payloadDigest, /^[0-9a-f]{64}$/);
    assert.equal(verified.cached, false);
  });
});
