/**
 * Every memory or CPU escape found while probing issue 5, each in a child process under a guard
 * (run-guarded.ts): without the defence the bomb grows the child past the guard, hangs it, or
 * aborts it, and its test fails; with it, the call ends in its typed error, the child stays small
 * and a normal component loads and runs right after. The loop bombs fail without the V8 flag
 * (src/sandbox/v8-flags.ts), the builtin bombs without the bounded builtins
 * (src/sandbox/prelude/bounds.ts), the hash-table bombs without the catastrophic-error handler
 * (src/sandbox/isolate-host.ts: the process aborts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BUILTIN_BOMBS, CORE_BOMBS, HASH_TABLE_BOMBS, LOOP_BOMBS, expectedCodes, type Bomb } from './harness/bombs.ts';
import { MODES, type Mode } from './harness/modes.ts';
import { GUARD_RSS_MB, runGuarded, type BombResult } from './harness/run-guarded.ts';

const MAX_PEAK_RSS_MB = 1024; // MiB: a contained bomb stays far below the guard
const MAX_RSS_AFTER_MB = 512; // MiB: and its memory is given back

function table(title: string, mode: Mode, bombs: readonly Bomb[]): void {
  describe(`${title} (${mode})`, { concurrency: false }, () => {
    let results = new Map<string, BombResult>();
    before(async () => {
      results = await runGuarded(mode, bombs.map((b) => b.name));
    });
    for (const bomb of bombs) {
      it(`${bomb.name} ends in ${expectedCodes(bomb).join(' or ')} (unguarded: ${bomb.escaped})`, () => {
        const result = results.get(bomb.name);
        assert.ok(result, 'the bomb ran');
        assert.ok(expectedCodes(bomb).includes(result.code), `${result.code}: ${result.message}`);
        assert.equal(result.normal, true, 'a normal component loads and runs right after');
        assert.ok(result.peakRssMb < MAX_PEAK_RSS_MB, `peak resident memory ${result.peakRssMb} MiB (guard ${GUARD_RSS_MB})`);
        assert.ok(result.rssAfterMb < MAX_RSS_AFTER_MB, `resident memory after ${result.rssAfterMb} MiB`);
      });
    }
  });
}

table('optimised loops with no interrupt check', 'pooled', LOOP_BOMBS);
table('native builtins over lengths no memory backs', 'pooled', BUILTIN_BOMBS);
table('hash tables V8 fails to grow (contained: the isolate is written off)', 'pooled', HASH_TABLE_BOMBS);
for (const mode of MODES) table('heap and ArrayBuffer bombs', mode, CORE_BOMBS);
