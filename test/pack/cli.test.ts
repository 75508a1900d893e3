/** The CLI side of packing: isoclass pack flags, isoclass inspect and inspect --diff, in a child process. */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, keyedDir, runCli } from '../helpers.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures');


function json(stdout: string): { ok: boolean; result: Record<string, unknown>; error: { code: string; message: string } } {
  return JSON.parse(stdout) as { ok: boolean; result: Record<string, unknown>; error: { code: string; message: string } };
}

describe('isoclass pack and inspect', () => {
  it('bundles a listed npm package (--bundle) and shows what was bundled', async (t) => {
    const dir = await keyedDir(t);
    const pack = await runCli(['pack', join(FIXTURES, 'packages', 'lru-cache.ts'), '--key', 'dev.key', '--out', 'lru.json', '--bundle', 'quick-lru', '--params', '{"maxSize":2}', '--tenant', 'acme'], { cwd: dir });
    assert.equal(pack.code, 0, pack.stderr);
    assert.match(pack.stdout, /packed acme\/lru-cache v1 \(class LruCache extends Component\) -> lru\.json\ncode sha256 [0-9a-f]{64}\nbundled packages quick-lru@7\.\d+\.\d+/);
    const inspect = await runCli(['inspect', 'lru.json'], { cwd: dir });
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /^UNVERIFIED: inspect checks no signature/);
    assert.match(inspect.stdout, /with a source map/);
    assert.match(inspect.stdout, /bundled lru-cache\.ts; packages quick-lru@7\.\d+\.\d+/);
    assert.match(inspect.stdout, /reaches runtime Component; globals .*Map/);
    const run = await runCli(['run', 'lru.json', '--trust', 'dev.pub', '--call', 'put', '--args', '["a",1]', '--json'], { cwd: dir });
    assert.deepEqual(json(run.stdout), { ok: true, result: 1 });
  });

  it('refuses an unlisted package with the flag that fixes it (exit 2)', async (t) => {
    const dir = await keyedDir(t);
    const pack = await runCli(['pack', join(FIXTURES, 'packages', 'lru-cache.ts'), '--key', 'dev.key', '--out', 'lru.json', '--json'], { cwd: dir });
    assert.equal(pack.code, 2);
    const { error } = json(pack.stdout);
    assert.equal(error.code, 'PACK_IMPORT_NOT_ALLOWED');
    assert.match(error.message, /isoclass pack --bundle quick-lru/);
    assert.equal(existsSync(join(dir, 'lru.json')), false, 'nothing written');
  });

  it('stores artifacts inline or in --blob-dir, and versions from --previous', async (t) => {
    const dir = await keyedDir(t);
    writeFileSync(join(dir, 'small.bin'), Buffer.from([1, 2, 3]));
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(64, 7));
    const base = ['pack', join(FIXTURES, 'components', 'lookup-table.ts'), '--key', 'dev.key', '--params', '{"table":"small"}', '--tenant', 'acme', '--name', 'lookup'];
    const v1 = await runCli([...base, '--out', 'v1.json', '--version', '4', '--artifact', 'small=small.bin'], { cwd: dir });
    assert.equal(v1.code, 0, v1.stderr);
    assert.match(v1.stdout, /artifacts small \(3 bytes, inline\)/);
    const v2 = await runCli([...base, '--out', 'v2.json', '--previous', 'v1.json', '--artifact', 'small=small.bin', '--artifact', 'big=big.bin', '--blob-dir', 'blobs', '--max-inline-bytes', '16', '--json'], { cwd: dir });
    assert.equal(v2.code, 0, v2.stderr);
    assert.equal(json(v2.stdout).result['version'], 5);
    assert.ok(existsSync(join(dir, 'blobs', 'sha256')), 'the blob folder was written');

    const diff = await runCli(['inspect', '--diff', 'v1.json', 'v2.json'], { cwd: dir });
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^UNVERIFIED: inspect checks no signature/);
    assert.match(diff.stdout, /acme\/lookup v4 -> acme\/lookup v5/);
    assert.match(diff.stdout, /code: unchanged/);
    assert.match(diff.stdout, /params: unchanged/);
    assert.match(diff.stdout, /artifacts:\n {2}\+ big: sha256 [0-9a-f]{16}…, 64 bytes, application\/octet-stream, blob/);

    const rollback = await runCli([...base, '--out', 'v3.json', '--previous', 'v2.json', '--version', '5', '--json'], { cwd: dir });
    assert.equal(rollback.code, 2);
    assert.equal(json(rollback.stdout).error.code, 'PACK_PREVIOUS_MISMATCH');
  });

  it('inspect --diff shows a code change as a unified diff and the params that changed', async (t) => {
    const dir = await keyedDir(t);
    cpSync(join(FIXTURES, 'components'), join(dir, 'c'), { recursive: true });
    const entry = join(dir, 'c', 'task-board.ts');
    assert.equal((await runCli(['pack', entry, '--key', 'dev.key', '--out', 'v1.json', '--params', '{"capacity":3}'], { cwd: dir })).code, 0);
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('board is full', 'the board is full'));
    const v2 = await runCli(['pack', entry, '--key', 'dev.key', '--out', 'v2.json', '--params', '{"capacity":5,"owner":"ann"}', '--previous', 'v1.json'], { cwd: dir });
    assert.equal(v2.code, 0, v2.stderr);
    const diff = await runCli(['inspect', '--diff', 'v1.json', 'v2.json', '--json'], { cwd: dir });
    const { result } = json(diff.stdout);
    const code = result['code'] as { changed: boolean; added: number; removed: number; unified: string; files: { file: string; change: string }[] };
    assert.equal(result['verified'], false);
    assert.deepEqual([code.changed, code.added, code.removed], [true, 1, 1]);
    assert.match(code.unified, /-\s+throw new RangeError\(`board is full.*\n\+\s+throw new RangeError\(`the board is full/);
    assert.deepEqual(code.files, [{ file: 'task-board.ts', change: 'changed', added: 1, removed: 1 }]);
    assert.deepEqual(result['params'], [
      { path: 'params.capacity', change: 'changed', before: 3, after: 5 },
      { path: 'params.owner', change: 'added', after: 'ann' },
    ]);
    const text = await runCli(['inspect', '--diff', 'v1.json', 'v2.json'], { cwd: dir });
    assert.match(text.stdout, /default\/task-board v1 -> default\/task-board v2/);
    assert.match(text.stdout, / {2}~ task-board\.ts \(\+1 -1\)/);
    assert.match(text.stdout, /params:\n {2}~ params\.capacity: 3 -> 5\n {2}\+ params\.owner: "ann"/);
  });

  it('exits 2 for malformed pack and inspect arguments', async (t) => {
    const dir = await keyedDir(t);
    const lookup = join(FIXTURES, 'components', 'lookup-table.ts');
    const cases: [string[], RegExp][] = [
      [['pack', lookup, '--key', 'dev.key', '--out', 'x.json', '--artifact', 'nameonly'], /--artifact "nameonly" must be name=path/],
      [['pack', lookup, '--key', 'dev.key', '--out', 'x.json', '--artifact', 'a=1', '--artifact', 'a=2'], /--artifact a is given twice/],
      [['pack', lookup, '--key', 'dev.key', '--out', 'x.json', '--max-inline-bytes=-1'], /--max-inline-bytes must be a non-negative integer/],
      [['pack', lookup, '--key', 'dev.key', '--out', 'x.json', '--max-inline-bytes', 'lots'], /--max-inline-bytes must be a non-negative integer, got "lots"/],
      [['pack', lookup, '--key', 'dev.key', '--out', 'x.json', '--previous', 'missing.json'], /cannot read previous envelope missing\.json/],
      [['inspect', '--diff', 'only-one.json'], /--diff takes two envelope files, old then new \(got 1\)/],
      [['inspect', 'a.json', 'b.json'], /expected one envelope file \(got 2\)/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([...args, '--json'], { cwd: dir });
      assert.equal(result.code, 2, `${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
      assert.match(json(result.stdout).error.message, message, args.join(' '));
    }
  });
});
