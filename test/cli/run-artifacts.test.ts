/** isoclass run with artifacts kept in a blob folder (--blob-dir), verified when the component reads them. */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, keyedDir, runCli } from '../helpers.ts';

const LOOKUP = join(ROOT, 'test', 'fixtures', 'components', 'lookup-table.ts');

describe('isoclass run --blob-dir', () => {
  it('reads a blob-stored artifact, and refuses one whose bytes were swapped', async (t) => {
    const dir = await keyedDir(t);
    writeFileSync(join(dir, 'big.bin'), Buffer.from(Array.from({ length: 64 }, (_, i) => i)));
    const pack = await runCli(
      ['pack', LOOKUP, '--key', 'dev.key', '--out', 'lookup.json', '--params', '{"table":"big"}', '--artifact', 'big=big.bin', '--blob-dir', 'blobs', '--max-inline-bytes', '16'],
      { cwd: dir },
    );
    assert.equal(pack.code, 0, pack.stderr);

    const withoutBlobs = await runCli(['run', 'lookup.json', '--trust', 'dev.pub', '--call', 'at', '--args', '[5]', '--json'], { cwd: dir });
    assert.equal(withoutBlobs.code, 14, 'the component sees the missing artifact as an error it threw');

    const run = await runCli(['run', 'lookup.json', '--trust', 'dev.pub', '--call', 'at', '--args', '[5]', '--blob-dir', 'blobs', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(JSON.parse(run.stdout), { ok: true, result: 5 });

    // substitution: the blob's bytes no longer match the hash the signed record gives
    const blobDir = join(dir, 'blobs', 'sha256');
    const [blob] = readdirSync(blobDir);
    writeFileSync(join(blobDir, blob ?? 'missing'), Buffer.alloc(64, 9));
    const swapped = await runCli(['run', 'lookup.json', '--trust', 'dev.pub', '--call', 'at', '--args', '[5]', '--blob-dir', 'blobs', '--json'], { cwd: dir });
    assert.equal(swapped.code, 14);
    assert.match(swapped.stdout, /does not hash to its name/);
  });
});
