import { readFileSync } from 'node:fs';
import { sha256Hex, type ArtifactEntry, type JsonObject } from '../envelope/record.ts';
import { readVerifiedBlob, writeBlob } from './blob-store.ts';
import { PackError } from './errors.ts';

/** One artifact as a writer gives it. */
export type ArtifactInput =
  | Uint8Array
  | { readonly data: Uint8Array; readonly mediaType?: string }
  | { readonly path: string; readonly mediaType?: string }
  /** Bytes already in the blob folder (e.g. weights uploaded earlier), named by hash. */
  | { readonly sha256: string; readonly size: number; readonly mediaType?: string };

export interface ArtifactOptions {
  /** Folder for content-addressed blobs; artifacts over the inline limit go there. */
  readonly blobDir?: string;
  /** Largest artifact carried inside the envelope, in bytes (default 1 MiB). */
  readonly maxInlineArtifactBytes?: number;
}

export interface PreparedArtifacts {
  readonly entries: Record<string, ArtifactEntry>;
  /** The verified bytes, for the round trip. */
  readonly bytes: ReadonlyMap<string, Uint8Array>;
  readonly summary: JsonObject;
}

export const DEFAULT_MAX_INLINE_ARTIFACT_BYTES = 1024 * 1024; // bytes
const DEFAULT_MEDIA_TYPE = 'application/octet-stream';
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(?:\s*;[ -~]{0,100})?$/;

/**
 * Turns the writer's artifacts into signed record entries: sha256 and size always; the bytes
 * inline (base64) up to the limit, otherwise in the blob folder under their hash.
 */
export function prepareArtifacts(inputs: Readonly<Record<string, ArtifactInput>> | undefined, options: ArtifactOptions = {}): PreparedArtifacts {
  const maxInline = options.maxInlineArtifactBytes ?? DEFAULT_MAX_INLINE_ARTIFACT_BYTES;
  if (!Number.isSafeInteger(maxInline) || maxInline < 0) throw invalid('maxInlineArtifactBytes', 'must be a non-negative integer number of bytes');
  const entries: Record<string, ArtifactEntry> = {};
  const bytesByName = new Map<string, Uint8Array>();
  const summary: JsonObject = {};
  if (inputs === undefined) return { entries, bytes: bytesByName, summary };
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) throw invalid('artifacts', 'must be an object mapping names to bytes, { data }, { path } or { sha256, size }');
  for (const name of Object.keys(inputs)) {
    if (!ARTIFACT_NAME.test(name)) throw invalid(`artifacts.${name}`, 'is not a valid artifact name (letters, digits, ".", "_", "-", up to 100, starting with a letter or digit)');
    const input = inputs[name] as ArtifactInput;
    const mediaType = mediaTypeOf(input, name);
    if (input !== null && typeof input === 'object' && 'sha256' in input && !(input instanceof Uint8Array)) {
      if (options.blobDir === undefined) throw invalid(`artifacts.${name}`, 'names a blob by sha256, so blobDir is needed to find it');
      const bytes = readVerifiedBlob(options.blobDir, input.sha256, input.size);
      entries[name] = { sha256: input.sha256, size: input.size, mediaType };
      bytesByName.set(name, bytes);
      summary[name] = { size: input.size, stored: 'blob' };
      continue;
    }
    const bytes = bytesOf(input, name);
    const sha256 = sha256Hex(bytes);
    bytesByName.set(name, bytes);
    if (bytes.byteLength <= maxInline) {
      entries[name] = { sha256, size: bytes.byteLength, mediaType, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
      summary[name] = { size: bytes.byteLength, stored: 'inline' };
      continue;
    }
    if (options.blobDir === undefined) {
      throw new PackError(
        'PACK_ARTIFACT_TOO_LARGE',
        `artifact ${name} is ${bytes.byteLength} bytes, over the inline limit of ${maxInline}: give blobDir (isoclass pack --blob-dir <dir>) to store it content-addressed beside the envelope, or raise maxInlineArtifactBytes`,
        { details: { name, size: bytes.byteLength, limit: maxInline } },
      );
    }
    writeBlob(options.blobDir, bytes);
    entries[name] = { sha256, size: bytes.byteLength, mediaType };
    summary[name] = { size: bytes.byteLength, stored: 'blob' };
  }
  return { entries, bytes: bytesByName, summary };
}

function bytesOf(input: ArtifactInput, name: string): Uint8Array {
  if (input instanceof Uint8Array) return new Uint8Array(input); // a copy: later changes by the caller cannot alter what was hashed
  if (input !== null && typeof input === 'object' && 'data' in input) {
    if (!(input.data instanceof Uint8Array)) throw invalid(`artifacts.${name}.data`, 'must be a Uint8Array (or Buffer)');
    return new Uint8Array(input.data);
  }
  if (input !== null && typeof input === 'object' && 'path' in input) {
    if (typeof input.path !== 'string') throw invalid(`artifacts.${name}.path`, 'must be a file path');
    try {
      return new Uint8Array(readFileSync(input.path));
    } catch (cause) {
      throw new PackError('PACK_ARTIFACT_NOT_FOUND', `artifact ${name}: cannot read ${input.path}: ${(cause as Error).message}`, { cause, details: { name } });
    }
  }
  throw invalid(`artifacts.${name}`, 'must be bytes (Uint8Array), { data }, { path } or { sha256, size }');
}

function mediaTypeOf(input: ArtifactInput, name: string): string {
  const given = input instanceof Uint8Array ? undefined : (input as { mediaType?: unknown }).mediaType;
  if (given === undefined) return DEFAULT_MEDIA_TYPE;
  if (typeof given !== 'string' || !MEDIA_TYPE.test(given)) throw invalid(`artifacts.${name}.mediaType`, `is ${JSON.stringify(given)}, not a media type like application/octet-stream`);
  return given;
}

function invalid(path: string, what: string): PackError {
  return new PackError('PACK_ARTIFACT_INVALID', `${path} ${what}`, { details: { path } });
}
