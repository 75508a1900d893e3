/**
 * The bounded builtins (src/sandbox/prelude/bounds.ts) behave as the native ones do, on the
 * inputs that take their JavaScript paths (array-likes, proxies, regexps with own properties,
 * replacement patterns) and their native fast paths: each expression is evaluated in a hardened
 * context and in this host, and the results compared.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ivm from 'isolated-vm';
import { IsolateHost, type PreparedContext } from '../../src/sandbox/isolate-host.ts';

const EXPRESSIONS: readonly string[] = [
  // Array.prototype on array-likes (the JavaScript paths)
  "Array.prototype.map.call({ length: 3, 0: 'a', 2: 'c' }, (x, i) => x + i)",
  "Array.prototype.filter.call({ length: 4, 0: 1, 1: 2, 3: 4 }, (x) => x % 2 === 0)",
  "Array.prototype.reduce.call({ length: 3, 0: 1, 1: 2, 2: 3 }, (a, b) => a + b)",
  "Array.prototype.reduceRight.call({ length: 3, 0: 'a', 2: 'c' }, (a, b) => a + b)",
  "(() => { try { return Array.prototype.reduce.call({ length: 2 }, (a, b) => a); } catch (e) { return e.name; } })()",
  "Array.prototype.every.call('abc', (c) => c < 'd')",
  "Array.prototype.some.call({ length: 2, 1: 0 }, (x) => x === 0)",
  "Array.prototype.find.call({ length: 3, 1: 5 }, (x) => x === undefined)",
  "Array.prototype.findIndex.call({ length: 3, 1: 5 }, (x) => x === 5)",
  "Array.prototype.findLast.call({ length: 3, 0: 1, 1: 2 }, (x) => x > 0)",
  "Array.prototype.findLastIndex.call({ length: 3, 0: 1, 1: 2 }, (x) => x > 5)",
  "Array.prototype.indexOf.call({ length: 4, 0: NaN, 2: 7 }, 7, -3)",
  "Array.prototype.lastIndexOf.call({ length: 4, 0: 7, 2: 7 }, 7)",
  "Array.prototype.lastIndexOf.call({ length: 4, 0: 7, 2: 7 }, 7, -3)",
  "Array.prototype.includes.call({ length: 3, 1: NaN }, NaN)",
  "Array.prototype.join.call({ length: 4, 0: 'a', 1: null, 3: 1 }, '-')",
  "Array.prototype.toString.call({ length: 2, 0: 1, 1: 2, join: Array.prototype.join })",
  "Array.prototype.toLocaleString.call({ length: 2, 0: 1234.5, 1: null })",
  "(() => { const o = { length: 5, 0: 'a', 1: 'b', 3: 'd' }; Array.prototype.reverse.call(o); return JSON.stringify(o); })()",
  "(() => { const o = { length: 3, 0: 'a', 2: 'c' }; const r = Array.prototype.shift.call(o); return [r, JSON.stringify(o)]; })()",
  "(() => { const o = { length: 2, 0: 'a', 1: 'b' }; const n = Array.prototype.unshift.call(o, 'x', 'y'); return [n, JSON.stringify(o)]; })()",
  "(() => { const o = { length: 5, 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 }; const d = Array.prototype.splice.call(o, 1, 2, 'a', 'b', 'c'); return [d, JSON.stringify(o)]; })()",
  "(() => { const o = { length: 5, 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 }; const d = Array.prototype.splice.call(o, -2); return [d, JSON.stringify(o)]; })()",
  "Array.prototype.slice.call({ length: 5, 0: 'a', 2: 'c', 4: 'e' }, 1, -1)",
  "(() => { const o = { length: 4, 0: 'd', 1: 'b', 3: 'a' }; Array.prototype.sort.call(o); return JSON.stringify(o); })()",
  "(() => { const o = { length: 5, 0: 3, 1: undefined, 2: 1, 4: 2 }; Array.prototype.sort.call(o, (a, b) => a - b); return JSON.stringify(o); })()",
  "[5, 1, 10, 2].sort()",
  "Array.prototype.toSorted.call({ length: 3, 0: 'b', 1: 'a' })",
  "Array.prototype.toReversed.call({ length: 3, 0: 1, 2: 3 })",
  "Array.prototype.toSpliced.call({ length: 4, 0: 1, 1: 2, 2: 3, 3: 4 }, 1, 2, 'x')",
  "Array.prototype.with.call({ length: 3, 0: 1, 1: 2, 2: 3 }, -1, 9)",
  "(() => { try { return Array.prototype.with.call({ length: 3 }, 5, 9); } catch (e) { return e.name; } })()",
  "(() => { const o = { length: 5, 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 }; Array.prototype.copyWithin.call(o, 0, 3); return JSON.stringify(o); })()",
  "(() => { const o = { length: 5, 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 }; Array.prototype.copyWithin.call(o, 2, 0, 3); return JSON.stringify(o); })()",
  "(() => { const o = { length: 4 }; Array.prototype.fill.call(o, 7, 1, -1); return JSON.stringify(o); })()",
  "Array.prototype.forEach.call({ length: 3, 0: 1, 2: 3 }, function (x) { this.push(x); }, []) ?? 'undefined'",
  // native fast paths on genuine arrays
  "[3, 1, 2].map((x) => x * 2).filter((x) => x > 2).reduce((a, b) => a + b)",
  "[1, [2, [3, [4, [5]]]]].flat(2)",
  "[1, [2, , 3], [[4]]].flat(Infinity)",
  "[1, 2, 3].flatMap((x) => [x, [x * 10]])",
  "[].concat([1, 2], 3, [[4]], { length: 2, 0: 'a', 1: 'b', [Symbol.isConcatSpreadable]: true })",
  "[1, 2].concat({ length: 1, 0: 'x' })",
  "(() => { class A extends Array {} const a = A.from([1, 2, 3]); return [a instanceof A, a.map((x) => x) instanceof A, a.length]; })()",
  "Array.from('héllo😀')",
  "Array.from(new Map([[1, 2]]))",
  "Array.from({ length: 3 }, (_, i) => i * i)",
  "Array.from(new Set([1, 1, 2]).values(), (x) => x + 1)",
  "(() => { function* g() { yield 1; yield 2; } return Array.from(g()); })()",
  "(() => { const p = new Proxy([1, 2, 3], {}); return [p.map((x) => x * 2), Array.isArray(p), Array.prototype.includes.call(p, 2)]; })()",
  // strings and regular expressions
  "'a,b,,c'.split(',')",
  "'a,b,,c'.split(',', 2)",
  "'a1b2c3'.split(/\\d/)",
  "'a1b2c3'.split(/(\\d)/, 4)",
  "''.split('')",
  "'abc'.split('')",
  "'ab'.repeat(3) + '|' + 'x'.padStart(4, 'ab') + '|' + 'x'.padEnd(3) + '|' + 'x'.padStart(5, '')",
  "'aXbXc'.replaceAll('X', '[$&|$`|$\\'|$$]')",
  "'aaa'.replaceAll('', '-')",
  "'abc'.replaceAll('b', (m, i, s) => m.toUpperCase() + i + s.length)",
  "'xAyAz'.replaceAll(/A/g, '($&)')",
  "(() => { try { return 'x'.replaceAll(/x/, 'y'); } catch (e) { return e.name; } })()",
  "'2024-01-02'.replace(/(?<y>\\d+)-(?<m>\\d+)-(?<d>\\d+)/, '$<d>/$<m>/$<y> $1 $9 $01 $10')",
  "'abcabc'.replace(/b/g, \"[$`|$'|$&]\")",
  "'abcabc'.match(/b/g)",
  "'abc'.match(/(b)(c)/)",
  "'a\\uD83D\\uDE00b'.match(/(?:)/gu).length",
  "(() => { const re = /b/g; re.extra = 1; return ['abcb'.replace(re, 'X'), 'abcb'.match(re)]; })()",
  "(() => { const re = /(\\w)/g; re.exec = function (s) { return RegExp.prototype.exec.call(this, s); }; return 'ab'.replace(re, '<$1>'); })()",
  "'ǅ'.normalize('NFKD') === 'ǅ'.normalize('NFKD') && 'ﬁ'.normalize('NFKC')",
  // keys, JSON
  "Object.keys('abc').concat(Object.keys(new Uint8Array(2))).concat(Object.entries([1]).flat())",
  "Object.assign({}, 'ab', [1], { x: 1 })",
  "JSON.stringify({ b: 1, a: [1, { c: 2, d: 3 }], e: undefined }, null, 2)",
  "JSON.stringify({ b: 1, a: 2, c: { a: 3, z: 4 } }, ['c', 'a', 'c', 1])",
  "JSON.stringify({ a: 1, b: [2, 3] }, (k, v) => (typeof v === 'number' ? v * 10 : v))",
  "JSON.stringify([new Date(0), { toJSON() { return 'j'; } }, undefined, () => 1, NaN])",
  "JSON.stringify(new Proxy({ a: 1, b: [1, 2] }, {}))",
  "[new ArrayBuffer(8).byteLength, new ArrayBuffer(8, {}).byteLength, new Uint8Array([1, 2]).buffer.slice(1).byteLength, ArrayBuffer.isView(new DataView(new ArrayBuffer(1)))]",
  "(() => { class B extends ArrayBuffer {} return new B(4) instanceof B && new B(4).byteLength; })()",
];

let host: IsolateHost;
let prepared: PreparedContext;

describe('bounded builtins give the native results', () => {
  before(async () => {
    host = IsolateHost.create(64);
    prepared = await host.prepareContext({ memoryMb: 64, capabilities: { log: false, artifacts: false, timers: false } }, undefined);
  });
  after(() => host.dispose('test over'));

  for (const expression of EXPRESSIONS) {
    it(expression, () => {
      // eslint-disable-next-line no-eval
      const expected = JSON.stringify((0, eval)(expression));
      const actual = prepared.context.evalSync(`JSON.stringify(${expression})`, { timeout: 1000 }) as unknown;
      assert.equal(actual, expected);
    });
  }

  it('resizable ArrayBuffers are refused (their memory bypasses the isolate limit): the one deliberate difference', () => {
    const outcome = prepared.context.evalSync("(() => { try { new ArrayBuffer(8, { maxByteLength: 16 }); return 'ALIVE'; } catch (e) { return e.name; } })()", { timeout: 1000 });
    assert.equal(outcome, 'TypeError');
  });

  it('a length past the budget is refused before the native code runs, and marks the context over budget', () => {
    const outcome = prepared.context.evalSync("(() => { try { Array.prototype.indexOf.call({ length: 2 ** 40 }, 1); return 'ALIVE'; } catch (e) { return e.name + ': ' + e.message; } })()", { timeout: 1000 }) as string;
    assert.match(outcome, /^RangeError: isoclass: Array\.prototype\.indexOf over 1099511627776 elements exceeds the memory limit/);
    assert.match(String(prepared.glue.applySync(undefined, ['status'], { result: { copy: true } })), /Array\.prototype\.indexOf/);
    void ivm;
  });
});
