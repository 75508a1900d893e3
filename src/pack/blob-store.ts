import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex, type ComponentRecord } from '../envelope/record.ts';
import { PackError } from './errors.ts';

/**
 * A content-addressed folder of artifact bytes: `<dir>/sha256/<hex>`. The name is the hash, so
 * the signed record names the bytes; a reader checks size and hash on every read and never
 * trusts the folder (it may be shared, synced, or tampered with).
 */

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function blobPath(dir: string, sha256: string): string {
  // path traversal: only a 64-hex-digit name ever becomes part of a path
  if (!SHA256_HEX.test(sha256)) throw new PackError('PACK_ARTIFACT_INVALID', `"${sha256.slice(0, 80)}" is not a sha256 hex digest`);
  return join(dir, 'sha256', sha256);
}

/** Stores bytes under their hash (atomically, once); returns the hash. */
export function writeBlob(dir: string, bytes: Uint8Array): string {
  const sha256 = sha256Hex(bytes);
  const path = blobPath(dir, sha256);
  try {
    readVerifiedBlob(dir, sha256, bytes.byteLength);
    return sha256; // already there, intact
  } catch {
    // missing or corrupt: (re)write it
  }
  mkdirSync(join(dir, 'sha256'), { recursive: true });
  const tmp = join(dir, 'sha256', `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, bytes, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, path); // a reader never sees half a blob
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new PackError('PACK_ARTIFACT_INVALID', `cannot write blob ${sha256} to ${dir}: ${(cause as Error).message}`, { cause });
  }
  return sha256;
}

/** The blob's bytes, after checking them against the signed size and hash. */
export function readVerifiedBlob(dir: string, sha256: string, size: number): Uint8Array {
  const path = blobPath(dir, sha256);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new PackError('PACK_ARTIFACT_NOT_FOUND', `blob ${sha256} is not in ${dir} (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}); copy the blob folder the writer produced`, { cause });
  }
  try {
    // memory exhaustion: a swapped-in huge file is refused by its size before it is read
    const actual = fstatSync(fd).size;
    if (actual !== size) throw mismatch(sha256, `is ${actual} bytes, the signed record says ${size}`);
    const bytes = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read !== size) throw mismatch(sha256, `ended after ${read} of ${size} bytes`);
    // substitution: bytes that do not hash to the signed digest never reach a component
    if (sha256Hex(bytes) !== sha256) throw mismatch(sha256, 'does not hash to its name');
    return bytes;
  } finally {
    closeSync(fd);
  }
}

export interface ArtifactReadOptions {
  /** Folder of content-addressed blobs, for artifacts not inlined in the record. */
  readonly blobDir?: string;
}

/**
 * The verified bytes of one of a record's artifacts: inline (base64 in the signed record) or
 * from the blob folder. Either way the size and sha256 the record signs are checked.
 */
export function readArtifactBytes(record: ComponentRecord, name: string, options: ArtifactReadOptions = {}): Uint8Array {
  if (!Object.hasOwn(record.artifacts, name)) throw new PackError('PACK_ARTIFACT_NOT_FOUND', `the record has no artifact named ${JSON.stringify(name.slice(0, 100))}`);
  const entry = record.artifacts[name];
  if (entry === undefined) throw new PackError('PACK_ARTIFACT_NOT_FOUND', `the record has no artifact named ${JSON.stringify(name.slice(0, 100))}`);
  if (entry.data === undefined) {
    if (options.blobDir === undefined) {
      throw new PackError('PACK_ARTIFACT_NOT_FOUND', `artifact ${name} is stored outside the envelope (sha256 ${entry.sha256}) and this loader has no blobDir`);
    }
    return readVerifiedBlob(options.blobDir, entry.sha256, entry.size);
  }
  const bytes = Buffer.from(entry.data, 'base64');
  // substitution: inline bytes are checked like blobs, so a record cannot sign one hash and carry other data
  if (bytes.byteLength !== entry.size || sha256Hex(bytes) !== entry.sha256) throw mismatch(entry.sha256, `(artifact ${name}, inline) does not match its signed sha256 and size`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}


function mismatch(sha256: string, what: string): PackError {
  return new PackError('PACK_ARTIFACT_MISMATCH', `blob ${sha256} ${what}; it was changed after packing — refusing it`, { details: { sha256 } });
}
