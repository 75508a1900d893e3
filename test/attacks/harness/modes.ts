/**
 * The execution modes every attack scenario runs against, and a loader for each, all under the
 * sandbox-only policy (parse and limits only: the isolate alone is the boundary).
 */
import type { ComponentRecord } from '../../../src/envelope/record.ts';
import { createHash } from 'node:crypto';
import { Loader, type LoadedComponent, type LoaderOptions } from '../../../src/loader.ts';
import { loadPolicy, type Policy } from '../../../src/policy/policy.ts';
import type { RuntimeLimits } from '../../../src/policy/policy.ts';
import { makeEnvelope, makeRecord, testTrust } from '../../helpers.ts';

export type Mode = 'fresh' | 'pooled' | 'tenant' | 'tenant-pooled';
export const MODES: readonly Mode[] = ['fresh', 'pooled', 'tenant', 'tenant-pooled'];

export const ATTACK_LIMITS: RuntimeLimits = {
  memoryMb: 16, // MiB
  cpuMsPerCall: 500, // ms
  wallMsPerCall: 2000, // ms
  maxResultBytes: 64 * 1024, // bytes
};
export const TENANT_ISOLATE_MB = 32; // MiB, the shared isolate in tenant mode

export function sandboxOnly(limits: RuntimeLimits = ATTACK_LIMITS): Policy {
  const base = loadPolicy('sandbox-only');
  return { ...base, runtime: limits };
}

/**
 * A loader for the mode: a fresh isolate per load, one from the warm pool, or the tenant's shared
 * isolate (new, or a warm one from the pool that becomes the tenant's).
 */
export function loaderFor(mode: Mode, policy: Policy = sandboxOnly(), extra: Partial<LoaderOptions> = {}): Loader {
  const base = { trust: testTrust(), policy, ...extra };
  switch (mode) {
    case 'fresh':
      return new Loader({ ...base, poolSize: 0 });
    case 'pooled':
      return new Loader({ ...base, poolSize: 2 });
    case 'tenant':
      return new Loader({ ...base, isolation: 'tenant', tenantIsolateMemoryMb: TENANT_ISOLATE_MB, poolSize: 0 });
    case 'tenant-pooled':
      return new Loader({ ...base, isolation: 'tenant', tenantIsolateMemoryMb: TENANT_ISOLATE_MB, poolSize: 2 });
  }
}

/** The artifact every attack component is given: three bytes, inline in the signed record. */
const ARTIFACT = Buffer.from([1, 2, 3]);
const ARTIFACTS: ComponentRecord['artifacts'] = {
  data: { sha256: createHash('sha256').update(ARTIFACT).digest('hex'), size: ARTIFACT.byteLength, mediaType: 'application/octet-stream', data: ARTIFACT.toString('base64') },
};

let serial = 0;

/** Signs `source` as a component of `tenant` and loads it. */
export function loadSource(loader: Loader, source: string, tenant = 'acme', params: ComponentRecord['params'] = {}): Promise<LoadedComponent> {
  serial++;
  const record = makeRecord(source, { identifier: `attack-${serial}`, tenant, params, artifacts: ARTIFACTS });
  return loader.load(makeEnvelope(record), { tenant });
}

/** A component that must keep working after every attack: the host and the runtime are intact. */
export const NORMAL_SOURCE = `import { Component } from 'isoclass';
export default class Normal extends Component {
  sum(xs) { return xs.reduce((a, b) => a + b, 0) * (this.params.factor ?? 1); }
  async later(x) { await Promise.resolve(); return { x, list: [1, 2, 3].map((n) => n * x) }; }
}
`;

/** Loads and calls the normal component; resolves to true when it computes what it should. */
export async function normalStillWorks(loader: Loader, tenant = 'acme'): Promise<boolean> {
  const normal = await loadSource(loader, NORMAL_SOURCE, tenant, { factor: 2 });
  try {
    const sum = await normal.call('sum', [[1, 2, 3]]);
    const later = (await normal.call('later', [3])) as { x: number; list: number[] };
    return sum === 12 && later.x === 3 && later.list.join() === '3,6,9';
  } finally {
    normal.dispose();
  }
}
