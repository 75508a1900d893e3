import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadComponent } from '../../src/loader.ts';
import { loadPolicy } from '../../src/policy/policy.ts';
import { inspectSource } from '../../src/policy/validate.ts';
import { makeEnvelope, makeRecord, testTrust } from '../helpers.ts';
import { ORDINARY } from './fixtures/ordinary.ts';

const policy = loadPolicy('default');

describe('default policy: ordinary components are accepted, and run', () => {
  for (const { name, source, params, call } of ORDINARY) {
    it(`accepts ${name}`, async () => {
      const { violations } = inspectSource(source, policy);
      assert.deepEqual(violations.map((v) => `${v.line}:${v.column} ${v.rule} ${v.message}`), []);
      // the same bytes load through decode → verify → validate → instantiate and answer a call
      const component = await loadComponent(makeEnvelope(makeRecord(source, { params: params ?? {} })), { trust: testTrust() });
      try {
        const [method, args, expected] = call;
        assert.deepEqual(await component.call(method, [...args]), expected);
      } finally {
        component.dispose();
      }
    });
  }
});
