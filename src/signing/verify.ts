import { ISOCLASS_PAYLOAD_TYPE, type DecodedEnvelope } from '../envelope/envelope.ts';
import { EnvelopeError } from '../envelope/errors.ts';
import { preAuthEncoding } from '../envelope/pae.ts';
import { parseRecord, type ComponentRecord } from '../envelope/record.ts';
import { verifyEd25519, type StrictVerdict, type VerifierKind } from './ed25519.ts';
import { VerificationError } from './errors.ts';
import { keyCovers, type TrustRoot, type TrustedKey } from './trust.ts';

export interface VerifyOptions {
  /** The one reference time for every time check of this load (default: now). */
  readonly now?: Date;
  /** Which Ed25519 implementation checks signatures (default: native when available). */
  readonly verifier?: VerifierKind;
}

/** A record whose envelope is signed by enough trusted keys, and who signed it. */
export interface VerifiedRecord {
  readonly record: ComponentRecord;
  /** The distinct trusted, valid, in-scope keys whose signatures verified. */
  readonly signers: readonly string[];
  /** sha256 of the envelope bytes. */
  readonly envelopeDigest: string;
}

/**
 * Stage 2 of loading. Reads top-down as the checks it makes; nothing inside the payload is
 * looked at until a trusted key's signature over the PAE encoding has verified.
 */
export function verifyEnvelope(envelope: DecodedEnvelope, trust: TrustRoot, options: VerifyOptions = {}): VerifiedRecord {
  const now = options.now ?? new Date();
  const verified = verifySignatures(envelope, trust, options.verifier);
  const valid = checkKeyValidity(verified, now);
  checkPayloadType(envelope.payloadType);
  const record = parseRecord(envelope.payload);
  const inScope = checkScope(valid, record);
  checkThreshold(inScope, trust.threshold);
  checkFreshness(record, now);
  return { record, signers: inScope.map((k) => k.keyid), envelopeDigest: envelope.digest };
}

function verifySignatures(envelope: DecodedEnvelope, trust: TrustRoot, verifier: VerifierKind | undefined): TrustedKey[] {
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const signers: TrustedKey[] = [];
  const failures: string[] = [];
  let sawMalleable = false;
  let sawKnownKey = false;
  envelope.signatures.forEach((signature, index) => {
    // The keyid is an unauthenticated hint: it narrows which key to try, and a signature whose
    // hint names a key we do not trust counts for nothing. It never makes a key trusted.
    const candidates = signature.keyid === undefined ? trust.keys : trust.keys.filter((k) => k.keyid === signature.keyid);
    if (candidates.length === 0) {
      failures.push(`signatures[${index}] names keyid ${signature.keyid ?? ''}, which is not in the trust root`);
      return;
    }
    sawKnownKey = true;
    let verdict: StrictVerdict = 'invalid';
    for (const key of candidates) {
      verdict = verifyEd25519(pae, signature.sig, key.publicKey, verifier);
      if (verdict === 'valid') {
        // a key that signed twice still counts once toward the threshold
        if (!signers.includes(key)) signers.push(key);
        return;
      }
    }
    sawMalleable ||= verdict === 'malleable';
    failures.push(`signatures[${index}] ${verdict === 'malleable' ? 'is malleable (S >= L)' : 'does not verify'}`);
  });
  if (signers.length > 0) return signers;
  const summary = failures.join('; ');
  // malleability: S >= L is a second spelling of a valid signature, refused outright
  if (sawMalleable) throw new VerificationError('SIGNATURE_MALLEABLE', `envelope signature refused: ${summary}`, { details: { failures } });
  // unknown signer: only keys in the trust root can vouch for code
  if (!sawKnownKey) {
    throw new VerificationError('KEY_UNKNOWN', `no signature is by a trusted key: ${summary}; add the signer's public key to the trust file`, {
      details: { keyids: envelope.signatures.map((s) => s.keyid ?? null) },
    });
  }
  // forgery or tampering: the payload or its type changed after signing
  throw new VerificationError('SIGNATURE_INVALID', `no signature verifies against a trusted key: ${summary}`, { details: { failures } });
}

function checkKeyValidity(keys: readonly TrustedKey[], now: Date): TrustedKey[] {
  const valid = keys.filter((k) => !k.revoked && !(k.notBefore !== undefined && now < k.notBefore) && !(k.notAfter !== undefined && now > k.notAfter));
  if (valid.length > 0) return valid;
  const key = keys[0] as TrustedKey;
  // revocation: a compromised key is refused even though its signature is good
  if (key.revoked) throw new VerificationError('KEY_REVOKED', `envelope is signed by key ${key.keyid}, which is revoked`, { details: { keyid: key.keyid } });
  // premature use: a key staged for rotation is not valid before its window opens
  if (key.notBefore !== undefined && now < key.notBefore) {
    throw new VerificationError('KEY_NOT_YET_VALID', `key ${key.keyid} is valid only from ${key.notBefore.toISOString()} (now ${now.toISOString()})`, {
      details: { keyid: key.keyid, notBefore: key.notBefore.toISOString() },
    });
  }
  // retired key: signatures made after a key's window closed could come from a leaked key
  throw new VerificationError('KEY_EXPIRED', `key ${key.keyid} expired at ${key.notAfter?.toISOString()} (now ${now.toISOString()})`, {
    details: { keyid: key.keyid, notAfter: key.notAfter?.toISOString() },
  });
}

function checkPayloadType(payloadType: string): void {
  // type confusion: a signed document of another kind is never parsed as a component record
  if (payloadType !== ISOCLASS_PAYLOAD_TYPE) {
    throw new EnvelopeError('ENVELOPE_PAYLOAD_TYPE', `payloadType is "${payloadType.slice(0, 100)}", expected "${ISOCLASS_PAYLOAD_TYPE}"`, {
      details: { payloadType: payloadType.slice(0, 100) },
    });
  }
}

function checkScope(keys: readonly TrustedKey[], record: ComponentRecord): TrustedKey[] {
  const inScope = keys.filter((k) => keyCovers(k, record.tenant, record.identifier));
  // cross-tenant signing: a key trusted for one tenant or identifier cannot sign for another
  if (inScope.length === 0) {
    throw new VerificationError(
      'KEY_OUT_OF_SCOPE',
      `key ${keys[0]?.keyid} may not sign ${record.tenant}/${record.identifier}; widen its tenants/identifiers in the trust file if intended`,
      { details: { keyids: keys.map((k) => k.keyid), tenant: record.tenant, identifier: record.identifier } },
    );
  }
  return inScope;
}

function checkThreshold(keys: readonly TrustedKey[], threshold: number): void {
  // single key compromise: with a threshold, one stolen key is not enough
  if (keys.length < threshold) {
    throw new VerificationError('THRESHOLD_NOT_MET', `envelope has ${keys.length} valid signature(s) from distinct trusted keys; ${threshold} required`, {
      details: { signers: keys.map((k) => k.keyid), threshold },
    });
  }
}

function checkFreshness(record: ComponentRecord, now: Date): void {
  // freeze / replay of stale components: an expired record is refused
  if (record.expiresAt !== null && now >= new Date(record.expiresAt)) {
    throw new VerificationError('EXPIRED', `record ${record.tenant}/${record.identifier} v${record.version} expired at ${record.expiresAt}`, {
      details: { expiresAt: record.expiresAt },
    });
  }
}
