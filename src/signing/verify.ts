import { ISOCLASS_PAYLOAD_TYPE, type DecodedEnvelope } from '../envelope/envelope.ts';
import { EnvelopeError } from '../envelope/errors.ts';
import { preAuthEncoding } from '../envelope/pae.ts';
import { parseRecord, sha256Hex, type ComponentRecord } from '../envelope/record.ts';
import { verifyEd25519, type StrictVerdict, type VerifierKind } from './ed25519.ts';
import { VerificationError } from './errors.ts';
import { keyCovers, keyUnusableReason, type TrustRoot, type TrustedKey } from './trust.ts';
import type { CachedVerification, VerificationCache } from './verification-cache.ts';

export interface VerifyLimits {
  /**
   * Most Ed25519 verifications one envelope may cost. A signature with a keyid hint costs one;
   * one without a hint is tried against every trusted key, so this bounds what an envelope of
   * hint-less signatures can make us do against a large trust file.
   */
  readonly maxSignatureChecks: number;
}

export const DEFAULT_VERIFY_LIMITS: VerifyLimits = {
  maxSignatureChecks: 64, // Ed25519 verifications per envelope
};

export interface VerifyOptions {
  /** The one reference time for every time check of this load (default: now). */
  readonly now?: Date;
  /** Which Ed25519 implementation checks signatures (default: native when available). */
  readonly verifier?: VerifierKind;
  /** Remembers verified envelopes so a repeat does no signature math (time checks still run). */
  readonly cache?: VerificationCache;
  readonly limits?: VerifyLimits;
}

/** A record whose envelope is signed by enough trusted keys, and who signed it. */
export interface VerifiedRecord {
  /** The record, deeply frozen: it may be shared by every load of the same envelope. */
  readonly record: ComponentRecord;
  /** The distinct trusted, valid, in-scope keys whose signatures verified. */
  readonly signers: readonly string[];
  /** sha256 of the envelope bytes. */
  readonly envelopeDigest: string;
  /** sha256 of the payload bytes: what "the same content" means for equivocation. */
  readonly payloadDigest: string;
  /** Whether the signature work came from the verification cache. */
  readonly cached: boolean;
}

/**
 * Stage 2 of loading. Reads top-down as the checks it makes. Nothing inside the payload is
 * looked at until a trusted key's signature over the PAE encoding has verified and the key is
 * usable now.
 *
 * Ordering note (ARCHITECTURE invariant 1): a key's scope names tenants and identifiers, which
 * live inside the record, so scope can only be checked once the record is parsed. The record is
 * therefore parsed right after the signature and key checks pass — by then its bytes are known
 * to come from a trusted, unrevoked, in-window key — and scope is checked before anything else
 * reads it. Parsing is itself strict (schema, hash), and no field of the record is acted on
 * before `checkScope`.
 */
export function verifyEnvelope(envelope: DecodedEnvelope, trust: TrustRoot, options: VerifyOptions = {}): VerifiedRecord {
  const now = options.now ?? new Date();
  const hit = cachedVerification(envelope, trust, options.cache);
  const verified = hit?.signers ?? verifyEnvelopeSignatures(envelope, trust, options.verifier, options.limits ?? DEFAULT_VERIFY_LIMITS);
  const usable = checkKeyValidity(verified, now, trust.threshold);
  checkPayloadType(envelope.payloadType);
  const record = hit?.entry.record ?? parseVerifiedRecord(envelope.payload);
  const inScope = checkScope(usable, record, trust.threshold);
  checkThreshold(inScope, trust.threshold);
  checkFreshness(record, now);
  const payloadDigest = hit?.entry.payloadDigest ?? sha256Hex(envelope.payload);
  if (hit === undefined) remember(options.cache, trust, envelope, verified, record, payloadDigest);
  return { record, signers: inScope.map((k) => k.keyid), envelopeDigest: envelope.digest, payloadDigest, cached: hit !== undefined };
}

/**
 * The DSSE step alone: the distinct trusted keys whose signatures over PAE(type, payload)
 * verify, whatever the payload type. Throws when there are none. Exported for DSSE
 * conformance tests and for callers that verify other payload types; `verifyEnvelope` is the
 * whole check.
 */
