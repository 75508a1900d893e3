import { basename, extname } from 'node:path';
import { ISOCLASS_PAYLOAD_TYPE, encodeEnvelope } from '../envelope/envelope.ts';
import { RECORD_TYPE, parseRecord, serializeRecord, sha256Hex, type ArtifactEntry, type ComponentRecord } from '../envelope/record.ts';
import { EnvelopeError } from '../envelope/errors.ts';
import { loadPolicy, type Policy } from '../policy/policy.ts';
import { validateSource } from '../policy/validate.ts';
import { SandboxedComponent } from '../sandbox/component.ts';
import { signEnvelope } from '../signing/sign.ts';
import { bundleFile } from './bundle.ts';
import { PackError } from './errors.ts';
import { checkParams } from './params.ts';
import { describeExport } from './repr.ts';

export interface PackOptions {
  /** Ed25519 seeds of the signing keys (one signature each). */
  readonly keys: readonly Uint8Array[];
  /** The export that is the class (default: `default`). */
  readonly export?: string;
  /** Component name within the tenant (default: the file name). */
  readonly identifier?: string;
  /** Positive integer (default 1). */
  readonly version?: number;
  readonly tenant?: string;
  /** Constructor argument: plain JSON. */
  readonly params?: unknown;
  /** Policy the code must pass before it is signed (default: `default`). */
  readonly policy?: Policy | string;
  readonly expiresAt?: Date | null;
  readonly now?: Date;
  /** Load the packed record in a fresh isolate before signing (default true). */
  readonly roundTrip?: boolean;
  readonly artifacts?: Readonly<Record<string, ArtifactEntry>>;
}

export interface PackResult {
  /** The signed DSSE envelope, as JSON text. */
  readonly envelope: string;
  readonly record: ComponentRecord;
}

/** Bundles a component file (JS or TS) and packs it as a signed envelope. */
export async function packFile(path: string, options: PackOptions): Promise<PackResult> {
  const { source, sourceMap } = await bundleFile(path);
  const identifier = options.identifier ?? basename(path, extname(path)).replace(/[^A-Za-z0-9._/-]/g, '-');
  return packSource(source, { ...options, identifier }, sourceMap);
}

/**
 * Packs ES module source as a signed envelope. Fails at write time, not in production: the
 * code is validated against the policy and (by default) instantiated with its params in a
 * fresh isolate before anything is signed.
 */
export async function packSource(source: string, options: PackOptions, sourceMap?: string): Promise<PackResult> {
  if (options.keys.length === 0) throw new PackError('PACK_RECORD_INVALID', 'at least one signing key is needed');
  const policy = typeof options.policy === 'string' || options.policy === undefined ? loadPolicy(options.policy) : options.policy;
  const exportName = options.export ?? 'default';
  validateSource(source, policy);
  const repr = describeExport(source, exportName);
  if (repr === undefined) {
    throw new PackError('PACK_EXPORT_NOT_FOUND', `the module has no class exported as "${exportName}"; export the class as default or name it with --export`, {
      details: { export: exportName },
    });
  }
  const now = options.now ?? new Date();
  const record: ComponentRecord = {
    _type: RECORD_TYPE,
    identifier: options.identifier ?? 'component',
    version: options.version ?? 1,
    tenant: options.tenant ?? 'default',
    repr,
    code: { format: 'esm', source, sha256: sha256Hex(source), export: exportName, ...(sourceMap ? { sourceMap } : {}) },
    params: checkParams(options.params ?? {}),
    artifacts: options.artifacts ?? {},
    createdAt: now.toISOString(),
    expiresAt: options.expiresAt ? options.expiresAt.toISOString() : null,
  };
  const payload = serializeRecord(record);
  try {
    parseRecord(payload); // the loader's own checks, so a writer cannot sign what every reader refuses
  } catch (error) {
    if (error instanceof EnvelopeError) throw new PackError('PACK_RECORD_INVALID', `the record would be refused by loaders: ${error.message}`, { cause: error });
    throw error;
  }
  if (options.roundTrip ?? true) await roundTrip(record, policy);
  const envelope = encodeEnvelope(signEnvelope(ISOCLASS_PAYLOAD_TYPE, payload, options.keys));
  return { envelope, record };
}

async function roundTrip(record: ComponentRecord, policy: Policy): Promise<void> {
  let component: SandboxedComponent | undefined;
  try {
    component = await SandboxedComponent.create(record, {
      limits: policy.runtime,
      capabilities: policy.capabilities,
      readArtifact: () => new Uint8Array(0),
    });
  } catch (error) {
    throw new PackError('PACK_ROUND_TRIP_FAILED', `the component does not instantiate in an isolate with its params: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    component?.dispose();
  }
}
