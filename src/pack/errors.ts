import { IsoclassError, type IsoclassErrorOptions } from '../errors.ts';

export type PackErrorCode =
  | 'PACK_FILE_NOT_FOUND'
  | 'PACK_BUNDLE_FAILED'
  | 'PACK_IMPORT_NOT_ALLOWED'
  | 'PACK_EXPORT_NOT_FOUND'
  | 'PACK_PARAMS_INVALID'
  | 'PACK_RECORD_INVALID'
  | 'PACK_ROUND_TRIP_FAILED';

/** The writer's input cannot be turned into a component envelope (exit 2). */
export class PackError extends IsoclassError {
  readonly family = 'pack' as const;
  readonly code: PackErrorCode;
  constructor(code: PackErrorCode, message: string, options?: IsoclassErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
