import { IsoclassError } from '../errors.ts';

export type EnvelopeErrorCode =
  | 'ENVELOPE_TOO_LARGE'
  | 'ENVELOPE_NOT_JSON'
  | 'ENVELOPE_MALFORMED'
  | 'ENVELOPE_BAD_BASE64'
  | 'ENVELOPE_PAYLOAD_TYPE'
  | 'ENVELOPE_RECORD_NOT_JSON'
  | 'ENVELOPE_RECORD_INVALID'
  | 'ENVELOPE_CODE_HASH_MISMATCH';

/** The envelope or the record it carries is not well-formed (exit code 10). */
export class EnvelopeError extends IsoclassError<EnvelopeErrorCode> {
  readonly family = 'envelope' as const;
}
