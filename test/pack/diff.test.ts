/** Diffs between versions: line diffs of the code, and params and artifacts by path. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sha256Hex } from '../../src/envelope/record.ts';
import { diffRecords, diffValues } from '../../src/pack/diff.ts';
import { diffLines, unifiedDiff } from '../../src/pack/text-diff.ts';
import { makeRecord } from '../helpers.ts';

/** Length of a longest common subsequence, by dynamic programming: the minimal diff keeps exactly that many lines. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1] ?? 0);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

describe('line diff (Myers)', () => {
  it('turns a into b, and keeps a longest common subsequence (minimal edits)', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 40 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const ops = diffLines(a, b);
        assert.deepEqual(ops.filter((o) => o.kind !== 'add').map((o) => o.text), a);
        assert.deepEqual(ops.filter((o) => o.kind !== 'del').map((o) => o.text), b);
        assert.equal(ops.filter((o) => o.kind === 'same').length, lcsLength(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('past the edit cap, shows the changed middle as replaced (still correct, not minimal)', () => {
    const a = Array.from({ length: 50 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 50 }, (_, i) => `b${i}`);
    const ops = diffLines(['same', ...a, 'end'], ['same', ...b, 'end'], 10);
    assert.equal(ops.map((o) => o.kind).join(''), `same${'del'.repeat(50)}${'add'.repeat(50)}same`);
  });

  it('writes unified hunks with context and line numbers', () => {
    const before = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    const after = before.replace('line 3', 'line three').concat('\nline 13');
    const diff = unifiedDiff(before, after, { fromLabel: 'v1', toLabel: 'v2' });
    assert.equal(diff.added, 2);
    assert.equal(diff.removed, 1);
    assert.equal(
      diff.text,
      ['--- v1', '+++ v2', '@@ -1,6 +1,6 @@', ' line 1', ' line 2', '-line 3', '+line three', ' line 4', ' line 5', ' line 6', '@@ -10,3 +10,4 @@', ' line 10', ' line 11', ' line 12', '+line 13'].join('\n'),
    );
    assert.equal(unifiedDiff('same\n', 'same\n').text, '');
  });

  it('cuts long diffs and says so', () => {
    const diff = unifiedDiff('', Array.from({ length: 100 }, (_, i) => String(i)).join('\n'), { maxLines: 20 });
    assert.match(diff.text, /… \(diff cut at 20 lines: \+100 −0 in all\)$/);
  });
});

describe('record diff', () => {
  const v1 = makeRecord('export default class A {\n  f() { return 1; }\n}\n', {
    version: 1,
    params: { weight: 2, tags: ['a', 'b'], nested: { keep: true, drop: 1 } },
    artifacts: { weights: { sha256: sha256Hex('x'), size: 1, mediaType: 'application/octet-stream', data: 'eA==' }, table: { sha256: sha256Hex('t'), size: 1, mediaType: 'x/y' } },
  });
  const source2 = 'export default class A {\n  f() { return 2; }\n}\n';
  const v2 = makeRecord(source2, {
    version: 2,
    repr: 'class Test2',
    params: { weight: 3, tags: ['a'], nested: { keep: true }, bias: 0.5 },
    artifacts: { weights: { sha256: sha256Hex('y'), size: 1, mediaType: 'application/octet-stream' }, vocab: { sha256: sha256Hex('v'), size: 1, mediaType: 'text/plain' } },
  });

  it('lists what changed in code, params and artifacts', () => {
    const d = diffRecords(v1, v2);
    assert.deepEqual([d.from.version, d.to.version, d.differentComponents], [1, 2, false]);
    assert.deepEqual(d.fields['repr'], ['class Test', 'class Test2']);
    assert.equal(d.code.changed, true);
    assert.deepEqual([d.code.added, d.code.removed], [1, 1]);
    assert.match(d.code.unified, /^--- acme\/test-component v1\n\+\+\+ acme\/test-component v2\n@@ -1,3 \+1,3 @@\n export default class A \{\n-  f\(\) \{ return 1; \}\n\+  f\(\) \{ return 2; \}\n \}$/);
    assert.deepEqual(d.params, [
      { path: 'params.bias', change: 'added', after: 0.5 },
      { path: 'params.nested.drop', change: 'removed', before: 1 },
      { path: 'params.tags[1]', change: 'removed', before: 'b' },
      { path: 'params.weight', change: 'changed', before: 2, after: 3 },
    ]);
    assert.deepEqual(
      d.artifacts.map((a) => [a.name, a.change, a.before?.stored, a.after?.stored]),
      [
        ['table', 'removed', 'blob', undefined],
        ['vocab', 'added', undefined, 'blob'],
        ['weights', 'changed', 'inline', 'blob'],
      ],
    );
  });

  it('says so when nothing changed, and when the records are different components', () => {
    const same = diffRecords(v1, v1);
    assert.deepEqual([same.code.changed, same.code.unified, same.params, same.artifacts], [false, '', [], []]);
    assert.equal(diffRecords(v1, makeRecord(source2, { identifier: 'other' })).differentComponents, true);
  });

  it('names changed original files when both versions carry source maps with contents', () => {
    const map = (content: string): string => JSON.stringify({ version: 3, sources: ['a.ts', 'b.ts'], sourcesContent: [content, 'b'], names: [], mappings: '' });
    const a = makeRecord('1', { code: { format: 'esm', source: '1', sha256: sha256Hex('1'), export: 'default', sourceMap: map('x\ny\n') } });
    const b = makeRecord('2', { code: { format: 'esm', source: '2', sha256: sha256Hex('2'), export: 'default', sourceMap: map('x\nz\n') } });
    assert.deepEqual(diffRecords(a, b).code.files, [{ file: 'a.ts', change: 'changed', added: 1, removed: 1 }]);
  });

  it('compares values that change type as one change', () => {
    assert.deepEqual(diffValues({ a: [1] }, { a: { 0: 1 } }, 'params'), [{ path: 'params.a', change: 'changed', before: [1], after: { 0: 1 } }]);
  });
});
