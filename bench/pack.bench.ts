/**
 * What packing costs on top of packSource (policy validation + a round trip in a fresh isolate
 * + Ed25519 signing), measured in the same run: capturing a live class (toString, scope
 * analysis, closures read through node:inspector, shape checks) and bundling a file (esbuild).
 */
import { fileURLToPath } from 'node:url';
import { bundleFile } from '../src/pack/bundle.ts';
import { pack, packFile, packSource } from '../src/pack/pack.ts';
import { generateKeyPair } from '../src/signing/ed25519.ts';
import { Formatter, formatterDeps } from '../test/fixtures/live/closures.ts';
import { compare, type BenchSection } from './lib.ts';

const TASK_BOARD = fileURLToPath(new URL('../test/fixtures/components/task-board.ts', import.meta.url));

export default async function bench(): Promise<BenchSection> {
  const keys = [generateKeyPair().seed];
  const liveOptions = { keys, deps: formatterDeps, params: { currency: 'usd' } };
  const captured = (await pack(Formatter, liveOptions)).record.code;
  const live = await compare(
    () => packSource(captured.source, { keys, params: { currency: 'usd' } }, captured.sourceMap),
    () => pack(Formatter, liveOptions),
    { samples: 20, warmup: 4 },
  );
  const bundled = await bundleFile(TASK_BOARD);
  const fileOptions = { keys, params: { capacity: 3 } };
  const file = await compare(() => packSource(bundled.source, fileOptions, bundled.sourceMap), () => packFile(TASK_BOARD, fileOptions), { samples: 20, warmup: 4 });
  return {
    title: 'Pack: capture and bundling on top of validate + round trip + sign',
    rows: [
      { name: 'packSource, the module pack(Formatter) emits', value: live.baseline.medianUs },
      { name: 'pack(Formatter) with 16 deps', value: live.subject.medianUs, baseline: 'packSource of its module', ratio: live.ratio },
      { name: 'packSource, bundled TypeScript (3 files)', value: file.baseline.medianUs },
      { name: 'packFile(task-board.ts)', value: file.subject.medianUs, baseline: 'packSource of its bundle', ratio: file.ratio },
    ],
    notes: [
      'Both sides validate against the default policy, instantiate the component in a fresh isolate and sign; the subject adds the capture (toString, eslint-scope, closures and function locations through node:inspector, shape checks, emitting the module and its source map) or the esbuild bundle. Pack runs on the writer, once per version.',
    ],
  };
}
