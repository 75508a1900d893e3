/** Values a class closes over, written back as source that evaluates to an equal value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { inlineValue } from '../../../src/pack/live/values.ts';

describe('inlineValue', () => {
  const registered = Symbol.for('app.key');
  const table: [string, unknown, string][] = [
    ['undefined', undefined, 'void 0'],
    ['a boolean', true, 'true'],
    ['a string with U+2028 and quotes', 'a\u2028"b"', '"a\u2028\\"b\\""'],
    ['an integer', 42, '42'],
    ['a float', 0.1 + 0.2, '0.30000000000000004'],
    ['-0', -0, '-0'],
    ['NaN', Number.NaN, 'NaN'],
    ['-Infinity', Number.NEGATIVE_INFINITY, '-Infinity'],
    ['a bigint', 2n ** 70n, '1180591620717411303424n'],
    ['null', null, 'null'],
    ['a well-known symbol', Symbol.iterator, 'Symbol.iterator'],
    ['a registered symbol', registered, 'Symbol.for("app.key")'],
    ['a regular expression', /a\/b[c]+/giu, '/a\\/b[c]+/giu'],
    ['nested JSON', { a: [1, { b: 'c' }], d: null }, '{"a":[1,{"b":"c"}],"d":null}'],
  ];
  for (const [name, value, expression] of table) {
    it(`writes ${name} as ${expression}`, () => {
      const inlined = inlineValue(value, 'deps.x');
      assert.equal(inlined.expression, expression);
      const evaluated = vm.runInNewContext(`(${inlined.expression})`) as unknown;
      if (typeof value === 'symbol') return;
      if (typeof value === 'bigint') return assert.equal(evaluated, value);
      if (value instanceof RegExp) assert.equal(String(evaluated), String(value));
      else assert.deepEqual(JSON.parse(JSON.stringify([evaluated])), JSON.parse(JSON.stringify([value])), 'evaluates to an equal value');
      if (typeof value === 'number') assert.ok(Object.is(evaluated, value));
    });
  }

  it('recreates a unique symbol with its description, and says so', () => {
    const inlined = inlineValue(Symbol('secret'), 'deps.k');
    assert.equal(inlined.expression, 'Symbol("secret")');
    assert.match(inlined.note ?? '', /recreated: a new symbol with the same description/);
  });
});
