import { sha256Hex } from '../envelope/record.ts';
import { UsageError } from '../errors.ts';
import { PUBLIC_KEY_BYTES, SECRET_SEED_BYTES, SPKI_PREFIX, isStrictPublicKey, keyPairFromSeed, spkiFromRaw } from './ed25519.ts';

/**
 * Key files are PEM, the formats OpenSSL and every other tool read:
 * `<prefix>.pub` is an SPKI public key, `<prefix>.key` a PKCS#8 private key (RFC 8410).
 * `openssl pkey -in dev.key -pubout` gives back `dev.pub`.
 */

/** PKCS#8 PrivateKeyInfo header for an Ed25519 seed (RFC 8410 section 7). */
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * The key id: sha256 (hex) of the DER SubjectPublicKeyInfo, so anyone can recompute it from the
 * public key alone (`openssl pkey -pubin -in k.pub -outform DER | sha256sum`). Envelopes carry
 * it only as a hint: trust always comes from the key itself.
 */
export function keyIdOf(publicKey: Uint8Array): string {
  return sha256Hex(spkiFromRaw(publicKey));
}

export function formatPublicKeyPem(publicKey: Uint8Array): string {
  return pem('PUBLIC KEY', spkiFromRaw(publicKey));
}

export function formatSecretKeyPem(seed: Uint8Array): string {
  const der = new Uint8Array(PKCS8_PREFIX.length + seed.length);
  der.set(PKCS8_PREFIX, 0);
  der.set(seed, PKCS8_PREFIX.length);
  return pem('PRIVATE KEY', der);
}

/** Parses an Ed25519 public key PEM; refuses any other key type and weak keys. */
export function parsePublicKeyPem(text: string, source: string): Uint8Array {
  const der = unpem(text, 'PUBLIC KEY', source);
  const raw = stripPrefix(der, SPKI_PREFIX, PUBLIC_KEY_BYTES, source, 'an Ed25519 SubjectPublicKeyInfo');
  // weak keys: small-order or non-canonical keys let one signature match many messages
  if (!isStrictPublicKey(raw)) {
    throw new UsageError('USAGE_KEY_INVALID', `${source} holds a small-order or non-canonical Ed25519 public key; generate a new key`);
  }
  return raw;
}

/** Parses an Ed25519 PKCS#8 private key PEM into its 32-byte seed. */
export function parseSecretKeyPem(text: string, source: string): Uint8Array {
  const der = unpem(text, 'PRIVATE KEY', source);
  const seed = stripPrefix(der, PKCS8_PREFIX, SECRET_SEED_BYTES, source, 'an Ed25519 PKCS#8 private key');
  keyPairFromSeed(seed); // any 32 bytes are a valid seed; this only asserts the length
  return seed;
}

export function looksLikePem(text: string): boolean {
  return /^\s*-----BEGIN [A-Z ]+-----/.test(text);
}

function pem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function unpem(text: string, label: string, source: string): Uint8Array {
  const match = new RegExp(`^\\s*-----BEGIN ${label}-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+)-----END ${label}-----\\s*$`).exec(text);
  if (match === null) {
    throw new UsageError('USAGE_KEY_INVALID', `${source} is not a PEM "${label}" file (expected -----BEGIN ${label}-----); use a key made by "isoclass keygen"`);
  }
  return new Uint8Array(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

function stripPrefix(der: Uint8Array, prefix: Uint8Array, bodyLength: number, source: string, what: string): Uint8Array {
  const ok = der.length === prefix.length + bodyLength && prefix.every((b, i) => der[i] === b);
  if (!ok) throw new UsageError('USAGE_KEY_INVALID', `${source} is not ${what}; isoclass keys are Ed25519 only`);
  return der.slice(prefix.length);
}
