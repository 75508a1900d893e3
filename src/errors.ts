/**
 * The root of every error isoclass throws on purpose. Each pipeline stage has its own
 * subclass in its own `errors.ts`, with a closed union of stable string codes; callers and
 * tests branch on `code`, never on the message text.
 */
export interface IsoclassErrorOptions {
  /** The lower-level error this one explains, if any. */
  readonly cause?: unknown;
  /** Structured facts about the failure (paths, key ids, limits) for `--json` and logs. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export abstract class IsoclassError<Code extends string = string> extends Error {
  /** Stable, documented identifier of the failure (see docs/errors.md). */
  readonly code: Code;
  /** Which stage failed; decides the CLI exit code. */
  abstract readonly family: ErrorFamily;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, options: IsoclassErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }

  /** A plain object safe to print as JSON. */
  toJSON(): { code: string; family: ErrorFamily; message: string } & Record<string, unknown> {
    return { code: this.code, family: this.family, message: this.message, ...this.details };
  }
}

export type ErrorFamily =
  | 'usage'
  | 'envelope'
  | 'verification'
  | 'policy'
  | 'sandbox'
  | 'component'
  | 'pack';

/** Exit codes of the CLI, by family (ARCHITECTURE.md, "Errors"). */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  pack: 2,
  envelope: 10,
  verification: 11,
  policy: 12,
  sandbox: 13,
  component: 14,
} as const satisfies Record<ErrorFamily | 'ok' | 'internal', number>;

export function exitCodeFor(error: unknown): number {
  return error instanceof IsoclassError ? EXIT_CODES[error.family] : EXIT_CODES.internal;
}

export type UsageErrorCode =
  | 'USAGE_INVALID_ARGUMENT'
  | 'USAGE_FILE_NOT_FOUND'
  | 'USAGE_FILE_EXISTS'
  | 'USAGE_FILE_UNREADABLE'
  | 'USAGE_KEY_INVALID';

/** Bad command-line input, unreadable or malformed local files (key files, JSON arguments). */
export class UsageError extends IsoclassError<UsageErrorCode> {
  readonly family = 'usage' as const;
}
