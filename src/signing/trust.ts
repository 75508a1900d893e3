import { sha256Hex } from '../envelope/record.ts';
import { formatViolations, schemaChecker } from '../json-schema.ts';
import { isStrictPublicKey } from './ed25519.ts';
import { VerificationError } from './errors.ts';
import { keyIdOf, looksLikePem, parsePublicKeyPem } from './keys.ts';

/**
 * The trust root: which keys a loader accepts signatures from, and what each may sign.
 * Documented for operators in docs/trust.md; the file format is schemas/trust.schema.json.
 */

/** One key a loader accepts signatures from, and what it may sign. */
export interface TrustedKey {
  /** sha256 (hex) of the key's DER SubjectPublicKeyInfo: derived from the key, never taken on faith. */
  readonly keyid: string;
  readonly publicKey: Uint8Array;
  /** Tenants the key may sign for; `*` is any. */
  readonly tenants: readonly string[];
  /** Globs over identifiers the key may sign. */
  readonly identifiers: readonly string[];
  readonly notBefore: Date | undefined;
  readonly notAfter: Date | undefined;
  readonly revoked: boolean;
}

/** The trusted keys and the rules for using them, checked and immutable. */
export interface TrustRoot {
  readonly keys: readonly TrustedKey[];
  /** Distinct trusted keys that must sign one envelope. */
  readonly threshold: number;
  /** sha256 of the trust document: changes whenever trust changes (verification cache key). */
  readonly generation: string;
}

/** A trust root of one key allowed to sign anything: what `--trust key.pub` means. */
export function trustSingleKey(publicKey: Uint8Array): TrustRoot {
  // weak keys: a small-order key would let one signature match many messages
  if (!isStrictPublicKey(publicKey)) {
    throw new VerificationError('TRUST_INVALID', 'trustSingleKey: the public key is not a strict Ed25519 key (small-order, non-canonical or not 32 bytes); generate a new key');
  }
  const keyid = keyIdOf(publicKey);
  return deepFreeze({
    keys: [{ keyid, publicKey: Uint8Array.from(publicKey), tenants: ['*'], identifiers: ['*'], notBefore: undefined, notAfter: undefined, revoked: false }],
    threshold: 1,
    generation: `key:${keyid}`,
  });
}

const checkTrustSchema = schemaChecker(new URL('../../schemas/trust.schema.json', import.meta.url));

export interface TrustKeyJson {
  keyid: string;
  publicKey: string;
  tenants: string[];
  identifiers: string[];
  notBefore?: string | null;
  notAfter?: string | null;
  revoked?: boolean;
  comment?: string;
}

/** A trust file as JSON (schemas/trust.schema.json). */
export interface TrustFileJson {
  $schema?: string;
  version: 1;
  threshold?: number;
  keys: TrustKeyJson[];
}

/** Reads a trust document: a PEM public key (trust that key for everything) or a trust file. */
export function parseTrust(text: string, source: string): TrustRoot {
  if (looksLikePem(text)) return trustSingleKey(parsePublicKeyPem(text, source));
  const file = parseTrustFile(text, source);
  const keys = file.keys.map((k) => toTrustedKey(k));
  const threshold = file.threshold ?? 1;
  // misconfiguration: a threshold larger than the key list could never be met. Revoked keys
  // still count here on purpose: revoking keys (even all of them) is an emergency stop that
  // must load, so that every envelope is then refused as KEY_REVOKED, naming the key.
  if (threshold > keys.length) {
    throw trustInvalid(source, `trust.threshold is ${threshold} but only ${keys.length} key(s) are listed; no envelope could ever verify (add keys or lower the threshold)`);
  }
  return deepFreeze({ keys, threshold, generation: sha256Hex(text) });
}

/**
 * Parses and checks a trust file without building a root from it: what `isoclass trust`
 * edits. Every per-key rule is enforced here, so an edited file is as strict as a loaded one.
 */
export function parseTrustFile(text: string, source: string): TrustFileJson {
  let allegedTrust: unknown;
  try {
    allegedTrust = JSON.parse(text);
  } catch (cause) {
    throw trustInvalid(source, `is neither a PEM public key nor JSON (${(cause as Error).message})`);
  }
  checkTrustFile(allegedTrust, source);
  return allegedTrust;
}

