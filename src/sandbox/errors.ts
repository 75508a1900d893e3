import { IsoclassError, type IsoclassErrorOptions } from '../errors.ts';

export type SandboxErrorCode =
  | 'TIMEOUT'
  | 'WALL_TIMEOUT'
  | 'MEMORY_LIMIT'
  | 'RESULT_TOO_LARGE'
  | 'RESULT_NOT_CLONEABLE'
  | 'ARGUMENTS_NOT_CLONEABLE'
  | 'METHOD_NOT_FOUND'
  | 'EXPORT_NOT_FOUND'
  | 'COMPILE_FAILED'
  | 'TENANT_LIMIT'
  | 'DISPOSED';

/** A limit stopped the component, or the sandbox could not run it as asked (exit 13). */
export class SandboxError extends IsoclassError<SandboxErrorCode> {
  readonly family = 'sandbox' as const;
}

export type ComponentErrorCode = 'COMPONENT_THREW';

/**
 * The component's own code threw (exit 14). `name`, `message` and `stack` are the component's,
 * copied out as strings; the stack names only the component's source, never a host file.
 */
export class ComponentError extends IsoclassError<ComponentErrorCode> {
  readonly family = 'component' as const;
  /** The `name` of what the component threw (e.g. `TypeError`), or `(non-error value)`. */
  readonly componentName: string;
  readonly componentMessage: string;
  /** The stack inside the isolate, filtered to the component's own frames. */
  readonly componentStack: string;
  constructor(componentName: string, componentMessage: string, componentStack: string, options?: IsoclassErrorOptions) {
    super('COMPONENT_THREW', `component threw ${componentName}: ${componentMessage}`, {
      ...options,
      details: { ...options?.details, name: componentName, componentMessage, componentStack },
    });
    this.componentName = componentName;
    this.componentMessage = componentMessage;
    this.componentStack = componentStack;
    // the host-side stack would name host files; callers see where the component failed instead
    this.stack = `ComponentError: ${this.message}\n${componentStack}`;
  }
}
