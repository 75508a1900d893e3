/**
 * The example multi-tenant service (examples/service) over real HTTP: loads per tenant, calls,
 * cross-tenant refusals, a misbehaving component contained, tenant limits, health.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createService, type Service } from '../../examples/service/service.ts';
import { ATTACK_LIMITS, sandboxOnly } from '../attacks/harness/modes.ts';
import { makeEnvelope, makeRecord, testTrust } from '../helpers.ts';

const SOURCE = `import { Component, log } from 'isoclass';
export default class Scorer extends Component {
  score(x) { log('scoring', x); return x * this.params.weight; }
  spin() { for (;;) {} }
}
`;

let service: Service;
let base: string;
const lines: string[] = [];

function envelope(tenant: string, identifier = 'scorer'): string {
  return makeEnvelope(makeRecord(SOURCE, { tenant, identifier, params: { weight: 2 } }));
}

async function request(method: string, path: string, tenant: string | undefined, body?: string): Promise<{ status: number; json: { ok: boolean; result?: unknown; error?: { code: string } } }> {
  const response = await fetch(`${base}${path}`, { method, headers: tenant === undefined ? {} : { 'x-tenant': tenant }, ...(body === undefined ? {} : { body }) });
  return { status: response.status, json: (await response.json()) as { ok: boolean; result?: unknown; error?: { code: string } } };
}

describe('example service', () => {
  before(async () => {
    service = createService({ trust: testTrust(), policy: sandboxOnly(ATTACK_LIMITS), tenantLimits: { maxComponents: 3 }, onLog: (entry) => lines.push(`${entry.tenant}:${entry.line}`) });
    await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  });
  after(() => service.close());

  it('loads a tenant\'s component and calls it', { timeout: 20_000 }, async () => {
    assert.equal((await request('PUT', '/components/scorer', 'acme', envelope('acme'))).status, 200);
    const call = await request('POST', '/components/scorer/score', 'acme', '[21]');
    assert.deepEqual([call.status, call.json.result], [200, 42]);
    assert.ok(lines.includes('acme:scoring 21'));
  });

  it('refuses another tenant\'s envelope, and never shows one tenant\'s components to another', { timeout: 20_000 }, async () => {
    const foreign = await request('PUT', '/components/scorer', 'globex', envelope('acme'));
    assert.deepEqual([foreign.status, foreign.json.error?.code], [403, 'TENANT_MISMATCH']);
    const peek = await request('POST', '/components/scorer/score', 'globex', '[1]');
    assert.equal(peek.status, 404);
  });

  it('contains a component that loops: TIMEOUT for it, nothing for the others', { timeout: 20_000 }, async () => {
    assert.equal((await request('PUT', '/components/looper', 'loopy', envelope('loopy', 'looper'))).status, 200);
    const spin = await request('POST', '/components/looper/spin', 'loopy', '[]');
    assert.deepEqual([spin.status, spin.json.error?.code], [422, 'TIMEOUT']);
    assert.equal((await request('POST', '/components/scorer/score', 'acme', '[5]')).json.result, 10);
    // the looping tenant loads again into a fresh isolate
    assert.equal((await request('PUT', '/components/looper', 'loopy', envelope('loopy', 'looper'))).status, 200);
    assert.equal((await request('POST', '/components/looper/score', 'loopy', '[1]')).json.result, 2);
  });

  it('refuses a tenant past its limits (TENANT_LIMIT) and reports its usage', { timeout: 20_000 }, async () => {
    for (const name of ['a', 'b', 'c']) await request('PUT', `/components/${name}`, 'hoarder', envelope('hoarder', name));
    const fourth = await request('PUT', '/components/d', 'hoarder', envelope('hoarder', 'd'));
    assert.deepEqual([fourth.status, fourth.json.error?.code], [422, 'TENANT_LIMIT']);
    const usage = await request('GET', '/usage', 'hoarder');
    assert.deepEqual(usage.json.result, { isolates: 1, memoryMb: 256, components: 3, catastrophes: 0 });
  });

  it('refuses unauthenticated requests and malformed input, and stays healthy', { timeout: 20_000 }, async () => {
    assert.equal((await request('GET', '/usage', undefined)).status, 401);
    assert.equal((await request('PUT', '/components/x', 'acme', '{not json')).status, 400);
    assert.equal((await request('POST', '/components/scorer/score', 'acme', '{"a":1}')).status, 400);
    assert.equal((await request('GET', '/healthz', undefined)).status, 200);
  });
});
