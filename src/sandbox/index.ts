export { SandboxedComponent, type ComponentMetrics, type LogEntry, type SandboxOptions } from './component.ts';
export { ComponentError, SandboxError, type ComponentErrorCode, type SandboxErrorCode } from './errors.ts';
