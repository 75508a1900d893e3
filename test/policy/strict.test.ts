import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPolicy, resolvePolicy } from '../../src/policy/policy.ts';
import { inspectSource } from '../../src/policy/validate.ts';
import { STRICT_ACCEPTS, STRICT_REFUSES } from './fixtures/strict.ts';

const strict = loadPolicy('strict');
const rulesOf = (source: string, policy = strict): string[] => [...new Set(inspectSource(source, policy).violations.map((v) => v.rule))].sort();

describe('strict policy: literal keys only, and less than default', () => {
  for (const { technique, source, rules } of STRICT_REFUSES) {
    it(`refuses ${technique} (${rules.join(', ')})`, () => {
      assert.deepEqual(rulesOf(source), [...rules].sort());
    });
  }

  for (const source of STRICT_ACCEPTS) {
    it(`accepts the literal key in ${JSON.stringify(source.split('\n').at(-1))}`, () => {
      assert.deepEqual(rulesOf(source), []);
    });
  }

  it('still refuses denied names given as literal keys', () => {
    assert.deepEqual(rulesOf("const f = () => {};\nexport const F = f['constructor'];"), ['member']);
  });

  it('the default policy allows every run-time key strict refuses (the runtime guards those)', () => {
    const fallback = loadPolicy('default');
    for (const { technique, source, rules } of STRICT_REFUSES) {
      if (rules.includes('computed-member')) assert.ok(!rulesOf(source, fallback).includes('computed-member'), technique);
    }
  });

  it('computedMembers "none" refuses literal keys too, and says how to write them', () => {
    const none = resolvePolicy({ version: 1, name: 'no-computed', extends: 'strict', computedMembers: 'none' }, 'test', process.cwd());
    const { violations } = inspectSource("const o = { a: 1 };\nexport const v = o['a'] + [1][0];", none);
    assert.deepEqual(violations.map((v) => v.rule), ['computed-member', 'computed-member']);
    assert.match(violations[0]?.message ?? '', /write \.a/);
  });
});
