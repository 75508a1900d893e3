/**
 * Every single-byte change anywhere in a signed envelope is refused with a typed error — or
 * leaves the signed content exactly as it was (the one such change: a base64 character swapped
 * for its twin in the other DSSE alphabet, which spells the same bytes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEnvelope } from '../../src/envelope/envelope.ts';
import { EnvelopeError } from '../../src/envelope/errors.ts';
import { VerificationError } from '../../src/signing/errors.ts';
import { parseTrust } from '../../src/signing/trust.ts';
import { verifyEnvelope } from '../../src/signing/verify.ts';
import { makeEnvelope, makeRecord, testKey, testTrust } from '../helpers.ts';
import { trustFileText } from './trust-fixtures.ts';

const NOW = new Date('2027-01-01T00:00:00Z');
const TWIN: Record<string, string> = { '+': '-', '-': '+', '/': '_', _: '/' };

function sameContent(a: ReturnType<typeof decodeEnvelope>, b: ReturnType<typeof decodeEnvelope>): boolean {
  const eq = (x: Uint8Array, y: Uint8Array) => Buffer.from(x).equals(Buffer.from(y));
  return (
    a.payloadType === b.payloadType &&
    eq(a.payload, b.payload) &&
    a.signatures.length === b.signatures.length &&
    a.signatures.every((s, i) => s.keyid === b.signatures[i]?.keyid && eq(s.sig, b.signatures[i]?.sig ?? new Uint8Array()))
  );
}

/** Replacement bytes tried at each position: neighbours, case flips, JSON-significant bytes, base64 twins. */
function replacements(byte: number): number[] {
  const set = new Set([byte ^ 0x01, byte ^ 0x20, byte ^ 0x80, 0x20, 0x22, 0x5c, 0x41, 0x30, 0x2b, 0x2f, 0x2d, 0x5f, 0x3d, 0x00]);
  const twin = TWIN[String.fromCharCode(byte)];
  if (twin !== undefined) set.add(twin.charCodeAt(0));
  set.delete(byte);
  return [...set];
}

function checkEveryByte(text: string, verify: (bytes: Uint8Array) => unknown): { refused: number; sameContent: number; accepted: string[] } {
  const original = Buffer.from(text, 'utf8');
  const decodedOriginal = decodeEnvelope(original);
  let refused = 0;
  let same = 0;
  const accepted: string[] = [];
  for (let i = 0; i < original.length; i++) {
    for (const replacement of replacements(original[i] ?? 0)) {
      const mutated = Buffer.from(original);
      mutated[i] = replacement;
      try {
        verify(mutated);
      } catch (error) {
        assert.ok(error instanceof EnvelopeError || error instanceof VerificationError, `byte ${i} -> ${replacement}: untyped ${String(error)}`);
        refused++;
        continue;
      }
      if (sameContent(decodeEnvelope(mutated), decodedOriginal)) same++;
      else accepted.push(`byte ${i} (${JSON.stringify(String.fromCharCode(original[i] ?? 0))}) -> ${JSON.stringify(String.fromCharCode(replacement))}`);
    }
  }
  return { refused, sameContent: same, accepted };
}

describe('every single-byte change of a signed envelope', () => {
  it('one signature: refused, or the same signed content', () => {
    const text = makeEnvelope(makeRecord('export default class C { run(x) { return x + 1; } }\n', { params: { w: 2 } }));
    const trust = testTrust();
    verifyEnvelope(decodeEnvelope(text), trust, { now: NOW });
    const result = checkEveryByte(text, (bytes) => verifyEnvelope(decodeEnvelope(bytes), trust, { now: NOW }));
    assert.deepEqual(result.accepted, []);
    assert.ok(result.refused > text.length * 10, `refused ${result.refused} mutations`);
  });

  it('two signatures under a threshold of two: refused, or the same signed content', () => {
    const k1 = testKey(1);
    const k2 = testKey(2);
    const text = makeEnvelope(makeRecord('export default class D {}\n'), [k1, k2]);
    const trust = parseTrust(trustFileText([{ key: k1 }, { key: k2 }], 2), 'trust.json');
    verifyEnvelope(decodeEnvelope(text), trust, { now: NOW });
    const result = checkEveryByte(text, (bytes) => verifyEnvelope(decodeEnvelope(bytes), trust, { now: NOW }));
    assert.deepEqual(result.accepted, []);
  });
});
