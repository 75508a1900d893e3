export { SandboxedComponent, type ComponentMetrics, type Placement, type SandboxOptions } from './component.ts';
export type { LogEntry } from './capabilities.ts';
export { CodeCache, type CodeCacheOptions } from './code-cache.ts';
export { ComponentError, SandboxError, type ComponentErrorCode, type SandboxErrorCode } from './errors.ts';
export type { CatastrophicErrorHandler } from './isolate-host.ts';
export { Sandbox, type IsolationMode, type SandboxRuntimeOptions } from './sandbox.ts';
export { DEFAULT_TENANT_LIMITS, type TenantLimits } from './tenants.ts';
export { ISOLATE_SAFETY_FLAGS, applyIsolateSafetyFlags } from './v8-flags.ts';
