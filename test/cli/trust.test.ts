/** The CLI's trust commands, --state, and keygen's key file safety, in child processes. */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers.ts';

const COMPONENT = (n: number) => `import { Component } from 'isoclass';\nexport default class Scorer extends Component {\n  score(x) { return x * ${n}; }\n}\n`;
const json = (stdout: string) => JSON.parse(stdout) as { ok: boolean; result: Record<string, unknown>; error: { code: string; message: string } };

async function ok(args: string[], cwd: string) {
  const r = await runCli(args, { cwd });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r;
}

describe('isoclass trust add / revoke / list', () => {
  it('creates the trust file on first add, scopes keys, revokes them, and lists them', async (t) => {
    const dir = tempDir(t);
    await ok(['keygen', '--out', 'a'], dir);
    await ok(['keygen', '--out', 'b'], dir);
    writeFileSync(join(dir, 'Scorer.js'), COMPONENT(2));
    await ok(['pack', 'Scorer.js', '--key', 'a.key', '--out', 'acme.json', '--name', 'billing/scorer', '--tenant', 'acme'], dir);
    await ok(['pack', 'Scorer.js', '--key', 'b.key', '--out', 'b.json', '--name', 'billing/scorer', '--tenant', 'acme'], dir);

    const added = await ok(['trust', 'add', 'a.pub', '--trust', 'trust.json', '--tenant', 'acme', '--identifier', 'billing/*', '--not-after', '2099-01-01T00:00:00Z', '--json'], dir);
    const keyA = (json(added.stdout).result['added'] as { keyid: string }).keyid;
    assert.match(keyA, /^[0-9a-f]{64}$/);
    assert.equal(statSync(join(dir, 'trust.json')).isFile(), true);
    await ok(['verify', 'acme.json', '--trust', 'trust.json'], dir);

    const unknown = await runCli(['verify', 'b.json', '--trust', 'trust.json', '--json'], { cwd: dir });
    assert.equal(unknown.code, 11);
    assert.equal(json(unknown.stdout).error.code, 'KEY_UNKNOWN');

    await ok(['trust', 'add', 'b.pub', '--trust', 'trust.json', '--tenant', 'globex'], dir);
    const scope = await runCli(['verify', 'b.json', '--trust', 'trust.json', '--json'], { cwd: dir });
    assert.equal(scope.code, 11);
    assert.equal(json(scope.stdout).error.code, 'KEY_OUT_OF_SCOPE');

    const again = await runCli(['trust', 'add', 'a.pub', '--trust', 'trust.json', '--json'], { cwd: dir });
    assert.equal(again.code, 11, 'a key already listed is refused');
    assert.match(json(again.stdout).error.message, /already listed/);

    await ok(['trust', 'revoke', keyA, '--trust', 'trust.json'], dir);
    const revoked = await runCli(['verify', 'acme.json', '--trust', 'trust.json', '--json'], { cwd: dir });
    assert.equal(revoked.code, 11);
    assert.equal(json(revoked.stdout).error.code, 'KEY_REVOKED');
    const byFile = await ok(['trust', 'revoke', 'b.pub', '--trust', 'trust.json', '--json'], dir);
    assert.equal(json(byFile.stdout).result['alreadyRevoked'], false);
    assert.match((await ok(['trust', 'revoke', 'b.pub', '--trust', 'trust.json'], dir)).stdout, /already revoked/);

    const list = json((await ok(['trust', 'list', '--trust', 'trust.json', '--json'], dir)).stdout).result as { threshold: number; keys: { keyid: string; status: string; tenants: string[]; identifiers: string[]; notAfter?: string }[] };
    assert.equal(list.threshold, 1);
    assert.deepEqual(list.keys.map((k) => [k.status, k.tenants, k.identifiers]), [['revoked', ['acme'], ['billing/*']], ['revoked', ['globex'], ['*']]]);
    assert.equal(list.keys[0]?.notAfter, '2099-01-01T00:00:00Z');
    const text = (await ok(['trust', 'list', '--trust', 'trust.json'], dir)).stdout;
    assert.match(text, new RegExp(`${keyA}\\s+revoked`));
  });

  it('refuses bad input with exit 2 and leaves the file as it was', async (t) => {
    const dir = tempDir(t);
    await ok(['keygen', '--out', 'a'], dir);
    await ok(['trust', 'add', 'a.pub', '--trust', 'trust.json'], dir);
    const before = readFileSync(join(dir, 'trust.json'), 'utf8');
    const cases: string[][] = [
      ['trust', 'add', 'a.pub', '--trust', 'trust.json', '--not-after', 'next tuesday'],
      ['trust', 'add', 'a.pub', '--trust', 'trust.json', '--not-before', '2027-01-01T10:00'],
      ['trust', 'revoke', 'nonsense', '--trust', 'trust.json'],
      ['trust', 'list', '--trust', 'trust.json', '--tenant', 'x'],
      ['trust', 'frobnicate', '--trust', 'trust.json'],
      ['trust', 'list'],
      ['trust', 'list', '--trust', 'missing.json'],
      ['trust', 'add', 'a.pub', '--trust', 'a.pub'],
    ];
    for (const args of cases) assert.equal((await runCli(args, { cwd: dir })).code, 2, args.join(' '));
    writeFileSync(join(dir, 'trust.json.lock'), '');
    const locked = await runCli(['trust', 'revoke', 'a.pub', '--trust', 'trust.json'], { cwd: dir });
    assert.equal(locked.code, 2);
    assert.match(locked.stderr, /another edit .* is in progress/);
    assert.equal(readFileSync(join(dir, 'trust.json'), 'utf8'), before);
  });
});

