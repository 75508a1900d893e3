/**
 * Benchmark helpers. Every figure is a ratio against a baseline measured in the same run, in
 * interleaved rounds, so a noisy shared machine slows both sides alike. Never used in tests.
 */
export interface Timing {
  /** Median time of one operation, microseconds. */
  readonly medianUs: number;
  /** 95th percentile of one operation, microseconds. */
  readonly p95Us: number;
  readonly samples: number;
}

export interface Comparison {
  readonly baseline: Timing;
  readonly subject: Timing;
  /** Median over rounds of (subject / baseline). */
  readonly ratio: number;
}

export interface MeasureOptions {
  /** Operations per sample (timed together, to get above timer resolution). */
  readonly batch?: number;
  /** Samples taken (after warm-up). */
  readonly samples?: number;
  /** Untimed samples first (JIT, caches). */
  readonly warmup?: number;
}

type Op = () => unknown;

async function sample(op: Op, batch: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) {
    const r = op();
    if (r instanceof Promise) await r;
  }
  return Number(process.hrtime.bigint() - start) / 1000 / batch;
}

function summarize(values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { medianUs: at(0.5), p95Us: at(0.95), samples: sorted.length };
}

/** The median of some values (the upper one of an even count), NaN for none. */
export function median(values: readonly number[]): number {
  return summarize([...values]).medianUs;
}

export async function measure(op: Op, options: MeasureOptions = {}): Promise<Timing> {
  const { batch = 1, samples = 30, warmup = 5 } = options;
  for (let i = 0; i < warmup; i++) await sample(op, batch);
  const values: number[] = [];
  for (let i = 0; i < samples; i++) values.push(await sample(op, batch));
  return summarize(values);
}

/** Interleaves baseline and subject samples; the ratio is the median of per-round ratios. */
export async function compare(baseline: Op, subject: Op, options: MeasureOptions = {}): Promise<Comparison> {
  const { batch = 1, samples = 30, warmup = 5 } = options;
  for (let i = 0; i < warmup; i++) {
    await sample(baseline, batch);
    await sample(subject, batch);
  }
  const b: number[] = [];
  const s: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < samples; i++) {
    const first = i % 2 === 0;
    const x = first ? await sample(baseline, batch) : 0;
    const y = await sample(subject, batch);
    const z = first ? x : await sample(baseline, batch);
    b.push(z);
    s.push(y);
    ratios.push(y / z);
  }
  return { baseline: summarize(b), subject: summarize(s), ratio: summarize(ratios).medianUs };
}

export interface BenchRow {
  readonly name: string;
  /** Median, microseconds (or the unit given). */
  readonly value: number;
  readonly unit?: string;
  readonly baseline?: string;
  readonly ratio?: number;
  /** The issue's target, e.g. "≤ 1.3× baseline" or "≤ 500 µs". */
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchSection {
  readonly title: string;
  readonly rows: readonly BenchRow[];
  readonly notes?: readonly string[];
}

export function formatSection(section: BenchSection): string {
  const lines = [`## ${section.title}`, '', '| measurement | median | baseline | ratio | target | met |', '|---|---:|---|---:|---|---|'];
  for (const r of section.rows) {
    const value = `${r.value < 10 ? r.value.toFixed(2) : r.value < 1000 ? r.value.toFixed(1) : r.value.toFixed(0)} ${r.unit ?? 'µs'}`;
    lines.push(`| ${r.name} | ${value} | ${r.baseline ?? ''} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`);
  }
  for (const note of section.notes ?? []) lines.push('', note);
  return lines.join('\n');
}
