/**
 * Where a load's time goes, stage by stage (the timings Loader.load reports), without the pool
 * (a fresh loader per load, as loadComponent does) and from the warm pool (one loader, the same
 * envelope again). The ratios against plain isolated-vm are in sandbox.bench.ts.
 */
import { Loader, loadComponent, type LoadTimings } from '../src/loader.ts';
import { packSource } from '../src/pack/pack.ts';
import { generateKeyPair } from '../src/signing/ed25519.ts';
import { trustSingleKey } from '../src/signing/trust.ts';
import { median, type BenchRow, type BenchSection } from './lib.ts';
import { SOURCE } from './sandbox.bench.ts';

const SAMPLES = 40; // loads measured
const WARMUP = 10; // loads first, not measured

/** Lets a tenant isolate finish preparing its next context (and the pool refill) between loads, as between requests. */
function settleSpare(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

/** Each stage's median over the loads, µs. */
function medians(all: LoadTimings[]): Record<keyof LoadTimings, number> {
  const of = (key: keyof LoadTimings): number => median(all.map((t) => t[key] * 1000));
  return { decodeMs: of('decodeMs'), verifyMs: of('verifyMs'), validateMs: of('validateMs'), instantiateMs: of('instantiateMs') };
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

  // isolate per tenant: another component of a tenant whose isolate has its next context ready,
  // and a new tenant's first load (its isolate from the warm pool, or made for it)
  const tenantSteady: number[] = [];
  const tenantFirst: Record<'pooled' | 'unpooled', number[]> = { pooled: [], unpooled: [] };
  const tenantEnvelopes = await Promise.all(
    Array.from({ length: SAMPLES + WARMUP }, (_, i) => packSource(SOURCE, { keys: [key.seed], identifier: `scorer-${i}`, tenant: `tenant-${i}`, params: { weight: 2 } }).then((p) => p.envelope)),
  );
  for (const mode of ['pooled', 'unpooled'] as const) {
    const tenants = new Loader({ trust, isolation: 'tenant', poolSize: mode === 'pooled' ? 2 : 0 });
    await tenants.warm();
    const kept = [];
    for (let i = 0; i < SAMPLES + WARMUP; i++) {
      await tenants.warm();
      await settleSpare();
      let started = process.hrtime.bigint();
      const first = await tenants.load(tenantEnvelopes[i]!);
      if (i >= WARMUP) tenantFirst[mode].push(Number(process.hrtime.bigint() - started) / 1000);
      first.dispose();
      if (mode === 'pooled') {
        const anchor = await tenants.load(envelope);
        kept.push(anchor);
        await settleSpare();
        started = process.hrtime.bigint();
        const next = await tenants.load(envelope);
        if (i >= WARMUP) tenantSteady.push(Number(process.hrtime.bigint() - started) / 1000);
        kept.push(next);
      }
    }
    tenants.close();
  }

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
  rows.push({ name: 'isolate per tenant: another component of the tenant (its next context ready), whole load', value: median(tenantSteady) });
  rows.push({ name: "isolate per tenant: a new tenant's first load, isolate from the warm pool, whole load", value: median(tenantFirst.pooled) });
  rows.push({ name: "isolate per tenant: a new tenant's first load, no pool, whole load", value: median(tenantFirst.unpooled) });
  return {
    title: 'Load: time per stage',
    rows,
    notes: [
      `Medians of ${SAMPLES} loads of a 2 KB envelope (a 150-byte class) after ${WARMUP} unmeasured ones. "no pool" is loadComponent (a fresh loader, so no verification cache and no remembered policy verdict); "warm pool" is one Loader loading the same envelope again, with its pool refilled between loads.`,
      'The isolate-per-tenant rows are whole loads (decode to construct) with a loader in `isolation: "tenant"` mode; a tenant\'s shared isolate runs each step of a load as a task on its own thread (a sibling may be running), where an isolate of its own runs them on the calling thread.',
    ],
  };
}
