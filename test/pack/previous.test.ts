/** Versions: the next version follows the previous envelope of the same component, never backwards. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PackError } from '../../src/pack/errors.ts';
import { packSource } from '../../src/pack/pack.ts';
import { makeEnvelope, makeRecord, testKey } from '../helpers.ts';

const SOURCE = "import { Component } from 'isoclass';\nexport default class Scorer extends Component { score(x) { return x; } }\n";
const keys = [testKey().seed];

describe('version from the previous envelope', () => {
  it('keeps identifier and tenant and takes version + 1', async () => {
    const first = await packSource(SOURCE, { keys, identifier: 'scorer', tenant: 'acme', version: 41 });
    const { record } = await packSource(SOURCE, { keys, previous: first.envelope });
    assert.deepEqual([record.tenant, record.identifier, record.version], ['acme', 'scorer', 42]);
  });

  it('accepts an explicit version above the previous one, and the same identifier and tenant', async () => {
    const first = await packSource(SOURCE, { keys, identifier: 'scorer', tenant: 'acme', version: 2 });
    const { record } = await packSource(SOURCE, { keys, previous: Buffer.from(first.envelope), identifier: 'scorer', tenant: 'acme', version: 10 });
    assert.equal(record.version, 10);
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ['another identifier', { identifier: 'ranker' }, /the previous envelope is acme\/scorer v3, but this pack is for identifier "ranker", not "scorer"; a new version keeps its component's identifier and tenant/],
    ['another tenant', { tenant: 'globex' }, /the previous envelope is acme\/scorer v3, but this pack is for tenant "globex", not "acme"/],
    ['the same version', { version: 3 }, /version 3 is not higher than the previous envelope's 3: loaders that accepted v3 refuse it as a rollback\. Use 4 or leave the version out/],
    ['a lower version', { version: 1 }, /version 1 is not higher than the previous envelope's 3/],
  ];
  for (const [name, options, message] of refusals) {
    it(`refuses ${name} (PACK_PREVIOUS_MISMATCH)`, async () => {
      const previous = makeEnvelope(makeRecord(SOURCE, { identifier: 'scorer', tenant: 'acme', version: 3 }));
      await assert.rejects(packSource(SOURCE, { keys, previous, ...options }), (e: unknown) => e instanceof PackError && e.code === 'PACK_PREVIOUS_MISMATCH' && message.test(e.message));
    });
  }

  it('refuses a version that cannot be incremented', async () => {
    const previous = makeEnvelope(makeRecord(SOURCE, { version: Number.MAX_SAFE_INTEGER }));
    await assert.rejects(packSource(SOURCE, { keys, previous }), (e: unknown) => e instanceof PackError && e.code === 'PACK_PREVIOUS_MISMATCH' && /cannot be incremented/.test(e.message));
  });

  const unreadable: [string, string | Uint8Array, RegExp][] = [
    ['not JSON', '{"payloadType":', /the previous envelope cannot be read \(ENVELOPE_NOT_JSON\)/],
    ['another payload type', makeEnvelope(Buffer.from('{}'), [testKey()], 'application/vnd.other+json'), /the previous envelope is a application\/vnd\.other\+json, not an isoclass component/],
    ['an invalid record', makeEnvelope(Buffer.from('{"_type":"isoclass.component/v1"}')), /the previous envelope cannot be read \(ENVELOPE_RECORD_INVALID\)/],
  ];
  for (const [name, previous, message] of unreadable) {
    it(`refuses a previous envelope that is ${name} (PACK_PREVIOUS_INVALID)`, async () => {
      await assert.rejects(packSource(SOURCE, { keys, previous }), (e: unknown) => e instanceof PackError && e.code === 'PACK_PREVIOUS_INVALID' && message.test(e.message));
    });
  }
});
