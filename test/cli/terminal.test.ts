/**
 * Terminal injection: what a component returns, logs or throws, and what its source holds, is
 * printed by the CLI. An ESC sequence there could clear the screen, retitle the terminal or fake
 * isoclass's own output ("verified", "ok"); a carriage return could overwrite the line before;
 * a bidirectional override could make text read otherwise than it is. The CLI prints them as
 * escapes (src/cli/io.ts, terminalSafe).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { terminalSafe } from '../../src/cli/io.ts';
import { keyedDir, runCli, tempDir } from '../helpers.ts';

// written with escapes, so this file itself holds no control character
const HOSTILE = `import { Component, log } from 'isoclass';
export default class Loud extends Component {
  said(): string { return 'done\\u001b[2J\\u001b]0;pwned\\u0007\\rverified: ok\\u202e'; }
  shout(): string { log('line\\u001b[31m red\\r overwritten\\nisoclass: ok'); return 'ok'; }
  boom(): never { throw new Error('bad\\u001b[1A\\u001b[2Kisoclass: ok'); }
}
`;
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('CLI output is terminal-safe', () => {
  it('escapes control and bidirectional characters, keeps newlines and tabs', () => {
    assert.equal(terminalSafe('a\u001b[2Jb\rc\u202ed\n\te'), 'a\\u001b[2Jb\\u000dc\\u202ed\n\te');
    // every range: C0 (but newline and tab), DEL and C1 (0x9b is a one-byte CSI), the bidi marks,
    // embeddings, overrides and isolates, and the line and paragraph separators
    for (const c of [0x00, 0x08, 0x0b, 0x1f, 0x7f, 0x80, 0x9b, 0x9f, 0x61c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069]) {
      assert.equal(terminalSafe(`<${String.fromCharCode(c)}>`), `<\\u${c.toString(16).padStart(4, '0')}>`, `U+${c.toString(16)}`);
    }
    assert.equal(terminalSafe('plain text, é and 日本'), 'plain text, é and 日本');
  });

  it('prints what a component returns, logs and throws without raw control characters', async (t) => {
    const dir = await keyedDir(t);
    writeFileSync(join(dir, 'Loud.ts'), HOSTILE);
    const pack = await runCli(['pack', 'Loud.ts', '--key', 'dev.key', '--out', 'loud.json', '--policy', 'default'], { cwd: dir });
    assert.equal(pack.code, 0, pack.stderr);
    const runs = {
      said: await runCli(['run', 'loud.json', '--trust', 'dev.pub', '--call', 'said'], { cwd: dir }),
      shout: await runCli(['run', 'loud.json', '--trust', 'dev.pub', '--call', 'shout'], { cwd: dir }),
      boom: await runCli(['run', 'loud.json', '--trust', 'dev.pub', '--call', 'boom'], { cwd: dir }),
      json: await runCli(['run', 'loud.json', '--trust', 'dev.pub', '--call', 'said', '--json'], { cwd: dir }),
    };
    assert.equal(runs.said.code, 0, runs.said.stderr);
    assert.match(runs.said.stdout, /done\\u001b\[2J\\u001b\]0;pwned\\u0007\\u000dverified: ok\\u202e/);
    assert.match(runs.shout.stderr, /line\\u001b\[31m red\\u000d overwritten\\nisoclass: ok/);
    // a log line cannot forge a line of its own
    assert.doesNotMatch(runs.shout.stderr, /^isoclass: ok/m);
    // --json: escaped, and the same value once parsed
    assert.equal(runs.json.code, 0, runs.json.stderr);
    assert.match(runs.json.stdout, /\\u202e/);
    assert.equal((JSON.parse(runs.json.stdout) as { result: string }).result, 'done\u001b[2J\u001b]0;pwned\u0007\rverified: ok\u202e');
    assert.equal(runs.boom.code, 14);
    assert.match(runs.boom.stderr, /bad\\u001b\[1A\\u001b\[2Kisoclass: ok/);
    for (const [name, r] of Object.entries(runs)) {
      assert.doesNotMatch(r.stdout, RAW_CONTROL, `${name}: stdout`);
      assert.doesNotMatch(r.stderr, RAW_CONTROL, `${name}: stderr`);
    }
  });

  it('prints a code frame of hostile source without raw control characters', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'Frame.js'), "import { Component } from 'isoclass';\nexport default class F extends Component {\n  f() { return eval('\u001b[2J'); }\n}\n");
    const lint = await runCli(['lint', 'Frame.js'], { cwd: dir });
    assert.equal(lint.code, 12, lint.stderr);
    assert.match(lint.stderr, /eval\('\\u001b\[2J'\)/);
    assert.doesNotMatch(lint.stderr, RAW_CONTROL);
  });
});