describe('isoclass run / verify --state', () => {
  it('remembers the highest version: a rollback and an equivocation exit 11', async (t) => {
    const dir = tempDir(t);
    await ok(['keygen', '--out', 'dev'], dir);
    writeFileSync(join(dir, 'Scorer.js'), COMPONENT(2));
    await ok(['pack', 'Scorer.js', '--key', 'dev.key', '--out', 'v1.json', '--version', '1'], dir);
    await ok(['pack', 'Scorer.js', '--key', 'dev.key', '--out', 'v2.json', '--version', '2'], dir);
    writeFileSync(join(dir, 'Scorer.js'), COMPONENT(3));
    await ok(['pack', 'Scorer.js', '--key', 'dev.key', '--out', 'v2-other.json', '--version', '2'], dir);

    const run = (file: string) => runCli(['run', file, '--trust', 'dev.pub', '--state', 'state', '--call', 'score', '--args', '[5]', '--json'], { cwd: dir });
    assert.equal(json((await run('v1.json')).stdout).result, 10);
    assert.equal(json((await run('v2.json')).stdout).result, 10);
    const rollback = await run('v1.json');
    assert.equal(rollback.code, 11);
    assert.equal(json(rollback.stdout).error.code, 'ROLLBACK');
    const equivocation = await run('v2-other.json');
    assert.equal(equivocation.code, 11);
    assert.equal(json(equivocation.stdout).error.code, 'EQUIVOCATION');
    const state = JSON.parse(readFileSync(join(dir, 'state', 'versions.json'), 'utf8')) as { components: Record<string, Record<string, { version: number }>> };
    assert.equal(Object.values(state.components)[0]?.['Scorer']?.version, 2);

    const verifyOld = await runCli(['verify', 'v1.json', '--trust', 'dev.pub', '--state', 'state', '--json'], { cwd: dir });
    assert.equal(json(verifyOld.stdout).error.code, 'ROLLBACK');
    await ok(['verify', 'v1.json', '--trust', 'dev.pub'], dir);
  });
});

describe('isoclass keygen', () => {
  it('writes the secret key with mode 0600 and refuses to overwrite either file', async (t) => {
    const dir = tempDir(t);
    await ok(['keygen', '--out', 'dev'], dir);
    assert.equal(statSync(join(dir, 'dev.key')).mode & 0o777, 0o600);
    const secret = readFileSync(join(dir, 'dev.key'), 'utf8');
    const again = await runCli(['keygen', '--out', 'dev', '--json'], { cwd: dir });
    assert.equal(again.code, 2);
    assert.equal(json(again.stdout).error.code, 'USAGE_FILE_EXISTS');
    assert.equal(readFileSync(join(dir, 'dev.key'), 'utf8'), secret, 'the existing key is untouched');
    writeFileSync(join(dir, 'only.pub'), 'x');
    assert.equal((await runCli(['keygen', '--out', 'only'], { cwd: dir })).code, 2, 'an existing .pub alone also blocks');
    assert.throws(() => statSync(join(dir, 'only.key')), 'no secret key was written');
  });
});
