/**
 * The `isoclass` runtime API as seen by component code, for the host side: component files
 * written in TypeScript type-check against these, live classes (`pack(SomeClass)`) extend this
 * `Component`, and a component can be unit-tested in plain Node. Inside an isolate the import
 * resolves to the runtime module instead (src/sandbox/prelude.ts), which behaves the same way.
 */
export type ComponentParams = object;

export class Component<P extends object = ComponentParams> {
  /** The record's params, deeply frozen. */
  declare readonly params: P;

  constructor(params?: P) {
    Object.defineProperty(this, 'params', { value: deepFreeze(params ?? ({} as P)), enumerable: true });
  }

  /** The record's identifier (empty outside an isolate). */
  get identifier(): string {
    return '';
  }

  /** The record's version (0 outside an isolate). */
  get version(): number {
    return 0;
  }

  /** The record's tenant (empty outside an isolate). */
  get tenant(): string {
    return '';
  }
}

/** Capability `log`: one line to the host's log, rate-limited there. Outside an isolate: stderr. */
export function log(...values: unknown[]): void {
  process.stderr.write(`${values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}\n`);
}

/** Capability `artifacts`: the verified bytes of one of the record's artifacts. */
export function artifact(name: string): Uint8Array {
  throw new Error(`artifact(${JSON.stringify(name)}) is available only inside an isoclass isolate`);
}

/** Capability `timers`: resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
