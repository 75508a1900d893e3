/**
 * `npm run demo`: a writer process packs and signs components; a separate reader process that
 * has only the envelopes and the writer's public key loads and calls them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'isoclass-demo-'));
try {
  for (const [role, script] of [
    ['writer', 'writer.ts'],
    ['reader', 'reader.ts'],
  ] as const) {
    console.log(`\n=== ${role} process (${script}) ===`);
    const child = spawnSync(process.execPath, ['--no-node-snapshot', join(here, script), dir], { stdio: 'inherit' });
    if (child.status !== 0) {
      console.error(`${role} failed with exit code ${child.status}`);
      process.exitCode = 1;
      break;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
