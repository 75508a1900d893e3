/**
 * `npm run bench [-- filter]`: runs every bench/*.bench.ts (or those whose name contains the
 * filter) and prints one Markdown section each, ready for BENCHMARKS.md.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatSection, type BenchSection } from './lib.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();

console.log(`# isoclass benchmarks\n\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} cores), ${new Date().toISOString()}\n`);
let missed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}/${file}`).href)) as { default: () => Promise<BenchSection> };
  const section = await mod.default();
  missed += section.rows.filter((r) => r.met === false).length;
  console.log(`${formatSection(section)}\n`);
}
if (missed > 0) console.log(`${missed} target(s) not met.`);