export function verifyEnvelopeSignatures(
  envelope: DecodedEnvelope,
  trust: TrustRoot,
  verifier?: VerifierKind,
  limits: VerifyLimits = DEFAULT_VERIFY_LIMITS,
): TrustedKey[] {
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const signers: TrustedKey[] = [];
  const failures: string[] = [];
  let checks = 0;
  let sawMalleable = false;
  let sawKnownKey = false;
  envelope.signatures.forEach((signature, index) => {
    // The keyid is an unauthenticated hint (DSSE): it only narrows which trusted keys are tried.
    // A hint naming no trusted key makes that signature count for nothing; the key that
    // verifies is always found by its public key, never by what the envelope claims.
    const candidates = signature.keyid === undefined ? trust.keys : trust.keys.filter((k) => k.keyid === signature.keyid);
    if (candidates.length === 0) {
      failures.push(`signatures[${index}] names keyid ${signature.keyid ?? ''}, which is not in the trust root`);
      return;
    }
    sawKnownKey = true;
    let verdict: StrictVerdict = 'invalid';
    for (const key of candidates) {
      // double counting: a key that already signed gains nothing from a second signature
      if (signers.includes(key)) continue;
      // resource exhaustion: hint-less signatures against a large trust file are bounded
      if (checks >= limits.maxSignatureChecks) {
        failures.push(`signatures[${index}] not checked: the envelope used up its ${limits.maxSignatureChecks} signature checks (give keyid hints)`);
        return;
      }
      checks++;
      verdict = verifyEd25519(pae, signature.sig, key.publicKey, verifier);
      if (verdict === 'valid') {
        signers.push(key);
        return;
      }
      sawMalleable ||= verdict === 'malleable';
    }
    failures.push(`signatures[${index}]${signature.keyid === undefined ? '' : ` (keyid ${signature.keyid})`} ${verdict === 'malleable' ? 'is malleable (S >= L)' : 'does not verify'}`);
  });
  if (signers.length > 0) return signers;
  const summary = failures.join('; ');
  // malleability: S >= L is a second spelling of a signature, never made by a correct signer
  if (sawMalleable) {
    throw new VerificationError('SIGNATURE_MALLEABLE', `envelope signature refused: ${summary}; re-sign with a correct Ed25519 implementation`, { details: { failures } });
  }
  // unknown signer: only keys in the trust root can vouch for code
  if (!sawKnownKey) {
    throw new VerificationError('KEY_UNKNOWN', `no signature is by a trusted key: ${summary}; add the signer's public key to the trust file if it should be trusted`, {
      details: { keyids: envelope.signatures.map((s) => s.keyid ?? null) },
    });
  }
  // forgery or tampering: the payload or its type changed after signing
  throw new VerificationError('SIGNATURE_INVALID', `no signature verifies against a trusted key: ${summary}; the payload or its type changed after signing`, {
    details: { failures },
  });
}

function checkKeyValidity(keys: readonly TrustedKey[], now: Date, threshold: number): TrustedKey[] {
  const usable = keys.filter((k) => keyUnusableReason(k, now) === undefined);
  // with enough usable keys the threshold can still be met; otherwise name why keys were refused
  if (usable.length >= Math.min(threshold, keys.length) && usable.length > 0) return usable;
  const refused = keys.filter((k) => !usable.includes(k));
  const first = refused[0] as TrustedKey;
  const reason = keyUnusableReason(first, now);
  const all = refused.map((k) => `${k.keyid} ${describeUnusable(k, now)}`).join('; ');
  const details = { keyids: refused.map((k) => k.keyid), now: now.toISOString() };
  // revocation: a compromised key is refused even though its signature is good
  if (reason === 'KEY_REVOKED') throw new VerificationError('KEY_REVOKED', `envelope is signed by a revoked key: ${all}; re-sign with a current key`, { details });
  // premature use: a key staged for rotation is not valid before its window opens
  if (reason === 'KEY_NOT_YET_VALID') throw new VerificationError('KEY_NOT_YET_VALID', `envelope is signed by a key not yet valid: ${all}`, { details });
  // retired key: signatures checked after a key's window closed could come from a leaked key
  throw new VerificationError('KEY_EXPIRED', `envelope is signed by an expired key: ${all}; re-sign with a current key`, { details });
}

