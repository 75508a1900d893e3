export {
  generateKeyPair,
  isStrictPublicKey,
  keyPairFromSeed,
  nativeEd25519Available,
  signEd25519,
  verifyEd25519,
  verifyNative,
  verifyPortable,
  type Ed25519KeyPair,
  type StrictVerdict,
  type VerifierKind,
} from './ed25519.ts';
export { VerificationError, type VerificationErrorCode } from './errors.ts';
export { FileVersionStore, VERSION_STATE_FILE } from './file-version-store.ts';
export { formatPublicKeyPem, formatSecretKeyPem, keyIdOf, parsePublicKeyPem, parseSecretKeyPem } from './keys.ts';
export { signEnvelope } from './sign.ts';
export {
  checkTrustFile,
  globMatches,
  keyCovers,
  parseTrust,
  parseTrustFile,
  trustSingleKey,
  type TrustFileJson,
  type TrustKeyJson,
  type TrustRoot,
  type TrustedKey,
} from './trust.ts';
export { addTrustedKey, emptyTrustFile, revokeTrustedKey, serializeTrustFile, type KeyScope } from './trust-edit.ts';
export { DEFAULT_VERIFICATION_CACHE_LIMITS, VerificationCache, type CachedVerification, type VerificationCacheLimits } from './verification-cache.ts';
export { DEFAULT_VERIFY_LIMITS, verifyEnvelope, verifyEnvelopeSignatures, type VerifiedRecord, type VerifyLimits, type VerifyOptions } from './verify.ts';
export { MemoryVersionStore, VersionState, type AcceptedVersion, type VersionClaim, type VersionStore } from './version-state.ts';
