import { createHash } from 'node:crypto';
import { formatViolations, schemaChecker } from '../json-schema.ts';
import { isStrictPublicKey } from './ed25519.ts';
import { VerificationError } from './errors.ts';
import { keyIdOf, looksLikePem, parsePublicKeyPem } from './keys.ts';

/** One key a loader accepts signatures from, and what it may sign. */
export interface TrustedKey {
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
  const keyid = keyIdOf(publicKey);
  return {
    keys: [{ keyid, publicKey, tenants: ['*'], identifiers: ['*'], notBefore: undefined, notAfter: undefined, revoked: false }],
    threshold: 1,
    generation: `key:${keyid}`,
  };
}

const checkTrustSchema = schemaChecker(new URL('../../schemas/trust.schema.json', import.meta.url));

interface TrustKeyJson {
  keyid: string;
  publicKey: string;
  tenants: string[];
  identifiers: string[];
  notBefore?: string | null;
  notAfter?: string | null;
  revoked?: boolean;
  comment?: string;
}

export interface TrustFileJson {
  $schema?: string;
  version: 1;
  threshold?: number;
  keys: TrustKeyJson[];
}

/** Reads a trust document: a PEM public key (trust that key for everything) or a trust file. */
export function parseTrust(text: string, source: string): TrustRoot {
  if (looksLikePem(text)) return trustSingleKey(parsePublicKeyPem(text, source));
  let allegedTrust: unknown;
  try {
    allegedTrust = JSON.parse(text);
  } catch (cause) {
    throw trustInvalid(source, `is neither a PEM public key nor JSON (${(cause as Error).message})`);
  }
  const violations = checkTrustSchema(allegedTrust, 'trust');
  if (violations.length > 0) throw trustInvalid(source, formatViolations(violations));
  const file = allegedTrust as TrustFileJson;
  const seen = new Set<string>();
  const keys = file.keys.map((k, i) => {
    const path = `trust.keys[${i}]`;
    const publicKey = new Uint8Array(Buffer.from(k.publicKey, 'base64'));
    if (!isStrictPublicKey(publicKey)) throw trustInvalid(source, `${path}.publicKey is a small-order or non-canonical Ed25519 key`);
    // key substitution: a keyid that names another key would misattribute every signature
    if (keyIdOf(publicKey) !== k.keyid) throw trustInvalid(source, `${path}.keyid does not match its publicKey (expected ${keyIdOf(publicKey)})`);
    // a key listed twice must not count twice toward the threshold
    if (seen.has(k.keyid)) throw trustInvalid(source, `${path} lists key ${k.keyid} a second time`);
    seen.add(k.keyid);
    const notBefore = optionalDate(k.notBefore, `${path}.notBefore`, source);
    const notAfter = optionalDate(k.notAfter, `${path}.notAfter`, source);
    if (notBefore !== undefined && notAfter !== undefined && notAfter <= notBefore) {
      throw trustInvalid(source, `${path}.notAfter is not after notBefore`);
    }
    return { keyid: k.keyid, publicKey, tenants: k.tenants, identifiers: k.identifiers, notBefore, notAfter, revoked: k.revoked ?? false };
  });
  const threshold = file.threshold ?? 1;
  const usable = keys.filter((k) => !k.revoked).length;
  if (threshold > usable) {
    throw trustInvalid(source, `trust.threshold is ${threshold} but only ${usable} unrevoked keys are listed; no envelope could ever verify`);
  }
  return { keys, threshold, generation: createHash('sha256').update(text).digest('hex') };
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

/** `*` matches any run of characters, `?` exactly one; everything else matches itself. */
export function globMatches(glob: string, value: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\/-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 's').test(value);
}

export function keyCovers(key: TrustedKey, tenant: string, identifier: string): boolean {
  const tenantOk = key.tenants.includes('*') || key.tenants.includes(tenant);
  return tenantOk && key.identifiers.some((glob) => globMatches(glob, identifier));
}
