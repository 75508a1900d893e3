/**
 * Child process of run-guarded.ts: loads each named bomb in the given mode, calls it, and prints
 * one JSON line per step, then checks a normal component still works. Never run in the test
 * process itself: a regression here may take the whole process down.
 *
 *   node --no-node-snapshot bomb-child.ts '{"mode":"pooled","names":["..."]}'
 */
import { SandboxError } from '../../../src/sandbox/errors.ts';
import { ComponentError } from '../../../src/sandbox/errors.ts';
import { BUILTIN_BOMBS, CORE_BOMBS, HASH_TABLE_BOMBS, LOOP_BOMBS, bombSource, type Bomb } from './bombs.ts';
import { loaderFor, loadSource, normalStillWorks, type Mode } from './modes.ts';

const { mode, names } = JSON.parse(process.argv[2] ?? '{}') as { mode: Mode; names: string[] };
const all = new Map<string, Bomb>([...LOOP_BOMBS, ...BUILTIN_BOMBS, ...HASH_TABLE_BOMBS, ...CORE_BOMBS].map((b) => [b.name, b]));
const say = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...line, rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20) })}\n`);
};

const loader = loaderFor(mode);
for (const name of names) {
  const bomb = all.get(name);
  if (bomb === undefined) throw new Error(`no bomb named ${name}`);
  say({ event: 'start', name });
  const started = performance.now();
  let code = 'NO_ERROR';
  let message = '';
  try {
    const component = await loadSource(loader, bombSource(bomb));
    try {
      await component.call('run');
    } finally {
      component.dispose();
    }
  } catch (error) {
    code = error instanceof SandboxError || error instanceof ComponentError ? error.code : `UNTYPED:${(error as Error)?.name}`;
    message = String((error as Error)?.message).slice(0, 300);
  }
  const ms = Math.round(performance.now() - started);
  // another tenant: the bomb's own tenant may rightly be quarantined after repeated lost isolates
  const normal = await normalStillWorks(loader, 'bystander').catch((e: unknown) => `normal component failed: ${(e as Error).message}`);
  say({ event: 'end', name, code, message, ms, normal });
}
loader.close();
say({ event: 'done' });
process.exit(0);
