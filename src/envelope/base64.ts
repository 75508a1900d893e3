import { EnvelopeError } from './errors.ts';

const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64 in either alphabet (DSSE allows both), with or without padding, and refuses
 * anything that is not the one canonical spelling of its bytes.
 *
 * Buffer's own decoder skips characters it does not know and ignores trailing bits, so two
 * different strings can decode to the same bytes. We refuse those: a signed envelope must have
 * exactly one spelling, or an attacker can change its bytes (and its digest, and any cache key
 * derived from it) without invalidating the signature.
 */
export function decodeBase64(alleged: string, path: string): Uint8Array {
  const unpadded = alleged.endsWith('==') ? alleged.slice(0, -2) : alleged.endsWith('=') ? alleged.slice(0, -1) : alleged;
  const padded = unpadded.length !== alleged.length;
  const standard = STANDARD.test(unpadded);
  if (!standard && !URL_SAFE.test(unpadded)) {
    throw badBase64(path, 'contains characters outside the base64 alphabets (or mixes the standard and URL-safe ones)');
  }
  if (unpadded.length % 4 === 1) throw badBase64(path, 'has an impossible length');
  // padding, when present, must complete the last quantum exactly
  if (padded && alleged.length % 4 !== 0) throw badBase64(path, 'has padding that does not complete a 4-character group');
  const bytes = Buffer.from(unpadded, standard ? 'base64' : 'base64url');
  const canonical = bytes.toString(standard ? 'base64' : 'base64url').replace(/=+$/, '');
  // malleability: non-zero trailing bits would give a second spelling of the same bytes
  if (canonical !== unpadded) throw badBase64(path, 'is not canonical (non-zero trailing bits)');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Standard alphabet with padding: what isoclass writes. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function badBase64(path: string, what: string): EnvelopeError {
  return new EnvelopeError('ENVELOPE_BAD_BASE64', `${path} ${what}; expected standard or URL-safe base64`, {
    details: { path },
  });
}
