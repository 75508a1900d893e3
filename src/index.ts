/**
 * isoclass: ship a class between services as a signed envelope and load it into an isolate.
 * The public API: the loader, the packer, key and trust handling, policies, and typed errors.
 */
export { Component, artifact, log, sleep, type ComponentParams } from './component.ts';
export { Loader, loadComponent, type LoadOptions, type LoadRequest, type LoadTimings, type LoadedComponent, type LoaderOptions } from './loader.ts';
export {
  pack,
  packFile,
  packSource,
  diffRecords,
  PackError,
  type ArtifactInput,
  type PackClassOptions,
  type PackErrorCode,
  type PackFileOptions,
  type PackOptions,
  type PackResult,
  type RecordDiff,
} from './pack/index.ts';
export {
  DEFAULT_ENVELOPE_LIMITS,
  ISOCLASS_PAYLOAD_TYPE,
  EnvelopeError,
  decodeEnvelope,
  encodeEnvelope,
  parseRecord,
  type ComponentRecord,
  type DecodedEnvelope,
  type EnvelopeLimits,
} from './envelope/index.ts';
export {
  VerificationError,
  formatPublicKeyPem,
  formatSecretKeyPem,
  generateKeyPair,
  keyIdOf,
  parsePublicKeyPem,
  parseSecretKeyPem,
  parseTrust,
  trustSingleKey,
  verifyEnvelope,
  FileVersionStore,
  MemoryVersionStore,
  VerificationCache,
  type AcceptedVersion,
  type TrustRoot,
  type TrustedKey,
  type VerifiedRecord,
  type VerifierKind,
  type VerifyOptions,
  type VersionStore,
} from './signing/index.ts';
export {
  PolicyError,
  inferPolicy,
  inspectSource,
  loadPolicy,
  resolvePolicy,
  validateSource,
  withRuntimeLimits,
  ECMA_VERSION,
  SHIPPED_POLICIES,
  type InferOptions,
  type InferredPolicy,
  type Inspection,
  type Policy,
  type PolicyErrorCode,
  type PolicyFile,
  type RuleId,
  type RuntimeLimits,
  type SourceLimits,
  type SourceUsage,
  type Violation,
} from './policy/index.ts';
export { ComponentError, SandboxError, type ComponentMetrics, type LogEntry } from './sandbox/index.ts';
export { IsoclassError, UsageError, EXIT_CODES, exitCodeFor, type ErrorFamily } from './errors.ts';
