import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';

/**
 * Ed25519 with the strict checks RFC 8032 allows and libsodium applies, identical for both
 * verifiers: tweetnacl (portable, pure JS) and node:crypto (native OpenSSL, ~150x faster).
 * Neither library alone is strict enough, nor are they the same: tweetnacl accepts S >= L,
 * small-order public keys and small-order R, and OpenSSL's rules have changed between
 * versions. So both run behind the same pre-checks, and must agree on every vector.
 *
 * Crypto wrappers never throw on bad input: they return a verdict.
 */

export const PUBLIC_KEY_BYTES = 32;
export const SECRET_SEED_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** Order of the prime-order subgroup. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
/** The field prime. */
const P = 2n ** 255n - 19n;
/** y-coordinates of the order-8 points; their negations are the other order-8 points. */
const Y_ORDER_8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;

export type StrictVerdict = 'valid' | 'invalid' | 'malleable' | 'bad-public-key';

export type VerifierKind = 'native' | 'portable';

/** 32-byte little-endian encoding; only used to build the constants below, once. */
function littleEndianBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

// The checks below compare bytes against these constants rather than converting each input to
// a bigint: they run on every verification and must cost next to nothing beside the curve math.
const L_BYTES = littleEndianBytes(L);
const P_BYTES = littleEndianBytes(P);
/**
 * y-coordinates of every point of small order (1, 2, 4, 8), as libsodium's blocklist, including
 * the non-canonical spellings p and p+1 of 0 and 1 (also refused as non-canonical).
 */
const SMALL_ORDER_Y: readonly Uint8Array[] = [0n, 1n, Y_ORDER_8, P - Y_ORDER_8, P - 1n, P, P + 1n].map(littleEndianBytes);

/** Whether the 32 little-endian bytes at `offset` are below `bound`, the top bit of byte 31 masked when `maskSign`. */
function below(bytes: Uint8Array, offset: number, bound: Uint8Array, maskSign: boolean): boolean {
  for (let i = 31; i >= 0; i--) {
    const raw = bytes[offset + i] ?? 0;
    const byte = maskSign && i === 31 ? raw & 0x7f : raw;
    const limit = bound[i] ?? 0;
    if (byte !== limit) return byte < limit;
  }
  return false;
}

/** Whether the y-coordinate at `offset` (sign bit of x masked) is one of the small-order ones. */
function isSmallOrderY(bytes: Uint8Array, offset: number): boolean {
  for (const y of SMALL_ORDER_Y) {
    let same = true;
    for (let i = 0; i < 32 && same; i++) same = ((i === 31 ? (bytes[offset + i] ?? 0) & 0x7f : (bytes[offset + i] ?? 0)) === y[i]);
    if (same) return true;
  }
  return false;
}

/** A public key we accept: 32 bytes, canonical y, and not of small order. */
export function isStrictPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.byteLength !== PUBLIC_KEY_BYTES) return false;
  // non-canonical encoding: y >= p spells a point a second way
  if (!below(publicKey, 0, P_BYTES, true)) return false;
  // small-order keys: a signature under them verifies for many messages (key substitution)
  return !isSmallOrderY(publicKey, 0);
}

/**
 * The checks that do not need the curve: run before either verifier so that both give the
 * same verdict.
 */
function preCheck(signature: Uint8Array, publicKey: Uint8Array): StrictVerdict | undefined {
  if (signature.byteLength !== SIGNATURE_BYTES) return 'invalid';
  if (!isStrictPublicKey(publicKey)) return 'bad-public-key';
  // malleability: S >= L gives a second valid signature for the same message (S + L)
  if (!below(signature, 32, L_BYTES, false)) return 'malleable';
  // non-canonical or small-order R: alternative spellings of one signature
  if (!below(signature, 0, P_BYTES, true) || isSmallOrderY(signature, 0)) return 'invalid';
  return undefined;
}

export function verifyPortable(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): StrictVerdict {
  const early = preCheck(signature, publicKey);
  if (early !== undefined) return early;
  try {
    return nacl.sign.detached.verify(message, signature, publicKey) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

export const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** DER SubjectPublicKeyInfo of a raw Ed25519 public key (RFC 8410). */
export function spkiFromRaw(publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(SPKI_PREFIX.length + publicKey.length);
  out.set(SPKI_PREFIX, 0);
  out.set(publicKey, SPKI_PREFIX.length);
  return out;
}

const keyObjects = new Map<string, KeyObject>();
const MAX_CACHED_KEY_OBJECTS = 1024; // keys

function nativeKey(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = keyObjects.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(spkiFromRaw(publicKey)), format: 'der', type: 'spki' });
    if (keyObjects.size >= MAX_CACHED_KEY_OBJECTS) keyObjects.clear();
    keyObjects.set(id, key);
  }
  return key;
}

export function verifyNative(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): StrictVerdict {
  const early = preCheck(signature, publicKey);
  if (early !== undefined) return early;
  try {
    return cryptoVerify(null, message, nativeKey(publicKey), signature) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** Whether node:crypto can do Ed25519 here (it can on every Node 24 build we know of). */
export const nativeEd25519Available: boolean = (() => {
  try {
    const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
    const sig = nacl.sign.detached(new Uint8Array([1]), kp.secretKey);
    return cryptoVerify(null, new Uint8Array([1]), nativeKey(kp.publicKey), sig);
  } catch {
    return false;
  }
})();

export function verifyEd25519(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
  kind: VerifierKind = nativeEd25519Available ? 'native' : 'portable',
): StrictVerdict {
  return kind === 'native' ? verifyNative(message, signature, publicKey) : verifyPortable(message, signature, publicKey);
}

export interface Ed25519KeyPair {
  readonly publicKey: Uint8Array;
  /** The 32-byte seed (RFC 8032 private key). */
  readonly seed: Uint8Array;
}

export function generateKeyPair(): Ed25519KeyPair {
  const seed = nacl.randomBytes(SECRET_SEED_BYTES);
  return keyPairFromSeed(seed);
}

export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  const pair = nacl.sign.keyPair.fromSeed(seed);
  return { publicKey: pair.publicKey, seed: Uint8Array.from(seed) };
}

export function signEd25519(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return nacl.sign.detached(message, nacl.sign.keyPair.fromSeed(seed).secretKey);
}
