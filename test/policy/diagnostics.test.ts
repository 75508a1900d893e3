import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineIndex, codeFrame, formatViolation } from '../../src/policy/diagnostics.ts';
import { loadPolicy } from '../../src/policy/policy.ts';
import { inspectSource } from '../../src/policy/validate.ts';

describe('diagnostics: positions and code frames', () => {
  /** [line terminator, its name] — every one ECMAScript counts */
  const BREAKS: [string, string][] = [
    ['\n', 'LF'],
    ['\r\n', 'CRLF'],
    ['\r', 'CR'],
    ['\u2028', 'LINE SEPARATOR'],
    ['\u2029', 'PARAGRAPH SEPARATOR'],
  ];
  for (const [br, name] of BREAKS) {
    it(`counts lines across ${name} as acorn and editors do`, () => {
      const source = ['const a = 1;', 'const b = 2;', '  eval(a + b);'].join(br);
      const [v] = inspectSource(source, loadPolicy('default')).violations;
      assert.deepEqual([v?.rule, v?.line, v?.column], ['global', 3, 3]);
      assert.match(v?.frame ?? '', /> 3 \| {3}eval\(a \+ b\);\n {4}\| {3}\^/);
    });
  }

  it('maps offsets to line and column, columns in UTF-16 code units', () => {
    const index = new LineIndex('ab\n😀x\r\ny');
    assert.deepEqual(index.position(0), { line: 1, column: 0 });
    assert.deepEqual(index.position(5), { line: 2, column: 2 });
    assert.deepEqual(index.position(8), { line: 3, column: 0 });
  });

  it('reports a parse error at its place', () => {
    const [v] = inspectSource('export const a = 1;\nconst = 2;', loadPolicy('default')).violations;
    assert.deepEqual([v?.rule, v?.line, v?.column], ['parse', 2, 7]);
    assert.match(v?.message ?? '', /^not a valid ES2025 module: Unexpected token$/);
  });

  it('frames show the line before and after, and format like a linter', () => {
    const frame = codeFrame(['one', 'two', 'three'], 2, 2);
    assert.equal(frame, '  1 | one\n> 2 | two\n    |  ^\n  3 | three');
    assert.equal(formatViolation({ rule: 'global', message: 'm', line: 2, column: 2, frame }, 'f.js').split('\n')[0], 'f.js:2:2  global  m');
  });

  it('lists violations in source order, whichever rule found them first', () => {
    const { violations } = inspectSource("eval(1);\nconst f = () => {};\nf.constructor;\nimport('x');", loadPolicy('default'));
    assert.deepEqual(violations.map((v) => [v.line, v.rule]), [[1, 'global'], [3, 'member'], [4, 'syntax'], [4, 'import']]);
  });
});
