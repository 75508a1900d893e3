/** `isoclass lint` and `isoclass policy infer`, run as the real command in a child process. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli, tempDir } from '../helpers.ts';

const CLEAN = `import { Component, log } from 'isoclass';
import { twice } from './twice.ts';

export default class Clean extends Component {
  run(row: Record<string, number>, key: string): number {
    log('run', key);
    return twice(row[key] ?? 0);
  }
}
`;
const TWICE = 'export function twice(n: number): number {\n  return n * 2;\n}\n';
const HOSTILE_HELPER = "export function reach(): unknown {\n  return (() => {}).constructor('return 1');\n}\n";
const HOSTILE = `import { Component } from 'isoclass';
import { reach } from './reach.ts';

export default class Bad extends Component {
  run(): unknown {
    eval('1');
    return reach();
  }
}
`;

function setup(t: { after: (fn: () => void) => void }): string {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'clean.ts'), CLEAN);
  writeFileSync(join(dir, 'twice.ts'), TWICE);
  writeFileSync(join(dir, 'bad.ts'), HOSTILE);
  writeFileSync(join(dir, 'reach.ts'), HOSTILE_HELPER);
  return dir;
}

describe('isoclass lint', () => {
  it('passes a clean component (exit 0) and names the policy', async (t) => {
    const dir = setup(t);
    const r = await runCli(['lint', 'clean.ts'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /clean\.ts: no violations of policy "default"/);
  });

  it('prints every violation like a linter: file:line:column, rule, message, frame — in the original files (exit 12)', async (t) => {
    const dir = setup(t);
    const r = await runCli(['lint', 'bad.ts'], { cwd: dir });
    assert.equal(r.code, 12);
    assert.match(r.stderr, /POLICY_VIOLATION: bad\.ts: 2 violations of policy "default" \(1 member, 1 global\)/);
    assert.match(r.stderr, /2:21 {2}member {2}property "constructor" is denied/);
    assert.match(r.stderr, /reach\.ts:2:21\n/);
    assert.match(r.stderr, /> 2 \| {3}return \(\(\) => \{\}\)\.constructor/);
    assert.match(r.stderr, /6:5 {2}global {2}global "eval" is not allowed/);
    assert.match(r.stderr, /bad\.ts:6:5\n/);
  });

  it('--json gives the violations with rule, file, line, column and frame', async (t) => {
    const dir = setup(t);
    const r = await runCli(['lint', 'bad.ts', '--json'], { cwd: dir });
    assert.equal(r.code, 12);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; violations: { rule: string; file: string; line: number; column: number; frame: string }[] } };
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'POLICY_VIOLATION');
    assert.deepEqual(
      out.error.violations.map((v) => [v.rule, v.file, v.line, v.column]),
      [
        ['member', 'reach.ts', 2, 21],
        ['global', 'bad.ts', 6, 5],
      ],
    );
  });

  it('reports what the bundler refuses like any violation: syntax it cannot parse, imports of packages (exit 12)', async (t) => {
    const dir = setup(t);
    writeFileSync(join(dir, 'with.js'), "import { Component } from 'isoclass';\nexport default class W extends Component {\n  f(o) { with (o) { return 1; } }\n}\n");
    writeFileSync(join(dir, 'html.js'), '<!-- hidden\nexport default 1;\n');
    writeFileSync(join(dir, 'dynamic.ts'), "import { Component } from 'isoclass';\nimport { twice } from './twice.ts';\nexport default class D extends Component {\n  f(x: number): unknown { return import('fs').then(() => twice(x)); }\n}\n");
    const expected: Record<string, [string, string, number, number][]> = {
      'with.js': [['parse', 'with.js', 3, 10]],
      'html.js': [['parse', 'html.js', 1, 1]],
      'dynamic.ts': [
        ['syntax', 'dynamic.ts', 4, 34],
        ['import', 'dynamic.ts', 4, 41],
      ],
    };
    for (const [file, violations] of Object.entries(expected)) {
      const r = await runCli(['lint', file, '--json'], { cwd: dir });
      assert.equal(r.code, 12, `${file}: ${r.stdout}${r.stderr}`);
      const out = JSON.parse(r.stdout) as { error: { family: string; violations: { rule: string; file: string; line: number; column: number; frame: string }[] } };
      assert.equal(out.error.family, 'policy');
      assert.deepEqual(out.error.violations.map((v) => [v.rule, v.file, v.line, v.column]), violations, file);
      for (const v of out.error.violations) assert.match(v.frame, /\n> +\d+ \|/, 'a code frame');
    }
  });

  it('--bundle lints what pack would ship: the package files, and the bundler helpers they bring (exit 12); a policy written for them passes', async () => {
    const cwd = join(ROOT, 'test', 'fixtures', 'packages');
    const r = await runCli(['lint', 'eventemitter3-events.ts', '--bundle', 'eventemitter3', '--json'], { cwd });
    assert.equal(r.code, 12, r.stderr);
    const files = new Set((JSON.parse(r.stdout) as { error: { violations: { file: string }[] } }).error.violations.map((v) => v.file));
    assert.ok(files.has('(bundler-generated code)'), [...files].join(', '));
    assert.ok([...files].some((f) => /node_modules\/eventemitter3\/index\.js$/.test(f)), [...files].join(', '));
    const fitted = await runCli(['lint', 'eventemitter3-events.ts', '--bundle', 'eventemitter3', '--policy', '../policies/es5-library.json'], { cwd });
    assert.equal(fitted.code, 0, fitted.stderr);
  });

  it('still reports a file the bundler cannot resolve as a bundle error (exit 2), not a violation', async (t) => {
    const dir = setup(t);
    writeFileSync(join(dir, 'missing.js'), "import { Component } from 'isoclass';\nimport h from './nowhere.js';\nexport default class M extends Component { f() { return h; } }\n");
    const r = await runCli(['lint', 'missing.js'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PACK_BUNDLE_FAILED: .*Could not resolve "\.\/nowhere\.js"/);
  });

  it('--policy strict refuses the run-time key default allows', async (t) => {
    const dir = setup(t);
    const r = await runCli(['lint', 'clean.ts', '--policy', 'strict', '--json'], { cwd: dir });
    assert.equal(r.code, 12);
    const out = JSON.parse(r.stdout) as { error: { violations: { rule: string; line: number }[] } };
    assert.deepEqual(out.error.violations.map((v) => [v.rule, v.line]), [['computed-member', 7]]);
  });

  it('an invalid --policy file is exit 12 with the key path', async (t) => {
    const dir = setup(t);
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ version: 1, name: 'p', extends: 'default', globalz: 'any' }));
    const r = await runCli(['lint', 'clean.ts', '--policy', 'p.json', '--json'], { cwd: dir });
    assert.equal(r.code, 12);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(out.error.code, 'POLICY_FILE_INVALID');
    assert.match(out.error.message, /policy\.globalz is not a known key; did you mean "globals"\?/);
  });
});

describe('isoclass policy infer', () => {
  it('writes the tightest policy, which loads and accepts the component', async (t) => {
    const dir = setup(t);
    const r = await runCli(['policy', 'infer', 'clean.ts', '--out', 'clean.policy.json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const policy = JSON.parse(readFileSync(join(dir, 'clean.policy.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(policy['extends'], 'default');
    assert.equal(policy['name'], 'clean-inferred');
    assert.deepEqual(policy['globals'], { allow: [] });
    assert.deepEqual(policy['capabilities'], { log: true, artifacts: false, timers: false });
    assert.equal(policy['computedMembers'], 'any');
    assert.ok(existsSync(join(dir, String(policy['$schema']))), 'the $schema path resolves from where the file is');
    const lint = await runCli(['lint', 'clean.ts', '--policy', 'clean.policy.json'], { cwd: dir });
    assert.equal(lint.code, 0, lint.stderr);
    // tighter than default: the other component, fine under default, is refused under it
    writeFileSync(join(dir, 'other.ts'), "import { Component } from 'isoclass';\nexport default class O extends Component { m(): number { return Math.PI; } }\n");
    const other = await runCli(['lint', 'other.ts', '--policy', 'clean.policy.json', '--json'], { cwd: dir });
    assert.equal(other.code, 12);
  });

  it('prints to stdout without --out, and never replaces a file without --force', async (t) => {
    const dir = setup(t);
    const printed = await runCli(['policy', 'infer', 'clean.ts', '--name', 'mine'], { cwd: dir });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal((JSON.parse(printed.stdout) as { name: string }).name, 'mine');
    writeFileSync(join(dir, 'taken.json'), '{}');
    const refused = await runCli(['policy', 'infer', 'clean.ts', '--out', 'taken.json'], { cwd: dir });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /USAGE_FILE_EXISTS/);
    assert.equal(readFileSync(join(dir, 'taken.json'), 'utf8'), '{}');
    const forced = await runCli(['policy', 'infer', 'clean.ts', '--out', 'taken.json', '--force'], { cwd: dir });
    assert.equal(forced.code, 0, forced.stderr);
  });

  it('refuses to infer from a component that breaks the base (exit 12), and rejects bad usage (exit 2)', async (t) => {
    const dir = setup(t);
    const bad = await runCli(['policy', 'infer', 'bad.ts', '--json'], { cwd: dir });
    assert.equal(bad.code, 12);
    assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'POLICY_VIOLATION');
    assert.equal((await runCli(['policy', 'guess', 'clean.ts'], { cwd: dir })).code, 2);
    assert.equal((await runCli(['policy', 'infer'], { cwd: dir })).code, 2);
  });
});
