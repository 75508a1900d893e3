import { RECORD_TYPE, sha256Hex, type ComponentRecord } from '../../envelope/record.ts';
import type { RuntimeLimits } from '../../policy/policy.ts';
import { SandboxedComponent } from '../../sandbox/component.ts';

const PROBE_SOURCE = 'export default class GlobalsProbe { names() { return Object.getOwnPropertyNames(globalThis); } }\n';
const PROBE_LIMITS: RuntimeLimits = {
  memoryMb: 16, // MiB
  cpuMsPerCall: 1000, // ms
  wallMsPerCall: 5000, // ms
  maxResultBytes: 256 * 1024, // bytes
};

let cached: Promise<ReadonlySet<string> | undefined> | undefined;

/**
 * The global names that exist inside a component's isolate, read once per process from a real
 * sandbox (hardened exactly as loaders harden it). A policy may allow a name the isolate does
 * not have (`console`, `setTimeout`, `structuredClone` are Node's, not ECMAScript's); a live
 * class using one would pack, then throw ReferenceError in production. `undefined` if the probe
 * itself fails, in which case that check is skipped.
 */
export function sandboxGlobals(): Promise<ReadonlySet<string> | undefined> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<ReadonlySet<string> | undefined> {
  const record: ComponentRecord = {
    _type: RECORD_TYPE,
    identifier: 'isoclass-globals-probe',
    version: 1,
    tenant: 'isoclass',
    repr: 'class GlobalsProbe',
    code: { format: 'esm', source: PROBE_SOURCE, sha256: sha256Hex(PROBE_SOURCE), export: 'default' },
    params: {},
    artifacts: {},
    createdAt: new Date(0).toISOString(),
    expiresAt: null,
  };
  let component: SandboxedComponent | undefined;
  try {
    component = await SandboxedComponent.create(record, { limits: PROBE_LIMITS, capabilities: { log: false, artifacts: false, timers: false } });
    const names = await component.call('names');
    return Array.isArray(names) ? new Set(names.filter((n): n is string => typeof n === 'string')) : undefined;
  } catch {
    return undefined;
  } finally {
    component?.dispose();
  }
}
