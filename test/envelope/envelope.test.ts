/** Decoding: DSSE's JSON envelope, strict base64 in both alphabets, limits, typed errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64 } from '../../src/envelope/base64.ts';
import { decodeEnvelope, encodeEnvelope } from '../../src/envelope/envelope.ts';
import { EnvelopeError } from '../../src/envelope/errors.ts';

const SIG = Buffer.alloc(64, 0xfb).toString('base64');
const env = (over: Record<string, unknown> = {}) => JSON.stringify({ payloadType: 't', payload: 'aGVsbG8=', signatures: [{ keyid: 'k', sig: SIG }], ...over });
const code = (c: string) => (e: unknown) => e instanceof EnvelopeError && e.code === c;

describe('decodeBase64', () => {
  const ACCEPT: [string, string][] = [
    ['aGVsbG8=', 'hello'],
    ['aGVsbG8', 'hello'],
    ['', ''],
    ['-_-_Pj8=', '\xfb\xff\xbf\x3e\x3f'],
    ['-_-_Pj8', '\xfb\xff\xbf\x3e\x3f'],
    ['+/+/Pj8=', '\xfb\xff\xbf\x3e\x3f'],
  ];
  for (const [text, bytes] of ACCEPT) {
    it(`accepts ${JSON.stringify(text)}`, () => assert.equal(Buffer.from(decodeBase64(text, 'p')).toString('latin1'), bytes));
  }
  const REFUSE: [string, string][] = [
    ['aGVsbG9=', 'non-zero trailing bits (a second spelling of "hello")'],
    ['aGVsbG8==', 'too much padding'],
    ['aGVs bG8=', 'whitespace'],
    ['aGVs\nbG8=', 'a newline'],
    ['+_-/Pj8=', 'mixed alphabets'],
    ['aGVsbG8=aGVs', 'padding in the middle'],
    ['a', 'an impossible length'],
    ['aGVsbG8=\u0000', 'a NUL'],
    ['aGVsbG8%', 'a character of neither alphabet'],
  ];
  for (const [text, why] of REFUSE) {
    it(`refuses ${JSON.stringify(text)}: ${why}`, () => assert.throws(() => decodeBase64(text, 'envelope.payload'), (e: unknown) => code('ENVELOPE_BAD_BASE64')(e) && /envelope\.payload/.test((e as Error).message)));
  }
});

describe('decodeEnvelope', () => {
  it('ignores unknown top-level fields (DSSE), which are not signed and never read', () => {
    const a = decodeEnvelope(env());
    const b = decodeEnvelope(env({ comment: 'anything', payloadTypeX: 1 }));
    assert.deepEqual([b.payloadType, Buffer.from(b.payload).toString(), b.signatures], [a.payloadType, Buffer.from(a.payload).toString(), a.signatures]);
    assert.notEqual(a.digest, b.digest, 'the digest is of the bytes as received');
  });

  it('accepts several signatures, with or without keyid', () => {
    const d = decodeEnvelope(env({ signatures: [{ keyid: 'a', sig: SIG }, { sig: SIG }, { keyid: '', sig: SIG }] }));
    assert.deepEqual(d.signatures.map((s) => s.keyid), ['a', undefined, undefined]);
  });

  const REFUSE: [string, string | Uint8Array, string, RegExp][] = [
    ['an unknown field in a signature entry', env({ signatures: [{ keyid: 'k', sig: SIG, cert: 'x' }] }), 'ENVELOPE_MALFORMED', /signatures\[0\]\.cert/],
    ['no signatures', env({ signatures: [] }), 'ENVELOPE_MALFORMED', /signatures must be a non-empty array/],
    ['too many signatures', env({ signatures: Array.from({ length: 17 }, () => ({ sig: SIG })) }), 'ENVELOPE_MALFORMED', /over the limit of 16/],
    ['a numeric payloadType', env({ payloadType: 3 }), 'ENVELOPE_MALFORMED', /payloadType/],
    ['a missing payload', JSON.stringify({ payloadType: 't', signatures: [{ sig: SIG }] }), 'ENVELOPE_MALFORMED', /payload/],
    ['a numeric keyid', env({ signatures: [{ keyid: 1, sig: SIG }] }), 'ENVELOPE_MALFORMED', /keyid/],
    ['an array', '[]', 'ENVELOPE_MALFORMED', /JSON object/],
    ['not JSON', '{"payloadType": ', 'ENVELOPE_NOT_JSON', /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'ENVELOPE_NOT_JSON', /UTF-8/],
    ['a non-canonical signature', env({ signatures: [{ sig: SIG.replace(/=+$/, '').slice(0, -1) + 'x==' }] }), 'ENVELOPE_BAD_BASE64', /signatures\[0\]\.sig/],
  ];
  for (const [name, input, expected, message] of REFUSE) {
    it(`refuses ${name} (${expected})`, () => assert.throws(() => decodeEnvelope(input), (e: unknown) => code(expected)(e) && message.test((e as Error).message)));
  }

  it('refuses oversized input before parsing it', () => {
    assert.throws(() => decodeEnvelope(env({ pad: 'x'.repeat(2000) }), { maxEnvelopeBytes: 1000, maxSignatures: 16 }), code('ENVELOPE_TOO_LARGE'));
  });

  it('encodeEnvelope writes one spelling: standard base64, compact JSON, keyid only when present', () => {
    const text = encodeEnvelope({ payloadType: 't', payload: new Uint8Array([0xfb, 0xff]), signatures: [{ keyid: undefined, sig: new Uint8Array(64) }] });
    assert.equal(text, `{"payloadType":"t","payload":"+/8=","signatures":[{"sig":"${Buffer.alloc(64).toString('base64')}"}]}`);
    assert.equal(encodeEnvelope(decodeEnvelope(text)), text);
  });
});
