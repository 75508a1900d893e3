import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadComponent } from '../src/loader.ts';
import { generateKeyPair } from '../src/signing/ed25519.ts';
import { packSource } from '../src/pack/pack.ts';
import { trustSingleKey } from '../src/signing/trust.ts';
import { EnvelopeError } from '../src/envelope/errors.ts';
import { VerificationError } from '../src/signing/errors.ts';
import { PolicyError } from '../src/policy/errors.ts';
import { ComponentError, SandboxError } from '../src/sandbox/errors.ts';
import { makeEnvelope, makeRecord, testKey, testTrust } from './helpers.ts';

const SCORER = `import { Component } from 'isoclass';
export default class Scorer extends Component {
  score(x) { return x * this.params.weight; }
  async later(x) { await null; return { doubled: x * 2, at: this.identifier + '@' + this.version }; }
  fail() { throw new TypeError('bad input ' + this.params.weight); }
  spin() { while (true) {} }
}
`;

describe('loadComponent: decode → verify → validate → instantiate → call', () => {
  it('round-trips a class packed in this process', async () => {
    const key = generateKeyPair();
    const { envelope } = await packSource(SCORER, { keys: [key.seed], identifier: 'scorer', version: 3, tenant: 'acme', params: { weight: 2 } });
    const component = await loadComponent(envelope, { trust: trustSingleKey(key.publicKey) });
    try {
      assert.equal(await component.call('score', [21]), 42);
      assert.deepEqual(await component.call('later', [5]), { doubled: 10, at: 'scorer@3' });
      assert.equal(component.callSync('score', [1]), 2);
      assert.equal(component.record.repr, 'class Scorer extends Component');
      assert.equal(component.signers.length, 1);
    } finally {
      component.dispose();
    }
  });

  it('refuses a payload changed by one byte (SIGNATURE_INVALID)', async () => {
    const text = makeEnvelope(makeRecord(SCORER));
    const envelope = JSON.parse(text) as { payload: string };
    const payload = Buffer.from(envelope.payload, 'base64');
    payload[10] = (payload[10] ?? 0) ^ 0x01;
    envelope.payload = payload.toString('base64');
    await assert.rejects(loadComponent(JSON.stringify(envelope), { trust: testTrust() }), (e: unknown) => e instanceof VerificationError && e.code === 'SIGNATURE_INVALID');
  });

  it('refuses an envelope signed by an unknown key (KEY_UNKNOWN)', async () => {
    const text = makeEnvelope(makeRecord(SCORER), [testKey(9)]);
    await assert.rejects(loadComponent(text, { trust: testTrust(testKey(1)) }), (e: unknown) => e instanceof VerificationError && e.code === 'KEY_UNKNOWN');
  });

  it('refuses eval with its line and column (POLICY_VIOLATION)', async () => {
    const source = `import { Component } from 'isoclass';\nexport default class E extends Component {\n  run(x) { return eval(x); }\n}\n`;
    await assert.rejects(loadComponent(makeEnvelope(makeRecord(source)), { trust: testTrust() }), (e: unknown) => {
      assert.ok(e instanceof PolicyError);
      assert.equal(e.code, 'POLICY_VIOLATION');
      const v = e.violations.find((x) => x.rule === 'global');
      assert.deepEqual([v?.line, v?.column], [3, 19]);
      assert.match(v?.frame ?? '', /> 3 \|.*eval/);
      return true;
    });
  });

  it('stops an infinite loop within two seconds and the host goes on (TIMEOUT)', async () => {
    const component = await loadComponent(makeEnvelope(makeRecord(SCORER, { params: { weight: 1 } })), { trust: testTrust(), policy: 'default' });
    const started = performance.now();
    await assert.rejects(component.call('spin'), (e: unknown) => e instanceof SandboxError && e.code === 'TIMEOUT');
    assert.ok(performance.now() - started < 2000, 'stopped within 2 s');
    assert.equal(component.disposed, true, 'a component stopped mid-call is not reused');
    const again = await loadComponent(makeEnvelope(makeRecord(SCORER, { params: { weight: 5 } })), { trust: testTrust() });
    assert.equal(await again.call('score', [2]), 10);
    again.dispose();
  });

  it('reports a component throw with its message and a stack into the component (COMPONENT_THREW)', async () => {
    const component = await loadComponent(makeEnvelope(makeRecord(SCORER, { params: { weight: 7 } })), { trust: testTrust() });
    await assert.rejects(component.call('fail'), (e: unknown) => {
      assert.ok(e instanceof ComponentError);
      assert.equal(e.componentName, 'TypeError');
      assert.equal(e.componentMessage, 'bad input 7');
      assert.match(e.componentStack, /component:acme\/test-component@1\.js:5:/);
      assert.doesNotMatch(e.stack ?? '', /\/src\/|node:internal|\.ts:/, 'no host file in the stack');
      return true;
    });
    component.dispose();
  });

  it('refuses malformed envelope JSON (ENVELOPE_NOT_JSON)', async () => {
    await assert.rejects(loadComponent('{"payloadType": ', { trust: testTrust() }), (e: unknown) => e instanceof EnvelopeError && e.code === 'ENVELOPE_NOT_JSON');
  });

  it('refuses another tenant\'s component before running it (TENANT_MISMATCH)', async () => {
    const text = makeEnvelope(makeRecord(SCORER, { tenant: 'globex' }));
    await assert.rejects(loadComponent(text, { trust: testTrust(), tenant: 'acme' }), (e: unknown) => e instanceof VerificationError && e.code === 'TENANT_MISMATCH');
  });
});
