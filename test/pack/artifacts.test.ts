/**
 * Artifacts: sha256 and size are signed; bytes travel inline up to a limit, otherwise in a
 * content-addressed blob folder; a component's artifact(name) gets bytes verified against the
 * signed hash, or an error.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { artifact, Component } from '../../src/component.ts';
import { loadComponent } from '../../src/loader.ts';
import { prepareArtifacts } from '../../src/pack/artifacts.ts';
import { sha256Hex } from '../../src/envelope/record.ts';
import { blobPath, readArtifactBytes, writeBlob } from '../../src/pack/blob-store.ts';
import { PackError, type PackErrorCode } from '../../src/pack/errors.ts';
import { pack, packFile } from '../../src/pack/pack.ts';
import { ComponentError } from '../../src/sandbox/errors.ts';
import { makeRecord, ROOT, tempDir, testKey, testTrust } from '../helpers.ts';

const LOOKUP = join(ROOT, 'test', 'fixtures', 'components', 'lookup-table.ts');
const TABLE = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum = (sum * 31 + byte) % 1_000_003;
  return sum;
}

describe('artifacts: inline, in a blob folder, verified when read', () => {
  it('inlines a small artifact in the signed record; artifact() returns exactly its bytes', async () => {
    const { envelope, record } = await packFile(LOOKUP, { keys: [testKey().seed], params: { table: 'table' }, artifacts: { table: { data: TABLE, mediaType: 'application/x-lookup' } } });
    const entry = record.artifacts['table'];
    assert.deepEqual({ ...entry, data: undefined }, { sha256: sha256Hex(TABLE), size: 300, mediaType: 'application/x-lookup', data: undefined });
    assert.equal(entry?.data, Buffer.from(TABLE).toString('base64'));
    assert.deepEqual(record.capture?.['artifacts'], { table: { size: 300, stored: 'inline' } });
    const component = await loadComponent(envelope, { trust: testTrust() });
    try {
      assert.equal(await component.call('at', [3]), TABLE[3]);
      assert.equal(await component.call('size', ['table']), 300);
      assert.equal(await component.call('checksum', ['table']), checksum(TABLE));
    } finally {
      component.dispose();
    }
  });

  it('stores an artifact over the inline limit under its hash in blobDir; a loader with that blobDir reads it', async (t) => {
    const blobs = tempDir(t);
    const { envelope, record } = await packFile(LOOKUP, { keys: [testKey().seed], params: { table: 'weights' }, artifacts: { weights: TABLE }, blobDir: blobs, maxInlineArtifactBytes: 100 });
    const entry = record.artifacts['weights'];
    assert.equal(entry?.data, undefined, 'not inline');
    assert.ok(existsSync(blobPath(blobs, sha256Hex(TABLE))), 'the blob is named by its sha256');
    assert.deepEqual(readFileSync(blobPath(blobs, sha256Hex(TABLE))), Buffer.from(TABLE));
    const component = await loadComponent(envelope, { trust: testTrust(), blobDir: blobs });
    try {
      assert.equal(await component.call('checksum', ['weights']), checksum(TABLE));
    } finally {
      component.dispose();
    }
  });

  it('hands a component an error, never bytes, when its blob was changed or is missing', async (t) => {
    const blobs = tempDir(t);
    const { envelope } = await packFile(LOOKUP, { keys: [testKey().seed], params: { table: 'weights' }, artifacts: { weights: TABLE }, blobDir: blobs, maxInlineArtifactBytes: 0 });
    const path = blobPath(blobs, sha256Hex(TABLE));
    const tampered = Uint8Array.from(TABLE);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const cases: [string, () => void, RegExp][] = [
      ['same size, other bytes', () => writeFileSync(path, tampered), /does not hash to its name; it was changed after packing — refusing it/],
      ['other size', () => writeFileSync(path, TABLE.subarray(1)), /is 299 bytes, the signed record says 300/],
    ];
    for (const [what, tamper, message] of cases) {
      tamper();
      const component = await loadComponent(envelope, { trust: testTrust(), blobDir: blobs });
      try {
        await assert.rejects(component.call('checksum', ['weights']), (error: unknown) => {
          assert.ok(error instanceof ComponentError, what);
          assert.match(error.componentMessage, message, what);
          return true;
        });
      } finally {
        component.dispose();
      }
    }
    const noBlobDir = await loadComponent(envelope, { trust: testTrust() });
    try {
      await assert.rejects(noBlobDir.call('size', ['weights']), (e: unknown) => e instanceof ComponentError && /stored outside the envelope .* this loader has no blobDir/.test(e.componentMessage));
    } finally {
      noBlobDir.dispose();
    }
  });

  it('round-trips with the real bytes: a constructor that reads its artifact packs only when it is given', async () => {
    class Model extends Component<{ weights: string }> {
      readonly bias: number;
      constructor(params: { weights: string }) {
        super(params);
        this.bias = artifact(this.params.weights)[0] ?? 0;
      }
      predict(x: number): number {
        return x + this.bias;
      }
    }
    const { envelope } = await pack(Model, { keys: [testKey().seed], params: { weights: 'w' }, artifacts: { w: Uint8Array.of(42) } });
    const component = await loadComponent(envelope, { trust: testTrust() });
    try {
      assert.equal(await component.call('predict', [1]), 43);
    } finally {
      component.dispose();
    }
    await assert.rejects(pack(Model, { keys: [testKey().seed], params: { weights: 'missing' } }), (e: unknown) => e instanceof PackError && e.code === 'PACK_ROUND_TRIP_FAILED' && /no artifact named "missing"/.test(e.message));
  });

  it('reads a blob already in the folder by its sha256 and size', async (t) => {
    const blobs = tempDir(t);
    const sha256 = writeBlob(blobs, TABLE);
    const prepared = prepareArtifacts({ table: { sha256, size: TABLE.length } }, { blobDir: blobs });
    assert.deepEqual(prepared.entries['table'], { sha256, size: 300, mediaType: 'application/octet-stream' });
    assert.deepEqual(prepared.bytes.get('table'), TABLE);
  });

  it('copies the bytes it hashes: changing the caller\'s array afterwards changes nothing signed', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const prepared = prepareArtifacts({ a: bytes });
    bytes[0] = 9;
    assert.deepEqual(prepared.bytes.get('a'), Uint8Array.of(1, 2, 3));
    assert.equal(prepared.entries['a']?.sha256, sha256Hex(Uint8Array.of(1, 2, 3)));
  });
});

describe('artifact errors', () => {
  const table: [string, () => unknown, PackErrorCode, RegExp][] = [
    ['over the inline limit without a blob folder', () => prepareArtifacts({ big: new Uint8Array(10) }, { maxInlineArtifactBytes: 4 }), 'PACK_ARTIFACT_TOO_LARGE', /artifact big is 10 bytes, over the inline limit of 4: give blobDir \(isoclass pack --blob-dir <dir>\)/],
    ['a name the record cannot carry', () => prepareArtifacts({ '../x': new Uint8Array(1) }), 'PACK_ARTIFACT_INVALID', /artifacts\.\.\.\/x is not a valid artifact name/],
    ['a media type that is not one', () => prepareArtifacts({ a: { data: new Uint8Array(1), mediaType: 'not a type' } }), 'PACK_ARTIFACT_INVALID', /artifacts\.a\.mediaType is "not a type", not a media type/],
    ['data that is not bytes', () => prepareArtifacts({ a: { data: 'text' as unknown as Uint8Array } }), 'PACK_ARTIFACT_INVALID', /artifacts\.a\.data must be a Uint8Array/],
    ['something else entirely', () => prepareArtifacts({ a: 5 as unknown as Uint8Array }), 'PACK_ARTIFACT_INVALID', /artifacts\.a must be bytes \(Uint8Array\), \{ data \}, \{ path \} or \{ sha256, size \}/],
    ['a file that does not exist', () => prepareArtifacts({ a: { path: '/nonexistent/weights.bin' } }), 'PACK_ARTIFACT_NOT_FOUND', /artifact a: cannot read \/nonexistent\/weights\.bin/],
    ['a blob reference without a blob folder', () => prepareArtifacts({ a: { sha256: 'a'.repeat(64), size: 1 } }), 'PACK_ARTIFACT_INVALID', /names a blob by sha256, so blobDir is needed/],
    ['a blob name that is not a sha256 (path traversal)', () => blobPath('/tmp', '../../etc/passwd'), 'PACK_ARTIFACT_INVALID', /"\.\.\/\.\.\/etc\/passwd" is not a sha256 hex digest/],
    ['a list instead of names', () => prepareArtifacts([new Uint8Array(1)] as unknown as Record<string, Uint8Array>), 'PACK_ARTIFACT_INVALID', /artifacts must be an object mapping names/],
    ['a negative inline limit', () => prepareArtifacts({}, { maxInlineArtifactBytes: -1 }), 'PACK_ARTIFACT_INVALID', /maxInlineArtifactBytes must be a non-negative integer/],
    [
      'inline bytes that do not match the signed hash',
      () => readArtifactBytes(makeRecord('', { artifacts: { a: { sha256: sha256Hex(Uint8Array.of(1)), size: 1, mediaType: 'x/y', data: Buffer.of(2).toString('base64') } } }), 'a'),
      'PACK_ARTIFACT_MISMATCH',
      /\(artifact a, inline\) does not match its signed sha256 and size/,
    ],
    ['a name the record does not have', () => readArtifactBytes(makeRecord(''), 'toString'), 'PACK_ARTIFACT_NOT_FOUND', /the record has no artifact named "toString"/],
  ];
  for (const [name, run, code, message] of table) {
    it(`${name} (${code})`, () => {
      assert.throws(run, (error: unknown) => {
        assert.ok(error instanceof PackError, String(error));
        assert.equal(error.code, code, error.message);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('a blob that is missing from the folder (PACK_ARTIFACT_NOT_FOUND)', (t) => {
    const dir = tempDir(t);
    assert.throws(() => prepareArtifacts({ a: { sha256: 'b'.repeat(64), size: 3 } }, { blobDir: dir }), (e: unknown) => e instanceof PackError && e.code === 'PACK_ARTIFACT_NOT_FOUND' && /is not in .* \(ENOENT\)/.test(e.message));
  });

  it('an envelope loaders would refuse by size (PACK_ENVELOPE_TOO_LARGE)', async () => {
    await assert.rejects(packFile(LOOKUP, { keys: [testKey().seed], params: { table: 't' }, artifacts: { t: new Uint8Array(4096) }, maxEnvelopeBytes: 4096 }), (e: unknown) => e instanceof PackError && e.code === 'PACK_ENVELOPE_TOO_LARGE' && /over the 4096 loaders accept by default; store large artifacts in blobDir/.test(e.message));
  });
});
