/**
 * Child of memory.bench.ts: loads N copies of a component (distinct identifiers) into one process,
 * all kept loaded and idle, and prints the resident memory they added, per component.
 *   node --no-node-snapshot --expose-gc idle-child.ts '{"mode":"isolate","count":200}'
 */
import { Loader, type LoadedComponent } from '../../src/loader.ts';
import { COMPACT_AFTER_IDLE_MS } from '../../src/sandbox/component.ts';
import { rawInstance, rawSource } from '../sandbox.bench.ts';
import { RECORD_TYPE, sha256Hex, serializeRecord, type ComponentRecord } from '../../src/envelope/record.ts';
import { ISOCLASS_PAYLOAD_TYPE, encodeEnvelope } from '../../src/envelope/envelope.ts';
import { generateKeyPair } from '../../src/signing/ed25519.ts';
import { signEnvelope } from '../../src/signing/sign.ts';
import { trustSingleKey } from '../../src/signing/trust.ts';

const { mode, count } = JSON.parse(process.argv[2] ?? '{}') as { mode: 'isolate' | 'tenant' | 'raw'; count: number };
const SOURCE = `import { Component } from 'isoclass';
export default class Scorer extends Component {
  score(x) { return x * this.params.weight + 1; }
}
`;
const key = generateKeyPair();
const envelopes = Array.from({ length: count }, (_, i) => {
  const record: ComponentRecord = {
    _type: RECORD_TYPE, identifier: `scorer-${i}`, version: 1, tenant: 'acme', repr: 'class Scorer',
    code: { format: 'esm', source: SOURCE, sha256: sha256Hex(SOURCE), export: 'default' },
    params: { weight: 2 }, artifacts: {}, createdAt: new Date(0).toISOString(), expiresAt: null,
  };
  return encodeEnvelope(signEnvelope(ISOCLASS_PAYLOAD_TYPE, serializeRecord(record), [key.seed]));
});
if (mode === 'raw') await rawFloor();
const loader = new Loader({ trust: trustSingleKey(key.publicKey), isolation: mode === 'raw' ? 'isolate' : mode, poolSize: 0, tenantLimits: { maxIsolates: count + 1, maxComponents: count + 1, maxMemoryMb: 1_000_000 } });
// one first load so code and caches common to all are in place before measuring
const first = await loader.load(envelopes[0]!);
await first.call('score', [1]);
const before = await settledRss();
const loaded: LoadedComponent[] = [];
const heapAfterLoad: number[] = [];
for (let i = 1; i < count; i++) {
  const component = await loader.load(envelopes[i]!);
  if ((await component.call('score', [20])) !== 41) throw new Error('wrong result');
  loaded.push(component);
  heapAfterLoad.push(component.metrics().heapUsedBytes);
}
if (mode === 'isolate') await compacted();
const after = await settledRss();
process.stdout.write(`${JSON.stringify({ mode, components: loaded.length, perComponentBytes: (after - before) / loaded.length, rssMb: after / 2 ** 20 })}\n`);
// (no process.exit: exiting while an isolate's thread is busy can crash inside isolated-vm)
loader.close();

/** Waits until every component's isolate has been compacted (its heap fell), at most 30 s. */
async function compacted(): Promise<void> {
  const until = performance.now() + 30_000;
  while (loaded.some((c, i) => c.metrics().heapUsedBytes > heapAfterLoad[i]! - 100_000)) {
    if (performance.now() > until) throw new Error('idle isolates were not all compacted within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The process's resident set once the components are idle (past the idle time after which an
 * isolate of its own is compacted, component.ts; in isolate mode, compacted() has also seen each
 * one's heap fall), and once the host has collected (three GCs, 200 ms apart). The raw baseline
 * waits as long.
 */
async function settledRss(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, COMPACT_AFTER_IDLE_MS + 500));
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return process.memoryUsage.rss();
}

/** The baseline: plain isolated-vm isolates, each with a context and the module constructed, nothing of isoclass. */
async function rawFloor(): Promise<never> {
  const raw = rawSource(SOURCE);
  const make = async (): Promise<unknown[]> => {
    const { isolate, context, module, callers: call } = await rawInstance('(C, p) => { const o = new C(p); return (x) => o.score(x); }', raw);
    if ((await call.apply(undefined, [20])) !== 41) throw new Error('wrong result');
    return [isolate, context, module, call];
  };
  const kept: unknown[] = [await make()];
  const before = await settledRss();
  for (let i = 1; i < count; i++) kept.push(await make());
  const after = await settledRss();
  process.stdout.write(`${JSON.stringify({ mode, components: count - 1, perComponentBytes: (after - before) / (count - 1), rssMb: after / 2 ** 20 })}\n`);
  process.exit(0);
}
