import { basename, extname } from 'node:path';
import { DEFAULT_ENVELOPE_LIMITS, ISOCLASS_PAYLOAD_TYPE, encodeEnvelope } from '../envelope/envelope.ts';
import { RECORD_TYPE, parseRecord, serializeRecord, sha256Hex, type ComponentRecord, type JsonObject } from '../envelope/record.ts';
import { EnvelopeError } from '../envelope/errors.ts';
import { loadPolicy, type Policy } from '../policy/policy.ts';
import { SandboxedComponent } from '../sandbox/component.ts';
import { ComponentError } from '../sandbox/errors.ts';
import { signEnvelope } from '../signing/sign.ts';
import { prepareArtifacts, type ArtifactInput, type PreparedArtifacts } from './artifacts.ts';
import { bundleFile, type BundleOptions } from './bundle.ts';
import { PackError } from './errors.ts';
import { captureClass } from './live/capture.ts';
import { checkParams } from './params.ts';
import { nextAfter } from './previous.ts';
import { describeExport } from './repr.ts';
import { mapComponentError, validateMapped } from './source-map.ts';
import { summarizeModule } from './summary.ts';

export interface PackOptions {
  /** Ed25519 seeds of the signing keys (one signature each). */
  readonly keys: readonly Uint8Array[];
  /** The export that is the class (default: `default`). */
  readonly export?: string;
  /** Component name within the tenant (default: the file or class name, or the previous envelope's). */
  readonly identifier?: string;
  /** Positive integer (default 1, or the previous envelope's version + 1). */
  readonly version?: number;
  /** Default `default`, or the previous envelope's tenant. */
  readonly tenant?: string;
  /** Constructor argument: plain JSON, checked here with the path of any value that would not survive. */
  readonly params?: unknown;
  /** Policy the code must pass before it is signed (default: `default`). */
  readonly policy?: Policy | string;
  readonly expiresAt?: Date | null;
  readonly now?: Date;
  /** Load the packed record in a fresh isolate, with its params and artifacts, before signing (default true). */
  readonly roundTrip?: boolean;
  /** Binary blobs the component reads with `artifact(name)`: sha256 and size are signed; bytes inline or in blobDir. */
  readonly artifacts?: Readonly<Record<string, ArtifactInput>>;
  /** Content-addressed folder for artifacts over the inline limit (`<blobDir>/sha256/<hex>`). */
  readonly blobDir?: string;
  /** Largest artifact inlined in the envelope, bytes (default 1 MiB). */
  readonly maxInlineArtifactBytes?: number;
  /** The component's previous envelope: the new one keeps its identifier and tenant, and its version + 1. */
  readonly previous?: Uint8Array | string;
  /** Refuse to write an envelope loaders would refuse by size (default: loaders' default, 16 MiB). */
  readonly maxEnvelopeBytes?: number;
}

export interface PackFileOptions extends PackOptions, BundleOptions {}

export interface PackClassOptions extends Omit<PackOptions, 'export'> {
  /** What the class's free variables stand for, by name: helpers (captured by source) and JSON values (inlined). */
  readonly deps?: Readonly<Record<string, unknown>>;
}

export interface PackResult {
  /** The signed DSSE envelope, as JSON text. */
  readonly envelope: string;
  readonly record: ComponentRecord;
}

/** A module ready to be packed, and what the packer knows about how it was made. */
interface PackedModule {
  readonly source: string;
  readonly sourceMap?: string | undefined;
  /** What was captured (live class) or bundled (file), for `record.capture`. */
  readonly capture?: JsonObject;
  /** The identifier when neither the writer nor a previous envelope gives one. */
  readonly defaultIdentifier?: string | undefined;
}

/**
 * Packs a live class by value: its source (Function.prototype.toString), the helpers and
 * values it uses (`deps`, captured recursively), and the runtime exports and globals it needs,
 * as one ES module — then validated, round-tripped and signed like any other.
 */
export async function pack(cls: unknown, options: PackClassOptions): Promise<PackResult> {
  const { deps, ...rest } = options;
  const policy = resolvePolicyOption(options.policy);
  const captured = await captureClass(cls, { ...(deps !== undefined ? { deps } : {}), policy });
  return packModule({ source: captured.source, sourceMap: captured.sourceMap, capture: captured.summary, defaultIdentifier: identifierFrom(captured.name) }, { ...rest, policy });
}

/** Bundles a component file (JS or TS) with its relative imports and listed packages, and packs it. */
export async function packFile(path: string, options: PackFileOptions): Promise<PackResult> {
  const bundled = await bundleFile(path, options.bundle !== undefined ? { bundle: options.bundle } : {});
  const capture: JsonObject = {
    kind: 'file',
    entry: basename(path),
    files: [...bundled.files],
    packages: bundled.packages.map((p) => ({ name: p.name, version: p.version })),
  };
  const defaultIdentifier = identifierFrom(basename(path, extname(path)));
  return packModule({ source: bundled.source, sourceMap: bundled.sourceMap, capture, defaultIdentifier }, options);
}

