#!/usr/bin/env node
// The `isoclass` command. isolated-vm needs Node >= 24 started with --no-node-snapshot; when
// this process was not, re-run it under a suitable Node (this one, or the `node` package pinned
// in a development checkout) with the flag, and pass the exit code through.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const major = Number(process.versions.node.split('.')[0]);
const ready = major >= 24 && process.execArgv.includes('--no-node-snapshot');

if (ready) {
  // a checkout runs its sources (a dist/ left from an earlier build would be stale); the
  // published package has only dist/
  const source = join(root, 'src', 'cli', 'main.ts');
  const entry = existsSync(source) ? source : join(root, 'dist', 'cli', 'main.js');
  const { main } = await import(pathToFileURL(entry).href);
  process.exitCode = await main(process.argv.slice(2));
} else {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  const node = major >= 24 ? process.execPath : existsSync(pinned) ? pinned : undefined;
  if (node === undefined) {
    process.stderr.write(`isoclass: needs Node.js 24 or newer (this is ${process.version})\n`);
    process.exit(1);
  }
  // --no-turboshaft-loop-unrolling (src/sandbox/v8-flags.ts, ISOLATE_SAFETY_FLAGS): without it an
  // optimised loop runs past the isolate's CPU timeout and memory limit; the sandbox also sets it
  // at run time, and here it is in force before V8 compiles anything (docs/sandbox-limits.md)
  const flags = ['--no-node-snapshot', '--no-turboshaft-loop-unrolling'];
  const child = spawnSync(node, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
