/** Stack frames and policy violations mapped through the signed source map — and never trusted blindly. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/envelope/record.ts';
import { mapComponentError, mapComponentStack, remapPolicyError, type MappedViolation } from '../../src/pack/source-map.ts';
import { writeSourceMap } from '../../src/pack/source-map-writer.ts';
import { PolicyError } from '../../src/policy/errors.ts';
import { ComponentError } from '../../src/sandbox/errors.ts';
import { makeRecord } from '../helpers.ts';

const SOURCE = 'line one\nline two\n';

function recordWithMap(sources: string[], sourcesContent: (string | null)[] = sources.map(() => null)) {
  const sourceMap = writeSourceMap({
    file: 'component.js',
    sources,
    sourcesContent,
    // generated line 2 col 4 → source 0, line 10 col 2; generated line 1 col 0 → source 0 line 0 col 0
    mappings: [
      { generatedLine: 0, generatedColumn: 0, source: 0, originalLine: 0, originalColumn: 0 },
      { generatedLine: 1, generatedColumn: 4, source: 0, originalLine: 9, originalColumn: 2 },
    ],
  });
  return makeRecord(SOURCE, { identifier: 'scorer', version: 3, tenant: 'acme', code: { format: 'esm', source: SOURCE, sha256: sha256Hex(SOURCE), export: 'default', sourceMap } });
}

describe('component stacks through the source map', () => {
  it('rewrites the component frames to original file:line:column and leaves the rest', () => {
    const stack = ['    at Scorer.score (component:acme/scorer@3.js:2:5)', '    at other (component:acme/other@1.js:2:5)'].join('\n');
    assert.equal(mapComponentStack(stack, recordWithMap(['scorer.ts'])), ['    at Scorer.score (component:acme/scorer@3/scorer.ts:10:3)', '    at other (component:acme/other@1.js:2:5)'].join('\n'));
  });

  it('leaves frames the map does not cover, and records without a map, unchanged', () => {
    const record = recordWithMap(['scorer.ts']);
    assert.equal(mapComponentStack('    at f (component:acme/scorer@3.js:40:1)', record).includes('scorer@3.js:40:1'), true);
    assert.equal(mapComponentStack('    at f (component:acme/scorer@3.js:2:5)', makeRecord(SOURCE)), '    at f (component:acme/scorer@3.js:2:5)');
  });

  it('never lets a source name from the map forge frames or control characters', () => {
    const mapped = mapComponentStack('    at f (component:acme/scorer@3.js:2:5)', recordWithMap(['evil.ts)\n    at host (/etc/passwd:1:1\u001b[31m']));
    assert.equal(mapped.split('\n').length, 1, 'no new line');
    assert.doesNotMatch(mapped, /[\u0000-\u001f]/);
    assert.equal(mapped, '    at f (component:acme/scorer@3/evil.ts______at_host__/etc/passwd_1_1__31m:10:3)');
  });

  it('treats a broken map as no map', () => {
    const record = makeRecord(SOURCE, { code: { format: 'esm', source: SOURCE, sha256: sha256Hex(SOURCE), export: 'default', sourceMap: '{not json' } });
    assert.equal(mapComponentStack('    at f (component:acme/test-component@1.js:2:5)', record), '    at f (component:acme/test-component@1.js:2:5)');
  });

  it('maps a ComponentError and keeps the bundle stack in details; other errors pass through', () => {
    const record = recordWithMap(['scorer.ts']);
    const original = new ComponentError('TypeError', 'bad', '    at f (component:acme/scorer@3.js:2:5)');
    const mapped = mapComponentError(original, record) as ComponentError;
    assert.equal(mapped.componentStack, '    at f (component:acme/scorer@3/scorer.ts:10:3)');
    assert.equal(mapped.details['bundleStack'], original.componentStack);
    assert.equal(mapped.cause, original);
    const other = new Error('x');
    assert.equal(mapComponentError(other, record), other);
  });
});

describe('policy violations through the source map', () => {
  it('re-reports violations at the original file, with its code frame when the map has the content', () => {
    const error = new PolicyError('POLICY_VIOLATION', 'component source breaks policy "default" (1 violation): 2:5 global: x', [
      { rule: 'global', message: 'global "eval" is not allowed by policy "default"', line: 2, column: 5, frame: 'bundle frame' },
    ]);
    const content = Array.from({ length: 12 }, (_, i) => `original ${i + 1}`).join('\n');
    const map = JSON.parse(recordWithMap(['helper.ts'], [content]).code.sourceMap ?? '') as object;
    const remapped = remapPolicyError(error, JSON.stringify(map));
    const [violation] = remapped.violations as readonly MappedViolation[];
    assert.deepEqual([violation?.file, violation?.line, violation?.column], ['helper.ts', 10, 3]);
    assert.match(violation?.frame ?? '', /> 10 \| original 10/);
    assert.match(remapped.message, /^component source breaks policy "default" \(1 violation\): helper\.ts:10:3 global: global "eval" is not allowed/);
    assert.equal(remapped.code, 'POLICY_VIOLATION');
  });

  it('returns the error unchanged without a usable map', () => {
    const error = new PolicyError('POLICY_VIOLATION', 'x', []);
    assert.equal(remapPolicyError(error, undefined), error);
    assert.equal(remapPolicyError(error, 'garbage'), error);
  });
});
