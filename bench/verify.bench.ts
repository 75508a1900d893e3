/**
 * The verify stage (signatures, trust, scope, expiry) on a decoded envelope, against
 * node:crypto alone (crypto.verify over the same PAE bytes with a ready KeyObject), measured in
 * the same run. Rows: the native path, the portable (tweetnacl) path, and a cached repeat
 * (no signature math; key windows, scope, threshold, expiry and the rollback check still run).
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { ISOCLASS_PAYLOAD_TYPE, decodeEnvelope, encodeEnvelope } from '../src/envelope/envelope.ts';
import { preAuthEncoding } from '../src/envelope/pae.ts';
import { RECORD_TYPE, serializeRecord, sha256Hex, type ComponentRecord } from '../src/envelope/record.ts';
import { keyPairFromSeed, spkiFromRaw } from '../src/signing/ed25519.ts';
import { signEnvelope } from '../src/signing/sign.ts';
import { trustSingleKey } from '../src/signing/trust.ts';
import { VerificationCache } from '../src/signing/verification-cache.ts';
import { verifyEnvelope } from '../src/signing/verify.ts';
import { MemoryVersionStore, VersionState } from '../src/signing/version-state.ts';
import { compare, measure, type BenchSection } from './lib.ts';

/** A realistic small component: ~1.5 KB of source, a few params. */
const SOURCE = `import { Component } from 'isoclass';
export default class Scorer extends Component {
${Array.from({ length: 24 }, (_, i) => `  rule${i}(x) { return x * this.params.weight + ${i}; }`).join('\n')}
}
`;

export default async function bench(): Promise<BenchSection> {
  const key = keyPairFromSeed(new Uint8Array(32).fill(7));
  const record: ComponentRecord = {
    _type: RECORD_TYPE,
    identifier: 'scorer',
    version: 3,
    tenant: 'acme',
    repr: 'class Scorer extends Component',
    code: { format: 'esm', source: SOURCE, sha256: sha256Hex(SOURCE), export: 'default' },
    params: { weight: 2, labels: ['a', 'b', 'c'] },
    artifacts: {},
    createdAt: '2026-11-01T00:00:00Z',
    expiresAt: '2030-01-01T00:00:00Z',
  };
  const payload = serializeRecord(record);
  const bytes = Buffer.from(encodeEnvelope(signEnvelope(ISOCLASS_PAYLOAD_TYPE, payload, [key.seed])));
  const envelope = decodeEnvelope(bytes);
  const trust = trustSingleKey(key.publicKey);
  const now = new Date('2027-01-01T00:00:00Z');

  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const keyObject = createPublicKey({ key: Buffer.from(spkiFromRaw(key.publicKey)), format: 'der', type: 'spki' });
  const signature = envelope.signatures[0]?.sig ?? new Uint8Array();
  const baseline = (): void => {
    if (!cryptoVerify(null, pae, keyObject, signature)) throw new Error('baseline failed to verify');
  };
  const native = (): void => {
    verifyEnvelope(envelope, trust, { now, verifier: 'native' });
  };
  const portable = (): void => {
    verifyEnvelope(envelope, trust, { now, verifier: 'portable' });
  };
  const cache = new VerificationCache();
  const versions = new VersionState(new MemoryVersionStore());
  const claim = { tenant: 'acme', identifier: 'scorer', version: 3, payloadDigest: sha256Hex(payload) };
  await versions.accept(claim, now);
  verifyEnvelope(envelope, trust, { now, cache });
  const cached = (): void => {
    if (!verifyEnvelope(envelope, trust, { now, cache }).cached) throw new Error('expected a cache hit');
  };
  const cachedWithRollback = async (): Promise<void> => {
    const verified = verifyEnvelope(envelope, trust, { now, cache });
    await versions.check({ tenant: verified.record.tenant, identifier: verified.record.identifier, version: verified.record.version, payloadDigest: verified.payloadDigest });
  };

  const nativeVsBaseline = await compare(baseline, native, { batch: 20, samples: 40, warmup: 5 });
  const portableVsBaseline = await compare(baseline, portable, { batch: 2, samples: 15, warmup: 2 });
  const cachedTiming = await measure(cached, { batch: 2000, samples: 40, warmup: 5 });
  const cachedRollbackTiming = await measure(cachedWithRollback, { batch: 2000, samples: 40, warmup: 5 });

  return {
    title: 'Verify: a decoded envelope through signatures, trust, scope and expiry',
    rows: [
      { name: 'node:crypto alone (crypto.verify on the PAE bytes)', value: nativeVsBaseline.baseline.medianUs },
      { name: 'verifyEnvelope, native path', value: nativeVsBaseline.subject.medianUs, baseline: 'node:crypto', ratio: nativeVsBaseline.ratio, target: '≤ 1.3× (issue 3)', met: nativeVsBaseline.ratio <= 1.3 },
      { name: 'verifyEnvelope, portable path (tweetnacl)', value: portableVsBaseline.subject.medianUs, baseline: 'node:crypto', ratio: portableVsBaseline.ratio },
      { name: 'verifyEnvelope, cached repeat', value: cachedTiming.medianUs, target: '≤ 10 µs (issue 3)', met: cachedTiming.medianUs <= 10 },
      { name: 'cached repeat + rollback check (memory store)', value: cachedRollbackTiming.medianUs, target: '≤ 10 µs (issue 3)', met: cachedRollbackTiming.medianUs <= 10 },
    ],
    notes: [
      `Record of ${payload.byteLength} bytes (${Buffer.byteLength(SOURCE)} bytes of source). The native path adds to crypto.verify: building the PAE, the strict pre-checks (S < L, canonical and non-small-order A and R), the record parse (JSON, schema, code sha256), freezing, and the trust checks. A cache hit skips signatures and parsing; key windows, scope, threshold and expiry still run.`,
    ],
  };
}