/**
 * Packs ES module source as a signed envelope. Fails at write time, not in production: the
 * code is validated against the policy and (by default) instantiated with its params in a
 * fresh isolate before anything is signed.
 */
export async function packSource(source: string, options: PackOptions, sourceMap?: string): Promise<PackResult> {
  return packModule({ source, sourceMap, capture: { kind: 'source' } }, options);
}

async function packModule(module: PackedModule, options: PackOptions): Promise<PackResult> {
  if (!Array.isArray(options.keys) || options.keys.length === 0) throw new PackError('PACK_OPTIONS_INVALID', 'at least one signing key is needed (options.keys)');
  const policy = resolvePolicyOption(options.policy);
  const identity = settleIdentity(options, module.defaultIdentifier);
  const exportName = options.export ?? 'default';
  const usage = validateMapped(module.source, module.sourceMap, policy, 'pack');
  const repr = describeExport(module.source, exportName);
  if (repr === undefined) {
    throw new PackError('PACK_EXPORT_NOT_FOUND', `the module has no class exported as "${exportName}"; export the class as default or name it with --export`, {
      details: { export: exportName },
    });
  }
  const params = checkParams(options.params ?? {});
  const artifacts = prepareArtifacts(options.artifacts, {
    ...(options.blobDir !== undefined ? { blobDir: options.blobDir } : {}),
    ...(options.maxInlineArtifactBytes !== undefined ? { maxInlineArtifactBytes: options.maxInlineArtifactBytes } : {}),
  });
  const now = options.now ?? new Date();
  const record: ComponentRecord = {
    _type: RECORD_TYPE,
    identifier: identity.identifier,
    version: identity.version,
    tenant: identity.tenant,
    repr,
    code: { format: 'esm', source: module.source, sha256: sha256Hex(module.source), export: exportName, ...(module.sourceMap ? { sourceMap: module.sourceMap } : {}) },
    params,
    artifacts: artifacts.entries,
    capture: { ...module.capture, ...summarizeModule(module.source, usage), ...(Object.keys(artifacts.summary).length > 0 ? { artifacts: artifacts.summary } : {}) },
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
  if (options.roundTrip ?? true) await roundTrip(record, policy, artifacts);
  const envelope = encodeEnvelope(signEnvelope(ISOCLASS_PAYLOAD_TYPE, payload, options.keys));
  const maxBytes = options.maxEnvelopeBytes ?? DEFAULT_ENVELOPE_LIMITS.maxEnvelopeBytes;
  const size = Buffer.byteLength(envelope, 'utf8');
  // fail at write time: an envelope every default loader refuses by size is never written
  if (size > maxBytes) {
    throw new PackError(
      'PACK_ENVELOPE_TOO_LARGE',
      `the envelope is ${size} bytes, over the ${maxBytes} loaders accept by default; store large artifacts in blobDir (lower maxInlineArtifactBytes) or ship less code`,
      { details: { size, limit: maxBytes } },
    );
  }
  return { envelope, record };
}

/** A record identifier made from a class or file name (`$Scorer` → `Scorer`, `my scorer` → `my-scorer`). */
function identifierFrom(name: string): string | undefined {
  const cleaned = name.replace(/[^A-Za-z0-9._/-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 200);
  return cleaned === '' ? undefined : cleaned;
}

function resolvePolicyOption(policy: Policy | string | undefined): Policy {
  return typeof policy === 'string' || policy === undefined ? loadPolicy(policy) : policy;
}

function settleIdentity(options: PackOptions, defaultIdentifier: string | undefined): { identifier: string; tenant: string; version: number } {
  const given = { identifier: options.identifier, tenant: options.tenant, version: options.version };
  const settled = options.previous === undefined ? given : nextAfter(options.previous, given);
  return {
    identifier: settled.identifier ?? defaultIdentifier ?? 'component',
    tenant: settled.tenant ?? 'default',
    version: settled.version ?? 1,
  };
}

async function roundTrip(record: ComponentRecord, policy: Policy, artifacts: PreparedArtifacts): Promise<void> {
  let component: SandboxedComponent | undefined;
  try {
    component = await SandboxedComponent.create(record, {
      limits: policy.runtime,
      capabilities: policy.capabilities,
      readArtifact: (name) => {
        const bytes = artifacts.bytes.get(name);
        if (bytes === undefined) throw new PackError('PACK_ARTIFACT_NOT_FOUND', `no artifact named ${name}`);
        return bytes;
      },
    });
  } catch (error) {
    const mapped = mapComponentError(error, record);
    const stack = mapped instanceof ComponentError && mapped.componentStack ? `\n${mapped.componentStack}` : '';
    throw new PackError('PACK_ROUND_TRIP_FAILED', `the component does not instantiate in an isolate with its params: ${(mapped as Error).message}${stack}`, {
      cause: mapped,
      ...(mapped instanceof ComponentError ? { details: { componentStack: mapped.componentStack } } : {}),
    });
  } finally {
    component?.dispose();
  }
}
