/**
 * The isolate runtime against plain isolated-vm in the same run: loads (no pool, from the warm
 * pool), synchronous and asynchronous calls with copied arguments.
 */
import ivm from 'isolated-vm';
import { Loader, loadComponent } from '../src/loader.ts';
import { packSource } from '../src/pack/pack.ts';
import { generateKeyPair } from '../src/signing/ed25519.ts';
import { trustSingleKey, type TrustRoot } from '../src/signing/trust.ts';
import { compare, median, type BenchRow, type BenchSection } from './lib.ts';

export const SOURCE = `import { Component } from 'isoclass';
export default class Scorer extends Component {
  score(x) { return x * this.params.weight + 1; }
  async later(x) { return x * this.params.weight + 1; }
}
`;
const RAW_SOURCE = rawSource(SOURCE);

/** A component's source as plain isolated-vm runs it: `Component` defined in place of the import. */
export function rawSource(source: string): string {
  return source.replace("import { Component } from 'isoclass';\n", 'class Component { constructor(p) { this.params = p; } }\n');
}

/**
 * A raw isolate with the class constructed (params `{ weight: 2 }`) and `make`'s callers of it:
 * plain isolated-vm, nothing of isoclass. (Also the memory benchmark's baseline: bench/memory.)
 */
export async function rawInstance(make: string, source = RAW_SOURCE): Promise<{ isolate: ivm.Isolate; context: ivm.Context; module: ivm.Module; callers: ivm.Reference }> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const module = await isolate.compileModule(source);
  await module.instantiate(context, () => {
    throw new Error('no imports');
  });
  await module.evaluate();
  const cls = (await module.namespace.get('default', { reference: true })) as ivm.Reference;
  const construct = (await context.eval(make, { reference: true })) as ivm.Reference;
  const callers = (await construct.apply(undefined, [cls.derefInto(), new ivm.ExternalCopy({ weight: 2 }).copyInto()], { result: { reference: true } })) as ivm.Reference;
  return { isolate, context, module, callers };
}

/** new Isolate + context + compile + instantiate + evaluate + construct + one call, nothing else. */
export async function rawFloor(): Promise<void> {
  const { isolate, callers: call } = await rawInstance('(C, p) => { const o = new C(p); return (x) => o.score(x); }');
  const result = await call.apply(undefined, [20], { arguments: { copy: true }, result: { copy: true } });
  if (result !== 41) throw new Error('raw floor computed the wrong result');
  isolate.dispose();
}

/** A raw isolate with the same class, for call baselines: `score` and `later` as plain functions. */
async function rawCallers(): Promise<{ sync: ivm.Reference; async: ivm.Reference; dispose: () => void }> {
  const { isolate, callers: pair } = await rawInstance('(C, p) => { const o = new C(p); return [(x) => o.score(x), (x) => o.later(x)]; }');
  const sync = (await pair.get(0, { reference: true })) as ivm.Reference;
  const async = (await pair.get(1, { reference: true })) as ivm.Reference;
  return { sync, async, dispose: () => isolate.dispose() };
}

async function signed(): Promise<{ bytes: Buffer; trust: TrustRoot }> {
  const key = generateKeyPair();
  const { envelope } = await packSource(SOURCE, { keys: [key.seed], identifier: 'scorer', params: { weight: 2 } });
  return { bytes: Buffer.from(envelope), trust: trustSingleKey(key.publicKey) };
}

export default async function bench(): Promise<BenchSection> {
  const { bytes, trust } = await signed();
  const rows: BenchRow[] = [];

  // ---- load without the pool -------------------------------------------------------------
  const noPool = await compare(
    rawFloor,
    async () => {
      const component = await loadComponent(bytes, { trust });
      if ((await component.call('score', [20])) !== 41) throw new Error('wrong result');
      component.dispose();
    },
    { samples: 40, warmup: 10 },
  );
  rows.push({ name: 'raw isolated-vm floor (isolate + context + compile + instantiate + one call)', value: noPool.baseline.medianUs });
  rows.push({ name: 'loadComponent + call, no pool (decode, verify, validate, hardened context, call)', value: noPool.subject.medianUs, baseline: 'raw floor', ratio: noPool.ratio, target: '≤ 1.3×', met: noPool.ratio <= 1.3 });

  // ---- load from the warm pool --------------------------------------------------------------
  const loader = new Loader({ trust, poolSize: 4 });
  await loader.warm();
  const samples: number[] = [];
  for (let i = 0; i < 60; i++) {
    await loader.warm(); // untimed: the pool refills between loads, as it does between requests
    const started = process.hrtime.bigint();
    const component = await loader.load(bytes);
    const elapsed = Number(process.hrtime.bigint() - started) / 1000;
    if (i >= 10) samples.push(elapsed);
    if ((await component.call('score', [20])) !== 41) throw new Error('wrong result');
    component.dispose();
  }
  const pooled = median(samples);
  rows.push({ name: 'Loader.load from the warm pool (same envelope again: verification and code caches warm)', value: pooled, target: '≤ 500 µs', met: pooled <= 500 });

  // ---- calls ---------------------------------------------------------------------------------
  const component = await loader.load(bytes);
  const raw = await rawCallers();
  const copied = { arguments: { copy: true }, result: { copy: true } } as const;
  // each call against its raw isolated-vm twin: [raw row, subject row, short baseline name, raw, subject, batch, target?]
  const calls: [string, string, string, () => unknown, () => unknown, number, number | undefined][] = [
    ['raw applySync, arguments and result copied', 'callSync', 'raw applySync', () => raw.sync.applySync(undefined, [20], copied), () => component.callSync('score', [20]), 200, 1.3],
    // what the CPU limit alone costs (isolated-vm arms a timer per bounded call): the floor of any bounded call
    ['', 'raw applySync with a CPU timeout (the floor of any bounded call)', 'raw applySync', () => raw.sync.applySync(undefined, [20], copied), () => raw.sync.applySync(undefined, [20], { ...copied, timeout: 1000 }), 200, undefined],
    ['raw apply of an async function (promise result awaited)', 'call of an async method', 'raw apply', () => raw.async.apply(undefined, [20], { ...copied, result: { copy: true, promise: true } }), () => component.call('later', [20]), 50, 1.3],
    ['raw apply of a sync function', 'call of a sync method', 'raw apply', () => raw.sync.apply(undefined, [20], copied), () => component.call('score', [20]), 50, 1.3],
  ];
  for (const [rawName, name, baseline, rawCall, call, batch, target] of calls) {
    const c = await compare(rawCall, call, { batch, samples: 30, warmup: 10 });
    if (rawName !== '') rows.push({ name: rawName, value: c.baseline.medianUs });
    rows.push({ name, value: c.subject.medianUs, baseline, ratio: c.ratio, ...(target === undefined ? {} : { target: `≤ ${target}×`, met: c.ratio <= target }) });
  }
  component.dispose();
  raw.dispose();
  loader.close();

  return {
    title: 'Isolate runtime: loads and calls against plain isolated-vm',
    rows,
    notes: [
      'Medians of interleaved rounds; "raw" is isolated-vm with nothing of isoclass: no verification, no policy, no hardened context, no wire encoding.',
      'The pooled load is Loader.load alone (decode, verify with a warm verification cache, validate, bind a warm hardened context, compile with a warm code cache, link, evaluate, construct), with the pool refilled between loads as it is between requests.',
    ],
  };
}
