import { IsoclassError } from '../errors.ts';

export type PackErrorCode =
  // the input the writer gave
  | 'PACK_OPTIONS_INVALID'
  | 'PACK_FILE_NOT_FOUND'
  | 'PACK_BUNDLE_FAILED'
  | 'PACK_IMPORT_NOT_ALLOWED'
  | 'PACK_EXPORT_NOT_FOUND'
  | 'PACK_PARAMS_INVALID'
  // capturing a live class: what Function.prototype.toString cannot carry
  | 'PACK_NOT_A_CLASS'
  | 'PACK_FREE_VARIABLE'
  | 'PACK_BASE_NOT_CAPTURED'
  | 'PACK_DEP_UNSUPPORTED'
  | 'PACK_DEP_MISMATCH'
  | 'PACK_SOURCE_LOST'
  // artifacts (also raised on the load side when a blob is read)
  | 'PACK_ARTIFACT_INVALID'
  | 'PACK_ARTIFACT_TOO_LARGE'
  | 'PACK_ARTIFACT_NOT_FOUND'
  | 'PACK_ARTIFACT_MISMATCH'
  // versions
  | 'PACK_PREVIOUS_INVALID'
  | 'PACK_PREVIOUS_MISMATCH'
  // the result
  | 'PACK_RECORD_INVALID'
  | 'PACK_ENVELOPE_TOO_LARGE'
  | 'PACK_ROUND_TRIP_FAILED';

/** The writer's input cannot be turned into a component envelope (exit 2). */
export class PackError extends IsoclassError<PackErrorCode> {
  readonly family = 'pack' as const;
}
