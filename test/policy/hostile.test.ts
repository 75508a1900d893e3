import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyError } from '../../src/policy/errors.ts';
import { loadPolicy } from '../../src/policy/policy.ts';
import { inspectSource, validateSource } from '../../src/policy/validate.ts';
import { HOSTILE } from './fixtures/hostile.ts';

const policy = loadPolicy('default');

describe('default policy: hostile sources, one per technique', () => {
  it('has at least 60 techniques, each named once', () => {
    assert.ok(HOSTILE.length >= 60, `only ${HOSTILE.length} hostile sources`);
    assert.equal(new Set(HOSTILE.map((h) => h.technique)).size, HOSTILE.length);
  });

  for (const { technique, source, rules } of HOSTILE) {
    it(`refuses ${technique} (${rules.join(', ')})`, () => {
      const { violations } = inspectSource(source, policy);
      const found = [...new Set(violations.map((v) => v.rule))].sort();
      assert.deepEqual(found, [...rules].sort(), `violations: ${violations.map((v) => `${v.line}:${v.column} ${v.rule} ${v.message}`).join(' | ')}`);
      for (const v of violations) {
        assert.ok(v.line >= 1 && v.column >= 1, 'every violation has a position');
        assert.match(v.frame, /^> +\d+ \|/m, 'every violation has a code frame');
      }
      assert.throws(
        () => validateSource(source, policy),
        (e: unknown) => e instanceof PolicyError && e.code === (rules.includes('parse') ? 'POLICY_PARSE_ERROR' : 'POLICY_VIOLATION') && e.violations.length === violations.length,
      );
    });
  }
});
