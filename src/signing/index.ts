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
export { formatPublicKeyPem, formatSecretKeyPem, keyIdOf, parsePublicKeyPem, parseSecretKeyPem } from './keys.ts';
export { signEnvelope } from './sign.ts';
export { globMatches, keyCovers, parseTrust, trustSingleKey, type TrustRoot, type TrustedKey, type TrustFileJson } from './trust.ts';
export { verifyEnvelope, type VerifiedRecord, type VerifyOptions } from './verify.ts';
