/**
 * Resident memory per idle loaded component, each figure from a fresh child process that loads
 * the components and keeps them loaded (bench/memory/idle-child.ts): isoclass with an isolate
 * per component, isoclass with one isolate per tenant, and plain isolated-vm isolates.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSection } from './lib.ts';

const CHILD = fileURLToPath(new URL('./memory/idle-child.ts', import.meta.url));
const TARGET_BYTES = 1.5 * 1024 * 1024; // per idle loaded component (issue 5)
// 1000 isolates would take ~2 GB on a machine other people share: isolate modes load 200
const COUNTS = { tenant: 1000, isolate: 200, raw: 200 } as const;

function perComponent(mode: keyof typeof COUNTS): { bytes: number; components: number } {
  const run = spawnSync(process.execPath, ['--no-node-snapshot', '--expose-gc', CHILD, JSON.stringify({ mode, count: COUNTS[mode] })], { encoding: 'utf8', timeout: 600_000 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || line === '') throw new Error(`memory child (${mode}) failed: ${run.stderr.slice(-500)}`);
  const result = JSON.parse(line) as { perComponentBytes: number; components: number };
  return { bytes: result.perComponentBytes, components: result.components };
}

export default async function bench(): Promise<BenchSection> {
  const raw = perComponent('raw');
  const isolate = perComponent('isolate');
  const tenant = perComponent('tenant');
  const kb = (bytes: number): number => bytes / 1024;
  const rows: BenchRow[] = [
    { name: `plain isolated-vm: isolate + context + module + instance (${raw.components} kept)`, value: kb(raw.bytes), unit: 'KiB' },
    { name: `isoclass, isolate per component (${isolate.components} kept)`, value: kb(isolate.bytes), unit: 'KiB', baseline: 'plain', ratio: isolate.bytes / raw.bytes, target: '≤ 1536 KiB', met: isolate.bytes <= TARGET_BYTES },
    { name: `isoclass, isolate per tenant (${tenant.components} kept, one tenant)`, value: kb(tenant.bytes), unit: 'KiB', baseline: 'plain', ratio: tenant.bytes / raw.bytes, target: '≤ 1536 KiB', met: tenant.bytes <= TARGET_BYTES },
  ];
  return {
    title: 'Memory: resident set per idle loaded component',
    rows,
    notes: [
      'Resident memory added by the components, over the process after one first load, divided by their number, after GC in the host; each mode in a fresh process.',
    ],
  };
}
