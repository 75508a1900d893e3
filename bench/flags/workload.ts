/**
 * Child of flags.bench.ts: loop-heavy JavaScript, timed, printed as JSON. Run with and without
 * --no-turboshaft-loop-unrolling to price the flag for host code and components alike.
 */
import { median } from '../lib.ts';
const ROUNDS = 15;
const workloads: Record<string, () => unknown> = {
  'sum of a Float64Array (1e6)': () => {
    const a = new Float64Array(1e6).map((_, i) => i);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return s;
  },
  'small fixed arrays in a loop (2e5)': () => {
    let n = 0;
    for (let i = 0; i < 2e5; i++) {
      const v = [i, i + 1, i + 2, i + 3];
      n += v[i & 3]!;
    }
    return n;
  },
  'sort 1e5 numbers': () => Array.from({ length: 1e5 }, (_, i) => (i * 7919) % 1e5).sort((a, b) => a - b)[0],
  'tokenise and count words (200 KB)': () => {
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(4600);
    const counts = new Map<string, number>();
    for (const word of text.split(' ')) counts.set(word, (counts.get(word) ?? 0) + 1);
    return counts.size;
  },
  'nested loops over a matrix (300x300)': () => {
    const m = Array.from({ length: 300 }, (_, i) => Array.from({ length: 300 }, (_, j) => i ^ j));
    let s = 0;
    for (let i = 0; i < 300; i++) for (let j = 0; j < 300; j++) s += m[i]![j]!;
    return s;
  },
};
const result: Record<string, number> = {};
for (const [name, fn] of Object.entries(workloads)) {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  result[name] = median(times);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
