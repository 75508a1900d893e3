import { IsoclassError } from '../errors.ts';

export type VerificationErrorCode =
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_MALLEABLE'
  | 'KEY_UNKNOWN'
  | 'KEY_REVOKED'
  | 'KEY_NOT_YET_VALID'
  | 'KEY_EXPIRED'
  | 'KEY_OUT_OF_SCOPE'
  | 'THRESHOLD_NOT_MET'
  | 'ROLLBACK'
  | 'EQUIVOCATION'
  | 'EXPIRED'
  | 'TENANT_MISMATCH'
  | 'TRUST_INVALID'
  | 'STATE_INVALID';

/** The envelope is not signed by enough trusted, valid, in-scope keys, or is stale (exit 11). */
export class VerificationError extends IsoclassError<VerificationErrorCode> {
  readonly family = 'verification' as const;
}
