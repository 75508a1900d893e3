/** Params must be plain JSON that survives the record and the copy into the isolate; checked with paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PackError } from '../../src/pack/errors.ts';
import { checkParams } from '../../src/pack/params.ts';

describe('checkParams', () => {
  it('accepts plain JSON objects, arrays, strings, finite numbers, booleans, null, and null-prototype objects', () => {
    const params = { a: 1, b: 'x', c: [true, null, { d: 2.5 }], e: Object.assign(Object.create(null) as object, { f: 1 }) };
    assert.equal(checkParams(params), params);
  });

  let deep: unknown = 1;
  for (let i = 0; i < 70; i++) deep = [deep];
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  const getter = Object.defineProperty({}, 'x', { get: () => 1, enumerable: true });
  const refusals: [string, unknown, RegExp][] = [
    ['an array at the top', [1], /^params must be a JSON object$/],
    ['null at the top', null, /^params must be a JSON object$/],
    ['undefined', { a: undefined }, /^params\.a is undefined, which JSON cannot carry$/],
    ['NaN', { a: { b: Number.NaN } }, /^params\.a\.b is NaN, which JSON cannot carry$/],
    ['Infinity', { a: [0, Number.POSITIVE_INFINITY] }, /^params\.a\[1\] is Infinity, which JSON cannot carry$/],
    ['-0', { a: -0 }, /^params\.a is -0, which JSON turns into 0$/],
    ['a bigint', { a: 1n }, /^params\.a is a bigint, which JSON cannot carry$/],
    ['a function', { f: () => 1 }, /^params\.f is a function, which JSON cannot carry$/],
    ['a Date', { when: new Date(0) }, /^params\.when is a Date object; only plain objects, arrays, strings, finite numbers, booleans and null travel$/],
    ['a Map', { m: new Map() }, /^params\.m is a Map object/],
    ['a hole in an array', { a: [1, , 3] }, /^params\.a\[1\] is a hole in the array$/], // eslint-disable-line no-sparse-arrays
    ['a symbol key', { [Symbol('s')]: 1 }, /^params has a symbol key$/],
    ['a getter', { g: getter }, /^params\.g\.x is a getter\/setter$/],
    ['a cycle', cyclic, /is nested deeper than 64 levels$/],
    ['too deep', { deep }, /is nested deeper than 64 levels$/],
    ['too large', { big: 'x'.repeat(1024 * 1024) }, /^params is \d+ bytes as JSON, over the limit of 1048576; ship large data as an artifact$/],
  ];
  for (const [name, value, message] of refusals) {
    it(`refuses ${name} (PACK_PARAMS_INVALID)`, () => {
      assert.throws(() => checkParams(value), (e: unknown) => e instanceof PackError && e.code === 'PACK_PARAMS_INVALID' && message.test(e.message));
    });
  }
});
