import { createHash } from 'node:crypto';
import { formatViolations, schemaChecker } from '../json-schema.ts';
import { EnvelopeError } from './errors.ts';

export const RECORD_TYPE = 'isoclass.component/v1';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface CodeSection {
  readonly format: 'esm';
  /** The ES module source; exactly the bytes the policy checks and the isolate compiles. */
  readonly source: string;
  /** sha256 (hex) of `source` as UTF-8. */
  readonly sha256: string;
  /** `default` or the name of the export that is the class. */
  readonly export: string;
  /** Source map (JSON text) from the bundler, so stack traces can name the original file. */
  readonly sourceMap?: string;
}

export interface ArtifactEntry {
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
  /** Inline content, standard base64; absent when the bytes live in a blob store. */
  readonly data?: string;
}

/** The signed payload: what a writer says a component is. */
export interface ComponentRecord {
  readonly _type: typeof RECORD_TYPE;
  readonly identifier: string;
  readonly version: number;
  readonly tenant: string;
  readonly repr: string;
  readonly code: CodeSection;
  readonly params: JsonObject;
  readonly artifacts: Readonly<Record<string, ArtifactEntry>>;
  readonly capture?: JsonObject;
  readonly createdAt: string;
  readonly expiresAt: string | null;
}

const checkRecordSchema = schemaChecker(new URL('../../schemas/record.schema.json', import.meta.url));
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a record out of a payload whose signature has ALREADY been verified. Still checks
 * everything: a trusted signer can make mistakes, and the rest of the pipeline relies on the
 * record's shape.
 */
export function parseRecord(payload: Uint8Array): ComponentRecord {
  let allegedRecord: unknown;
  try {
    allegedRecord = JSON.parse(utf8.decode(payload));
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_RECORD_NOT_JSON', `the signed payload is not UTF-8 JSON: ${(cause as Error).message}`, { cause });
  }
  const violations = checkRecordSchema(allegedRecord, 'record');
  if (violations.length > 0) {
    throw new EnvelopeError('ENVELOPE_RECORD_INVALID', `the record is not a valid ${RECORD_TYPE}: ${formatViolations(violations)}`, {
      details: { violations },
    });
  }
  const record = allegedRecord as ComponentRecord;
  for (const field of ['createdAt', 'expiresAt'] as const) {
    const value = record[field];
    if (value !== null && Number.isNaN(Date.parse(value))) {
      throw new EnvelopeError('ENVELOPE_RECORD_INVALID', `record.${field} is not a real date: ${value}`, { details: { path: `record.${field}` } });
    }
  }
  // integrity: the hash names the code in caches and logs, so it must be the code's hash
  const actual = sha256Hex(record.code.source);
  if (actual !== record.code.sha256) {
    throw new EnvelopeError(
      'ENVELOPE_CODE_HASH_MISMATCH',
      `record.code.sha256 is ${record.code.sha256} but the source hashes to ${actual}; the writer produced an inconsistent record`,
      { details: { expected: record.code.sha256, actual } },
    );
  }
  return record;
}

export function serializeRecord(record: ComponentRecord): Uint8Array {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
