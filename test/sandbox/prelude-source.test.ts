import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as acorn from 'acorn';
import ivm from 'isolated-vm';
import { REMOVED_GLOBAL_NAMES, STANDARD_GLOBAL_NAMES } from '../../src/sandbox/prelude/harden.ts';
import { SETUP_FUNCTION_PREFIX } from '../../src/sandbox/prelude/names.ts';
import { ISOLATE_MEMORY_FLAGS } from '../../src/sandbox/v8-flags.ts';
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

  it('names its run-once setup functions as the V8 flag that keeps them from Sparkplug expects', () => {
    // a rename on one side would silently put the setup's machine code back in every isolate
    const named = PRELUDE_SOURCE.match(new RegExp(`function ${SETUP_FUNCTION_PREFIX}\\w*`, 'g')) ?? [];
    assert.ok(named.length >= 5, `setup functions found: ${named.join(', ')}`);
    assert.ok(ISOLATE_MEMORY_FLAGS.includes(`--sparkplug-filter=-${SETUP_FUNCTION_PREFIX}*`));
  });

  it('stays Latin-1, stored by V8 at one byte a character', () => {
    // one character past U+00FF and V8 keeps the whole source at two bytes a character
    assert.match(PRELUDE_SOURCE, /^[\u0000-\u00ff]*$/);
  });
});
