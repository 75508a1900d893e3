import { IsoclassError, type IsoclassErrorOptions } from '../errors.ts';
import type { Violation } from './diagnostics.ts';

export type PolicyErrorCode =
  | 'POLICY_VIOLATION'
  | 'POLICY_PARSE_ERROR'
  | 'POLICY_FILE_INVALID'
  | 'POLICY_NOT_FOUND'
  | 'POLICY_EXTENDS_LOOSENS'
  | 'POLICY_EXTENDS_CYCLE';

/** The code breaks the policy, or the policy file itself is unusable (exit 12). */
export class PolicyError extends IsoclassError<PolicyErrorCode> {
  readonly family = 'policy' as const;
  /** Every violation found (capped), each with rule, message, line, column and code frame. */
  readonly violations: readonly Violation[];
  constructor(code: PolicyErrorCode, message: string, violations: readonly Violation[] = [], options?: IsoclassErrorOptions) {
    super(code, message, { ...options, details: { ...options?.details, violations } });
    this.violations = violations;
  }
}
