import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PolicyError } from '../../src/policy/errors.ts';
import { inferPolicy } from '../../src/policy/infer.ts';
import { loadPolicy, resolvePolicy, type PolicyFile } from '../../src/policy/policy.ts';
import { inspectSource } from '../../src/policy/validate.ts';
import { ORDINARY } from './fixtures/ordinary.ts';

const base = loadPolicy('default');
const infer = (source: string, name = 'inferred') => inferPolicy(source, { base, baseReference: 'default', baseDir: process.cwd(), name });

const LEDGER = readFileSync(new URL('./fixtures/ledger.js', import.meta.url), 'utf8');

describe('inferPolicy: the tightest policy a component needs', () => {
  it('lists exactly what the component uses, extending the base', () => {
    const source = `import { Component, log } from 'isoclass';
export default class Scorer extends Component {
  score(x) { log(x); return Math.round(x * this.params.weight); }
}`;
    const { file, policy } = infer(source, 'scorer');
    assert.equal(file.extends, 'default');
    assert.deepEqual(file.globals, { allow: ['Math'] });
    assert.deepEqual(file.imports, { allow: ['isoclass'] });
    assert.deepEqual(file.capabilities, { log: true, artifacts: false, timers: false });
    assert.equal(file.computedMembers, 'none');
    assert.ok(file.syntax !== 'any' && file.syntax?.allow.includes('ClassDeclaration') && !file.syntax.allow.includes('ForStatement'));
    assert.deepEqual(policy.chain, ['default', 'scorer']);
  });

  it('records the least computed-member rule: none, literal, any', () => {
    assert.equal(infer('export const a = [1].length;').file.computedMembers, 'none');
    assert.equal(infer('export const a = [1][0];').file.computedMembers, 'literal');
    assert.equal(infer('const k = 0;\nexport const a = [1][k];').file.computedMembers, 'any');
  });

  for (const { name, source } of [...ORDINARY, { name: 'ledger', source: LEDGER }]) {
    it(`infers a policy that loads and accepts its source, and nothing it lists is spare: ${name}`, () => {
      const { file, policy } = infer(source);
      assert.deepEqual(inspectSource(source, policy).violations, []);
      // reload from the JSON text, as an operator's file would be
      const reloaded = resolvePolicy(JSON.parse(JSON.stringify(file)), 'inferred.json');
      assert.deepEqual(inspectSource(source, reloaded).violations, []);
      // tightest: without any one listed global or node type the source is refused
      const without = (key: 'globals' | 'syntax', item: string): PolicyFile => {
        const list = file[key];
        assert.ok(list !== undefined && list !== 'any');
        return { ...file, [key]: { allow: list.allow.filter((x) => x !== item) } };
      };
      for (const key of ['globals', 'syntax'] as const) {
        const list = file[key];
        if (list === undefined || list === 'any') continue;
        for (const item of list.allow) {
          if (item === 'Program') continue; // removing it is an invalid policy, tested in policy.test.ts
          const narrower = resolvePolicy(without(key, item), 'narrower.json');
          assert.notEqual(inspectSource(source, narrower).violations.length, 0, `${key} ${item} is needed`);
        }
      }
    });
  }

  it('refuses to infer from a source that breaks the base policy: inference only narrows', () => {
    assert.throws(
      () => infer("export const F = Function('return 1');"),
      (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_VIOLATION' && e.violations.some((v) => v.rule === 'global'),
    );
  });

  it('infers from a permissive base what the component reaches, for review', () => {
    const permissive = loadPolicy('sandbox-only');
    const { file } = inferPolicy('export const g = globalThis;', { base: permissive, baseReference: 'sandbox-only', baseDir: process.cwd(), name: 'reaches-global' });
    assert.deepEqual(file.globals, { allow: ['globalThis'] });
    assert.equal(file.extends, 'sandbox-only');
  });
});