function describeUnusable(key: TrustedKey, now: Date): string {
  const reason = keyUnusableReason(key, now);
  if (reason === 'KEY_REVOKED') return 'is revoked';
  if (reason === 'KEY_NOT_YET_VALID') return `is valid only from ${key.notBefore?.toISOString()} (now ${now.toISOString()})`;
  if (reason === 'KEY_EXPIRED') return `expired at ${key.notAfter?.toISOString()} (now ${now.toISOString()})`;
  return 'is usable';
}

function checkPayloadType(payloadType: string): void {
  // type confusion: a signed document of another kind is never parsed as a component record
  if (payloadType !== ISOCLASS_PAYLOAD_TYPE) {
    throw new EnvelopeError('ENVELOPE_PAYLOAD_TYPE', `payloadType is "${payloadType.slice(0, 100)}", expected "${ISOCLASS_PAYLOAD_TYPE}"; the envelope was not made for isoclass`, {
      details: { payloadType: payloadType.slice(0, 100) },
    });
  }
}

function parseVerifiedRecord(payload: Uint8Array): ComponentRecord {
  // shared state: the record may be handed to every later load of the same envelope
  return deepFreeze(parseRecord(payload));
}

function checkScope(keys: readonly TrustedKey[], record: ComponentRecord, threshold: number): TrustedKey[] {
  const inScope = keys.filter((k) => keyCovers(k, record.tenant, record.identifier));
  // cross-tenant signing: a key trusted for one tenant or identifier cannot sign for another
  if (inScope.length === 0 || (inScope.length < threshold && inScope.length < keys.length)) {
    const outside = keys.filter((k) => !inScope.includes(k)).map((k) => k.keyid);
    throw new VerificationError(
      'KEY_OUT_OF_SCOPE',
      `key(s) ${outside.join(', ')} may not sign ${record.tenant}/${record.identifier}; widen their tenants/identifiers in the trust file if intended`,
      { details: { keyids: outside, tenant: record.tenant, identifier: record.identifier } },
    );
  }
  return inScope;
}

function checkThreshold(keys: readonly TrustedKey[], threshold: number): void {
  // single key compromise: with a threshold, one stolen key is not enough
  if (keys.length < threshold) {
    throw new VerificationError(
      'THRESHOLD_NOT_MET',
      `envelope has valid signatures from ${keys.length} distinct trusted key(s) (${keys.map((k) => k.keyid).join(', ')}); the trust file requires ${threshold}; collect more signatures`,
      { details: { signers: keys.map((k) => k.keyid), threshold } },
    );
  }
}

function checkFreshness(record: ComponentRecord, now: Date): void {
  // freeze / replay of stale components: an expired record is refused
  if (record.expiresAt !== null && now.getTime() >= Date.parse(record.expiresAt)) {
    throw new VerificationError('EXPIRED', `record ${record.tenant}/${record.identifier} v${record.version} expired at ${record.expiresAt} (now ${now.toISOString()}); pack and sign a fresh version`, {
      details: { expiresAt: record.expiresAt, now: now.toISOString() },
    });
  }
}

/** A cache hit whose signers are all still in this trust root, with the same public keys. */
function cachedVerification(envelope: DecodedEnvelope, trust: TrustRoot, cache: VerificationCache | undefined): { entry: CachedVerification; signers: TrustedKey[] } | undefined {
  const entry = cache?.get(trust.generation, envelope.digest);
  if (entry === undefined) return undefined;
  const signers: TrustedKey[] = [];
  for (const [keyid, publicKey] of entry.signerKeys) {
    const key = trust.keys.find((k) => k.keyid === keyid);
    // stale or misattributed entry (two roots sharing a generation): recompute rather than trust it
    if (key === undefined || !sameBytes(key.publicKey, publicKey)) return undefined;
    signers.push(key);
  }
  return { entry, signers };
}

function remember(cache: VerificationCache | undefined, trust: TrustRoot, envelope: DecodedEnvelope, signers: readonly TrustedKey[], record: ComponentRecord, payloadDigest: string): void {
  if (cache === undefined) return;
  cache.set(trust.generation, envelope.digest, {
    record,
    signerKeys: new Map(signers.map((k) => [k.keyid, Uint8Array.from(k.publicKey)])),
    payloadDigest,
    payloadBytes: envelope.payload.byteLength,
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}


function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
