/**
 * Envelope bytes → first call result, against the raw isolated-vm floor measured in the same
 * run: new Isolate + context + compile + instantiate + one call, with nothing else.
 */
import ivm from 'isolated-vm';
import { loadComponent } from '../src/loader.ts';
import { packSource } from '../src/pack/pack.ts';
import { generateKeyPair } from '../src/signing/ed25519.ts';
import { trustSingleKey } from '../src/signing/trust.ts';
import { compare, type BenchSection } from './lib.ts';

const SOURCE = `import { Component } from 'isoclass';
export default class Scorer extends Component {
  score(x) { return x * this.params.weight + 1; }
}
`;
const RAW_SOURCE = SOURCE.replace("import { Component } from 'isoclass';\n", 'class Component { constructor(p) { this.params = p; } }\n');

async function rawFloor(): Promise<void> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const module = await isolate.compileModule(RAW_SOURCE);
  await module.instantiate(context, () => {
    throw new Error('no imports');
  });
  await module.evaluate();
  const cls = (await module.namespace.get('default', { reference: true })) as ivm.Reference;
  const make = (await context.eval('(C, p) => { const o = new C(p); return (x) => o.score(x); }', { reference: true })) as ivm.Reference;
  const call = (await make.apply(undefined, [cls.derefInto(), new ivm.ExternalCopy({ weight: 2 }).copyInto()], { result: { reference: true } })) as ivm.Reference;
  const result = await call.apply(undefined, [20], { arguments: { copy: true }, result: { copy: true } });
  if (result !== 41) throw new Error('raw floor computed the wrong result');
  isolate.dispose();
}

export default async function bench(): Promise<BenchSection> {
  const key = generateKeyPair();
  const { envelope } = await packSource(SOURCE, { keys: [key.seed], identifier: 'scorer', params: { weight: 2 } });
  const bytes = Buffer.from(envelope);
  const trust = trustSingleKey(key.publicKey);
  const load = async (): Promise<void> => {
    const component = await loadComponent(bytes, { trust });
    const result = await component.call('score', [20]);
    if (result !== 41) throw new Error('isoclass computed the wrong result');
    component.dispose();
  };
  const c = await compare(rawFloor, load, { samples: 40, warmup: 10 });
  return {
    title: 'Load: envelope bytes → first call result (no pool)',
    rows: [
      { name: 'raw isolated-vm floor', value: c.baseline.medianUs },
      { name: 'isoclass loadComponent + call', value: c.subject.medianUs, baseline: 'raw floor', ratio: c.ratio, target: '≤ 1.3× (issue 5)', met: c.ratio <= 1.3 },
    ],
    notes: ['Raw floor: new Isolate + createContext + compileModule + instantiate + evaluate + construct + one call. isoclass adds decode, verify (Ed25519), policy validation, the hardened context and the runtime module.'],
  };
}
