export { LineIndex, RULE_IDS, codeFrame, formatViolation, type RuleId, type Violation } from './diagnostics.ts';
export { PolicyError, type PolicyErrorCode } from './errors.ts';
export { inferPolicy, type InferOptions, type InferredPolicy } from './infer.ts';
export { ECMA_VERSION, NODE_TYPES, type NodeType } from './language.ts';
export { NameSet } from './name-set.ts';
export { POLICY_SCHEMA_ID, POLICY_SCHEMA_URL, checkPolicyDocument, type PolicyFileProblem } from './policy-file.ts';
export {
  CAPABILITY_NAMES,
  POLICIES_DIR,
  SHIPPED_POLICIES,
  loadPolicy,
  policyPath,
  resolvePolicy,
  withRuntimeLimits,
  type CapabilityName,
  type ComputedMemberRule,
  type Policy,
  type PolicyFile,
  type RuntimeLimits,
  type SourceLimits,
} from './policy.ts';
export { RUNTIME_EXPORTS, RUNTIME_MODULE, type SourceUsage } from './rules.ts';
export { DEFAULT_MAX_VIOLATIONS, inspectSource, validateSource, type InspectOptions, type Inspection } from './validate.ts';
