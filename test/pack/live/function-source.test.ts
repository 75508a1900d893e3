/** Reading a live function's source: its kind, its own name, and its free variables with positions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFunctionText, readFunctionSource } from '../../../src/pack/live/function-source.ts';

const describeIt = (): string => 'the function';

describe('readFunctionSource', () => {
  const kinds: [string, Function, string, string | undefined][] = [
    ['a class', class Named { m() { return Named; } }, 'class', 'Named'], // eslint-disable-line
    ['an anonymous class', (() => class {})(), 'class', undefined],
    ['a function', function named() {}, 'function', 'named'], // eslint-disable-line
    ['an async generator function', async function* agen() {}, 'function', 'agen'], // eslint-disable-line
    ['an arrow', (x: number) => x, 'arrow', undefined],
    ['an async arrow', async () => 1, 'arrow', undefined],
    ['a method', { m(x: number) { return x; } }.m, 'method', 'm'], // eslint-disable-line
    ['an async generator method', { async *gen() {} }.gen, 'method', 'gen'], // eslint-disable-line
    ['a string-keyed method', { 'odd key'() { return 1; } }['odd key'], 'method', 'odd key'], // eslint-disable-line
  ];
  for (const [name, fn, kind, declaredName] of kinds) {
    it(`reads ${name} as ${kind}`, () => {
      const source = readFunctionSource(fn, describeIt);
      assert.equal(source.kind, kind);
      assert.equal(source.declaredName, declaredName);
      assert.equal(source.text, Function.prototype.toString.call(fn));
    });
  }

  it('finds free variables by scope analysis, with their positions in the text', () => {
    const source = parseFunctionText('class A extends Base {\n  f(Math) { return Math.max(limit, helper(x => x + limit)); }\n  g() { const helper = 1; return "limit" + helper + JSON.stringify(A); }\n}', describeIt);
    assert.deepEqual(Object.fromEntries(source.freeVariables), {
      Base: [{ line: 0, column: 16 }],
      limit: [
        { line: 1, column: 28 },
        { line: 1, column: 51 },
      ],
      helper: [{ line: 1, column: 35 }],
      JSON: [{ line: 2, column: 52 }],
    });
  });

  it('ignores an own static toString: it reads the real source', () => {
    class Liar {
      static toString(): string {
        return 'class Fake {}';
      }
    }
    assert.match(readFunctionSource(Liar, describeIt).text, /^class Liar \{/);
  });

  it('refuses text that is not exactly one function', () => {
    for (const text of ['a) ; evil(); (b', 'class A {} class B {}', '1 + 1']) {
      assert.throws(() => parseFunctionText(text, describeIt), { code: 'PACK_SOURCE_LOST' });
    }
  });
});
