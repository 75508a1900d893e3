import { encodeBase64 } from '../envelope/base64.ts';
import { VerificationError } from './errors.ts';
import { keyIdOf } from './keys.ts';
import { checkTrustFile, type TrustFileJson, type TrustKeyJson } from './trust.ts';

/**
 * Edits of a trust file, as pure functions from document to document: `isoclass trust` reads,
 * edits, re-checks and atomically writes. Every result passes the same checks as a file a
 * loader reads, so an edit can never produce a file loaders would refuse (or misread).
 */

export const TRUST_SCHEMA_REF = 'https://isoclass.dev/schemas/trust.v1.json';

export function emptyTrustFile(): TrustFileJson {
  return { $schema: TRUST_SCHEMA_REF, version: 1, keys: [] };
}

export interface KeyScope {
  /** Tenants the key may sign for (default: any). */
  readonly tenants?: readonly string[];
  /** Identifier globs the key may sign (default: any). */
  readonly identifiers?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly comment?: string;
}

/** Adds a key; refuses a key already listed (revoked keys stay revoked: re-adding never un-revokes). */
export function addTrustedKey(file: TrustFileJson, publicKey: Uint8Array, scope: KeyScope, source: string): TrustFileJson {
  const keyid = keyIdOf(publicKey);
  const existing = file.keys.find((k) => k.keyid === keyid);
  if (existing !== undefined) {
    // silent un-revocation: adding a revoked key again must not make it trusted
    const state = existing.revoked ? 'is listed as revoked; a revoked key cannot be trusted again (generate a new key)' : 'is already listed; edit its entry or revoke it';
    throw new VerificationError('TRUST_INVALID', `trust file ${source}: key ${keyid} ${state}`, { details: { source, keyid } });
  }
  const entry: TrustKeyJson = {
    keyid,
    publicKey: encodeBase64(publicKey),
    tenants: [...(scope.tenants?.length ? scope.tenants : ['*'])],
    identifiers: [...(scope.identifiers?.length ? scope.identifiers : ['*'])],
    ...(scope.notBefore ? { notBefore: isoSeconds(scope.notBefore) } : {}),
    ...(scope.notAfter ? { notAfter: isoSeconds(scope.notAfter) } : {}),
    ...(scope.comment ? { comment: scope.comment } : {}),
  };
  return checked({ ...file, keys: [...file.keys, entry] }, source);
}

/** Marks a key revoked. It stays listed, so its signatures are refused as KEY_REVOKED. */
export function revokeTrustedKey(file: TrustFileJson, keyid: string, source: string): { file: TrustFileJson; alreadyRevoked: boolean } {
  const index = file.keys.findIndex((k) => k.keyid === keyid);
  if (index < 0) {
    throw new VerificationError('KEY_UNKNOWN', `trust file ${source} lists no key ${keyid}; "isoclass trust list --trust ${source}" shows the keys it lists`, { details: { source, keyid } });
  }
  const key = file.keys[index] as TrustKeyJson;
  if (key.revoked === true) return { file, alreadyRevoked: true };
  const keys = file.keys.map((k, i) => (i === index ? { ...k, revoked: true } : k));
  return { file: checked({ ...file, keys }, source), alreadyRevoked: false };
}

export function serializeTrustFile(file: TrustFileJson): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function checked(file: TrustFileJson, source: string): TrustFileJson {
  checkTrustFile(file, source);
  return file;
}

/** ISO 8601 in UTC without milliseconds when there are none (the schema's form). */
function isoSeconds(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
