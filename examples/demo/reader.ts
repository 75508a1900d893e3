/**
 * The reading service: it has the envelopes and the writer's public key — none of the
 * components' code. It loads each envelope (decode → verify → validate → instantiate), calls it,
 * and shows the refusals.
 *
 *   node --no-node-snapshot examples/demo/reader.ts <dir-from-writer>
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IsoclassError, loadComponent, parseTrust } from '../../src/index.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: reader.ts <dir>');
const trust = parseTrust(readFileSync(join(dir, 'writer.pub'), 'utf8'), 'writer.pub');

/** What this service does with each component it knows by name. */
const CALLS: Record<string, [method: string, args: unknown[]][]> = {
  scorer: [
    ['score', [{ clicks: 12, dwell: 95 }]],
    [
      'rank',
      [
        [
          { id: 'post-1', features: { clicks: 3, dwell: 40 } },
          { id: 'post-2', features: { clicks: 30, dwell: 10, reports: 2 } },
          { id: 'post-3', features: { clicks: 8, dwell: 200 } },
        ],
      ],
    ],
  ],
  'text-stats': [
    ['topWords', ['The cat sat on the mat. The cat ate the rat, and the rat ran to the cat.']],
    ['summarize', ['Isolates are cheap. Signatures are cheaper. Trust is earned!']],
  ],
  'rate-limiter': [
    ['allow', ['tenant-a', 1000]],
    ['allow', ['tenant-a', 1001]],
    ['allow', ['tenant-a', 1002]],
    ['allow', ['tenant-a', 2500]],
  ],
};

const fmt = (n: number): string => `${n.toFixed(2)} ms`;
let unexpected = 0;
for (const file of readdirSync(join(dir, 'envelopes')).sort()) {
  const bytes = readFileSync(join(dir, 'envelopes', file));
  const name = file.replace(/\.json$/, '');
  console.log(`\nreader: ${file} (${bytes.length} bytes)`);
  try {
    const component = await loadComponent(bytes, {
      trust,
      policy: 'default',
      tenant: 'acme',
      onLog: (e) => console.log(`  [log ${e.identifier}] ${e.line}`),
    });
    const t = component.timings;
    console.log(`  loaded ${component.record.tenant}/${component.record.identifier} v${component.record.version}: ${component.record.repr}`);
    console.log(`  decode ${fmt(t.decodeMs)} · verify ${fmt(t.verifyMs)} · validate ${fmt(t.validateMs)} · instantiate ${fmt(t.instantiateMs)}`);
    for (const [method, args] of CALLS[name] ?? []) {
      const start = performance.now();
      const result = await component.call(method, args);
      console.log(`  ${method}(${JSON.stringify(args).slice(1, -1).slice(0, 60)}) → ${JSON.stringify(result)}  (${fmt(performance.now() - start)})`);
    }
    component.dispose();
    if (!(name in CALLS)) {
      unexpected++;
      console.log('  UNEXPECTED: this envelope should have been refused');
    }
  } catch (error) {
    if (!(error instanceof IsoclassError)) throw error;
    console.log(`  refused: ${error.code} — ${error.message.split('\n')[0]}`);
    if (name in CALLS) unexpected++;
  }
}
if (unexpected > 0) {
  console.error(`\nreader: ${unexpected} unexpected outcome(s)`);
  process.exitCode = 1;
} else {
  console.log('\nreader: every trusted component ran; the tampered and the policy-violating envelopes were refused.');
}
