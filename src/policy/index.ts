export { codeFrame, formatViolation, type RuleId, type Violation } from './diagnostics.ts';
export { PolicyError, type PolicyErrorCode } from './errors.ts';
export {
  CAPABILITY_NAMES,
  POLICIES_DIR,
  SHIPPED_POLICIES,
  loadPolicy,
  resolvePolicy,
  withRuntimeLimits,
  type CapabilityName,
  type ComputedMemberRule,
  type Policy,
  type PolicyFile,
  type RuntimeLimits,
  type SourceLimits,
} from './policy.ts';
export {
  ECMA_VERSION,
  RUNTIME_EXPORTS,
  RUNTIME_MODULE,
  inspectSource,
  validateSource,
  type InspectOptions,
  type Inspection,
  type SourceUsage,
} from './validate.ts';