/** Asserts that an alleged trust document obeys the schema and the rules the schema cannot say. */
export function checkTrustFile(allegedTrust: unknown, source: string): asserts allegedTrust is TrustFileJson {
  const violations = checkTrustSchema(allegedTrust, 'trust');
  if (violations.length > 0) throw trustInvalid(source, formatViolations(violations));
  const file = allegedTrust as TrustFileJson;
  const seen = new Set<string>();
  file.keys.forEach((k, i) => {
    const path = `trust.keys[${i}]`;
    const publicKey = decodePublicKey(k.publicKey);
    // weak keys: a small-order or non-canonical key lets one signature verify for many messages
    if (publicKey === undefined || !isStrictPublicKey(publicKey)) throw trustInvalid(source, `${path}.publicKey is not a strict Ed25519 public key (small-order, non-canonical or badly encoded)`);
    // key substitution: a keyid that names another key would misattribute every signature
    const derived = keyIdOf(publicKey);
    if (derived !== k.keyid) throw trustInvalid(source, `${path}.keyid does not match its publicKey (the keyid of that key is ${derived})`);
    // double counting: a key listed twice must not count twice toward the threshold
    if (seen.has(k.keyid)) throw trustInvalid(source, `${path} lists key ${k.keyid} a second time; list each key once`);
    seen.add(k.keyid);
    const notBefore = optionalDate(k.notBefore, `${path}.notBefore`, source);
    const notAfter = optionalDate(k.notAfter, `${path}.notAfter`, source);
    if (notBefore !== undefined && notAfter !== undefined && notAfter <= notBefore) {
      throw trustInvalid(source, `${path}.notAfter (${k.notAfter}) is not after notBefore (${k.notBefore}); the key could never be used`);
    }
  });
}

function toTrustedKey(k: TrustKeyJson): TrustedKey {
  return {
    keyid: k.keyid,
    publicKey: decodePublicKey(k.publicKey) as Uint8Array,
    tenants: [...k.tenants],
    identifiers: [...k.identifiers],
    notBefore: k.notBefore ? new Date(k.notBefore) : undefined,
    notAfter: k.notAfter ? new Date(k.notAfter) : undefined,
    revoked: k.revoked ?? false,
  };
}

/** Standard base64 of exactly 32 bytes, canonical (the schema pins the alphabet and length). */
function decodePublicKey(base64: string): Uint8Array | undefined {
  const bytes = Buffer.from(base64, 'base64');
  // a second spelling of the key (non-zero trailing bits) is refused like any non-canonical input
  if (bytes.byteLength !== 32 || bytes.toString('base64') !== base64) return undefined;
  return new Uint8Array(bytes);
}

function optionalDate(value: string | null | undefined, path: string, source: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw trustInvalid(source, `${path} is not a real date: ${value}`);
  return date;
}

function trustInvalid(source: string, what: string): VerificationError {
  return new VerificationError('TRUST_INVALID', `trust file ${source}: ${what}`, { details: { source } });
}

const compiledGlobs = new Map<string, RegExp>();
const MAX_COMPILED_GLOBS = 4096; // globs

/** `*` matches any run of characters, `?` exactly one; everything else matches itself. */
export function globMatches(glob: string, value: string): boolean {
  let pattern = compiledGlobs.get(glob);
  if (pattern === undefined) {
    const source = glob.replace(/[.+^${}()|[\]\\/-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    pattern = new RegExp(`^${source}$`, 's');
    if (compiledGlobs.size >= MAX_COMPILED_GLOBS) compiledGlobs.clear();
    compiledGlobs.set(glob, pattern);
  }
  return pattern.test(value);
}

/** Whether a key's scope covers (tenant, identifier). */
export function keyCovers(key: TrustedKey, tenant: string, identifier: string): boolean {
  const tenantOk = key.tenants.includes('*') || key.tenants.includes(tenant);
  return tenantOk && key.identifiers.some((glob) => globMatches(glob, identifier));
}

/** Why a key may not be used at `now`, or undefined if it may. */
export function keyUnusableReason(key: TrustedKey, now: Date): 'KEY_REVOKED' | 'KEY_NOT_YET_VALID' | 'KEY_EXPIRED' | undefined {
  if (key.revoked) return 'KEY_REVOKED';
  if (key.notBefore !== undefined && now < key.notBefore) return 'KEY_NOT_YET_VALID';
  if (key.notAfter !== undefined && now > key.notAfter) return 'KEY_EXPIRED';
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value) && !ArrayBuffer.isView(value) && !(value instanceof Date)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
