/**
 * The cost of the V8 flag isoclass sets process-wide (src/sandbox/v8-flags.ts) on ordinary
 * loop-heavy code: the same workloads in child processes with and without it, alternated.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ISOLATE_SAFETY_FLAGS } from '../src/sandbox/v8-flags.ts';
import { median, type BenchRow, type BenchSection } from './lib.ts';

const CHILD = fileURLToPath(new URL('./flags/workload.ts', import.meta.url));
const PAIRS = 5; // alternated runs with and without the flags

function run(flags: readonly string[]): Record<string, number> {
  const child = spawnSync(process.execPath, ['--no-node-snapshot', ...flags, CHILD], { encoding: 'utf8', timeout: 300_000 });
  if (child.status !== 0) throw new Error(`workload failed: ${child.stderr.slice(-300)}`);
  return JSON.parse(child.stdout.trim()) as Record<string, number>;
}

export default async function bench(): Promise<BenchSection> {
  const ratios = new Map<string, number[]>();
  const without = new Map<string, number[]>();
  for (let i = 0; i < PAIRS; i++) {
    const base = run([]);
    const flagged = run(ISOLATE_SAFETY_FLAGS);
    for (const [name, ms] of Object.entries(base)) {
      (ratios.get(name) ?? ratios.set(name, []).get(name)!).push((flagged[name] ?? Number.NaN) / ms);
      (without.get(name) ?? without.set(name, []).get(name)!).push(ms);
    }
  }
  const rows: BenchRow[] = [...ratios].map(([name, r]) => ({ name, value: median(without.get(name) ?? []) * 1000, baseline: 'without the flag', ratio: median(r) }));
  return {
    title: `V8 flag cost: ${ISOLATE_SAFETY_FLAGS.join(' ')}`,
    rows,
    notes: ['Median time without the flag, and the median of with/without ratios over alternated child processes (ratios below 1 are JIT-tier timing noise: no slowdown is measurable). The flag applies to the whole process: host code and every isolate.'],
  };
}
