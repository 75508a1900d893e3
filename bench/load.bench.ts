/**
 * Where a load's time goes, stage by stage (the timings Loader.load reports), without the pool
 * (a fresh loader per load, as loadComponent does) and from the warm pool (one loader, the same
 * envelope again). The ratios against plain isolated-vm are in sandbox.bench.ts.
 */
import { Loader, loadComponent, type LoadTimings } from '../src/loader.ts';
import { packSource } from '../src/pack/pack.ts';
import { generateKeyPair } from '../src/signing/ed25519.ts';
import { trustSingleKey } from '../src/signing/trust.ts';
import type { BenchRow, BenchSection } from './lib.ts';
import { SOURCE } from './sandbox.bench.ts';

const SAMPLES = 40; // loads measured
const WARMUP = 10; // loads first, not measured

function medians(all: LoadTimings[]): Record<keyof LoadTimings, number> {
  const median = (key: keyof LoadTimings): number => {
    const values = all.map((t) => t[key] * 1000).sort((a, b) => a - b);
    return values[values.length >> 1] ?? Number.NaN;
  };
  return { decodeMs: median('decodeMs'), verifyMs: median('verifyMs'), validateMs: median('validateMs'), instantiateMs: median('instantiateMs') };
}

export default async function bench(): Promise<BenchSection> {
  const key = generateKeyPair();
  const { envelope } = await packSource(SOURCE, { keys: [key.seed], identifier: 'scorer', params: { weight: 2 } });
  const trust = trustSingleKey(key.publicKey);

  const fresh: LoadTimings[] = [];
  for (let i = 0; i < SAMPLES + WARMUP; i++) {
    const component = await loadComponent(envelope, { trust });
    if (i >= WARMUP) fresh.push(component.timings);
    component.dispose();
  }
  const loader = new Loader({ trust, poolSize: 4 });
  const pooled: LoadTimings[] = [];
  for (let i = 0; i < SAMPLES + WARMUP; i++) {
    await loader.warm();
    const component = await loader.load(envelope);
    if (i >= WARMUP) pooled.push(component.timings);
    component.dispose();
  }
  loader.close();

  const rows: BenchRow[] = [];
  for (const [mode, timings] of [['no pool', medians(fresh)], ['warm pool', medians(pooled)]] as const) {
    rows.push({ name: `${mode}: decode (JSON, base64, record schema, code sha256)`, value: timings.decodeMs });
    rows.push({ name: `${mode}: verify (Ed25519${mode === 'warm pool' ? ', verification cache hit' : ''}, trust, expiry)`, value: timings.verifyMs });
    rows.push({ name: `${mode}: validate (policy${mode === 'warm pool' ? ', verdict remembered by source sha256' : ''})`, value: timings.validateMs });
    rows.push({
      name: `${mode}: instantiate (${mode === 'warm pool' ? 'warm hardened context' : 'new isolate, context, hardening prelude'}, compile, link, evaluate, construct)`,
      value: timings.instantiateMs,
    });
  }
  return {
    title: 'Load: time per stage',
    rows,
    notes: [`Medians of ${SAMPLES} loads of a 2 KB envelope (a 150-byte class) after ${WARMUP} unmeasured ones. "no pool" is loadComponent (a fresh loader, so no verification cache and no remembered policy verdict); "warm pool" is one Loader loading the same envelope again, with its pool refilled between loads.`],
  };
}
