import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keyedDir, runCli } from '../helpers.ts';

const COMPONENT = `import { Component } from 'isoclass';
import { double } from './double.ts';

interface Params { offset: number }

export default class Adder extends Component {
  declare params: Params;
  add(a: number, b: number): number { return double(a + b) + this.params.offset; }
  boom(): never { throw new RangeError('out of range: ' + this.params.offset); }
  spin(): void { while (true) {} }
}
`;

async function setup(t: { after: (fn: () => void) => void }): Promise<string> {
  const dir = await keyedDir(t);
  writeFileSync(join(dir, 'Adder.ts'), COMPONENT);
  writeFileSync(join(dir, 'double.ts'), 'export function double(n: number): number { return n * 2; }\n');
  const pack = await runCli(['pack', 'Adder.ts', '--key', 'dev.key', '--out', 'adder.json', '--params', '{"offset":1}', '--tenant', 'acme', '--version', '2'], { cwd: dir });
  assert.equal(pack.code, 0, pack.stderr);
  return dir;
}

describe('isoclass CLI: keygen → pack → verify → run', () => {
  it('runs a new TypeScript component end to end and prints the result', async (t) => {
    const dir = await setup(t);
    assert.equal(statSync(join(dir, 'dev.key')).mode & 0o777, 0o600, 'secret key is owner-only');
    const verify = await runCli(['verify', 'adder.json', '--trust', 'dev.pub'], { cwd: dir });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /verified acme\/Adder v2: class Adder extends Component/);
    const run = await runCli(['run', 'adder.json', '--trust', 'dev.pub', '--call', 'add', '--args', '[2,3]'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), '11');
    const json = await runCli(['run', 'adder.json', '--trust', 'dev.pub', '--call', 'add', '--args', '[1,1]', '--json'], { cwd: dir });
    assert.deepEqual(JSON.parse(json.stdout), { ok: true, result: 5 });
  });

  it('exits 11 when one payload byte changed, 11 for an unknown key, 10 for malformed JSON', async (t) => {
    const dir = await setup(t);
    const envelope = JSON.parse(readFileSync(join(dir, 'adder.json'), 'utf8')) as { payload: string };
    const payload = Buffer.from(envelope.payload, 'base64');
    payload[payload.length - 5] = (payload[payload.length - 5] ?? 0) ^ 0x20;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify({ ...envelope, payload: payload.toString('base64') }));
    const tampered = await runCli(['run', 'tampered.json', '--trust', 'dev.pub', '--call', 'add', '--args', '[1,2]', '--json'], { cwd: dir });
    assert.equal(tampered.code, 11);
    assert.equal((JSON.parse(tampered.stdout) as { error: { code: string } }).error.code, 'SIGNATURE_INVALID');

    assert.equal((await runCli(['keygen', '--out', 'other'], { cwd: dir })).code, 0);
    const unknown = await runCli(['verify', 'adder.json', '--trust', 'other.pub', '--json'], { cwd: dir });
    assert.equal(unknown.code, 11);
    assert.equal((JSON.parse(unknown.stdout) as { error: { code: string } }).error.code, 'KEY_UNKNOWN');

    writeFileSync(join(dir, 'broken.json'), '{"payloadType": "x", "payload": ');
    const broken = await runCli(['run', 'broken.json', '--trust', 'dev.pub', '--call', 'add'], { cwd: dir });
    assert.equal(broken.code, 10);
    assert.match(broken.stderr, /ENVELOPE_NOT_JSON/);
  });

  it('exits 12 with line and column for eval, 13 for an endless loop within 2 s, 14 for a throw', async (t) => {
    const dir = await setup(t);
    writeFileSync(join(dir, 'Evil.js'), `import { Component } from 'isoclass';\nexport default class Evil extends Component {\n  run(code) {\n    return eval(code);\n  }\n}\n`);
    const lint = await runCli(['lint', 'Evil.js', '--json'], { cwd: dir });
    assert.equal(lint.code, 12);
    const violation = (JSON.parse(lint.stdout) as { error: { violations: { rule: string; line: number; column: number }[] } }).error.violations[0];
    assert.deepEqual([violation?.rule, violation?.line, violation?.column], ['global', 4, 12]);
    const pack = await runCli(['pack', 'Evil.js', '--key', 'dev.key', '--out', 'evil.json'], { cwd: dir });
    assert.equal(pack.code, 12, 'pack refuses what the policy refuses');
    assert.match(pack.stderr, /eval/);

    const spin = await runCli(['run', 'adder.json', '--trust', 'dev.pub', '--call', 'spin', '--timeout-ms', '200', '--json'], { cwd: dir });
    assert.equal(spin.code, 13);
    assert.equal((JSON.parse(spin.stdout) as { error: { code: string } }).error.code, 'TIMEOUT');
    assert.ok(spin.ms < 2000 + 1500, `took ${spin.ms} ms including process start`);

    const boom = await runCli(['run', 'adder.json', '--trust', 'dev.pub', '--call', 'boom'], { cwd: dir });
    assert.equal(boom.code, 14);
    assert.match(boom.stderr, /RangeError: out of range: 1/);
  });

  it('exits 2 for usage errors and refuses to overwrite a key', async (t) => {
    const dir = await setup(t);
    assert.equal((await runCli(['keygen', '--out', 'dev'], { cwd: dir })).code, 2);
    assert.equal((await runCli(['run', 'adder.json'], { cwd: dir })).code, 2);
    assert.equal((await runCli(['frobnicate'], { cwd: dir })).code, 2);
    assert.equal((await runCli(['run', 'adder.json', '--trust', 'dev.pub', '--call', 'add', '--args', '{"not":"array"}'], { cwd: dir })).code, 2);
  });

  it('exits 2 for limits out of a policy\'s bounds and for numbers that are not plain decimals, naming the option', async (t) => {
    const dir = await setup(t);
    const run = (...extra: string[]) => runCli(['run', 'adder.json', '--trust', 'dev.pub', '--call', 'add', '--args', '[1,2]', ...extra], { cwd: dir });
    const cases: [string[], RegExp][] = [
      [['--memory-mb', '1'], /--memory-mb 1 is out of range: it must be >= 8/],
      [['--memory-mb', '5000'], /--memory-mb 5000 is out of range: it must be <= 4096/],
      [['--timeout-ms', '99999999'], /--timeout-ms 99999999 is out of range: it must be <= 600000/],
      [['--memory-mb', '1e3'], /--memory-mb must be a positive integer, got "1e3"/],
      [['--timeout-ms', '0x10'], /--timeout-ms must be a positive integer, got "0x10"/],
    ];
    for (const [extra, message] of cases) {
      const r = await run(...extra);
      assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
    }
    assert.equal((await run('--memory-mb', '8')).code, 0, 'the lowest allowed heap runs');
  });
});
