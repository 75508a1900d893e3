import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as acorn from 'acorn';
import ivm from 'isolated-vm';
import { REMOVED_GLOBAL_NAMES, STANDARD_GLOBAL_NAMES } from '../../src/sandbox/prelude/harden.ts';
import { PRELUDE_SOURCE, PRELUDE_TEXT } from '../../src/sandbox/prelude/source.ts';

/** The tokens of a script, as acorn reads them (comments and whitespace are not tokens). */
function tokens(source: string): string[] {
  return [...acorn.tokenizer(source, { ecmaVersion: 'latest' })].map((t) => `${t.type.label} ${source.slice(t.start, t.end)}`);
}

describe('prelude source: what every isolate keeps a copy of', () => {
  it('compacts the prelude without changing a token', () => {
    assert.ok(PRELUDE_SOURCE.length < PRELUDE_TEXT.length * 0.9, `${PRELUDE_SOURCE.length} of ${PRELUDE_TEXT.length} characters`);
    assert.deepEqual(tokens(PRELUDE_SOURCE), tokens(PRELUDE_TEXT));
  });

  it('keeps or removes, by name, every global a plain context has (a V8 that adds one fails here)', () => {
    const isolate = new ivm.Isolate({ memoryLimit: 8 });
    try {
      const plain = (isolate.createContextSync().evalSync('JSON.stringify(Reflect.ownKeys(globalThis).map(String))') as string);
      assert.deepEqual((JSON.parse(plain) as string[]).sort(), [...STANDARD_GLOBAL_NAMES, ...REMOVED_GLOBAL_NAMES].sort());
    } finally {
      isolate.dispose();
    }
  });

  it('stays Latin-1, stored by V8 at one byte a character', () => {
    // one character past U+00FF and V8 keeps the whole source at two bytes a character
    assert.match(PRELUDE_SOURCE, /^[\u0000-\u00ff]*$/);
  });
});
