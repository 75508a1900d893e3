import { BoundedCache } from './bounded-cache.ts';
import { DEFAULT_ENVELOPE_LIMITS, decodeEnvelope, decodeHashedEnvelope, type DecodedEnvelope, type EnvelopeLimits } from './envelope/envelope.ts';
import { sha256Hex, type ComponentRecord } from './envelope/record.ts';
import { loadPolicy, type Policy } from './policy/policy.ts';
import type { SandboxedComponent, ComponentMetrics, LogEntry } from './sandbox/component.ts';
import { Sandbox, type IsolateAhead, type SandboxRuntimeOptions } from './sandbox/sandbox.ts';
import type { VerifierKind } from './signing/ed25519.ts';
import { VerificationError } from './signing/errors.ts';
import type { TrustRoot } from './signing/trust.ts';
import { verifyEnvelope, type VerifiedRecord } from './signing/verify.ts';
import { readArtifactBytes } from './pack/blob-store.ts';
import { mapComponentError, validateMapped } from './pack/source-map.ts';
import { VerificationCache } from './signing/verification-cache.ts';
import { VersionState, type VersionStore } from './signing/version-state.ts';

/**
 * How a loader is set up: what it trusts, what it allows, where its output goes, and how its
 * isolates are run (isolation mode, warm pool, per-tenant limits: see SandboxRuntimeOptions).
 */
export interface LoaderOptions extends SandboxRuntimeOptions {
  /** The keys envelopes must be signed with. */
  readonly trust: TrustRoot;
  /** Policy the code must satisfy; its runtime limits bound the isolate (default: `default`). */
  readonly policy?: Policy | string;
  readonly verifier?: VerifierKind;
  readonly envelopeLimits?: EnvelopeLimits;
  /**
   * Where the highest accepted version per (tenant, identifier) is kept (rollback and
   * equivocation protection); e.g. `new FileVersionStore(dir)`. Without it nothing is remembered
   * between loads and older versions load.
   */
  readonly versionStore?: VersionStore;
  /** Verification cache (default: a bounded one per loader; `false` for none). */
  readonly verificationCache?: VerificationCache | false;
  /** Receives the components' `log()` lines (rate-limited). */
  readonly onLog?: (entry: LogEntry) => void;
  /** Folder of content-addressed artifact blobs (`<blobDir>/sha256/<hex>`), for artifacts not inlined in envelopes. */
  readonly blobDir?: string;
}

/** Facts of one load. */
export interface LoadRequest {
  /** The tenant this load is for: another tenant's component is refused before any of it runs. */
  readonly tenant?: string;
  /** The one reference time for expiry and key validity (default: now). */
  readonly now?: Date;
}

export type LoadOptions = LoaderOptions & LoadRequest;

/** What a loaded component looks like to the host. */
export interface LoadedComponent {
  readonly record: ComponentRecord;
  /** Key ids of the trusted keys that signed it. */
  readonly signers: readonly string[];
  readonly envelopeDigest: string;
  /** How long each stage of this load took, ms. */
  readonly timings: LoadTimings;
  /** Calls a method with copied arguments; resolves to the copied result. */
  call(method: string, args?: readonly unknown[]): Promise<unknown>;
  /** Calls a synchronous method on the calling thread (cheaper; CPU timeout only). */
  callSync(method: string, args?: readonly unknown[]): unknown;
  metrics(): ComponentMetrics;
  readonly disposed: boolean;
  dispose(): void;
}

export interface LoadTimings {
  readonly decodeMs: number;
  readonly verifyMs: number;
  readonly validateMs: number;
  readonly instantiateMs: number;
}

/**
 * Loads envelopes into isolates. One loader per trust root and policy; it is the single owner of
 * whatever state loads share (caches, version state, isolates).
 */
export class Loader {
  readonly #options: LoaderOptions;
  readonly #policy: Policy;
  readonly #verificationCache: VerificationCache | undefined;
  readonly #versions: VersionState | undefined;
  readonly #sandbox: Sandbox;
  /** sha256 of sources that passed this loader's policy. */
  readonly #validated = new Set<string>();
  /** Envelopes that decoded and verified, by the sha256 of their bytes (see #decode). */
  readonly #decoded = new BoundedCache<string, DecodedEnvelope>({ maxEntries: MAX_DECODED, maxSize: MAX_DECODED_BYTES }, (envelope) => envelope.payload.byteLength);

  constructor(options: LoaderOptions) {
    this.#options = options;
    this.#policy = typeof options.policy === 'object' ? options.policy : loadPolicy(options.policy ?? 'default');
    this.#verificationCache = options.verificationCache === false ? undefined : (options.verificationCache ?? new VerificationCache());
    this.#versions = options.versionStore === undefined ? undefined : new VersionState(options.versionStore);
    this.#sandbox = new Sandbox(options);
  }

  /** The isolate runtime: isolation mode, pool, per-tenant usage. */
  get sandbox(): Sandbox {
    return this.#sandbox;
  }

  /** Makes the warm pool ready before the first load (optional: it also fills itself). */
  warm(): Promise<void> {
    return this.#sandbox.warm({ limits: this.#policy.runtime, capabilities: this.#policy.capabilities });
  }

  /** Disposes every component this loader loaded and every isolate it keeps warm. */
  close(): void {
    this.#sandbox.close();
  }

  get policy(): Policy {
    return this.#policy;
  }

  /**
   * The pipeline, top-down: decode → verify → validate → instantiate. Each stage takes alleged
   * input and returns a checked value or throws its typed error; nothing in the record is read
   * before the signature over it has verified.
   */
  async load(envelopeBytes: Uint8Array | string, request: LoadRequest = {}): Promise<LoadedComponent> {
    const clock = stageClock();
    const envelope = this.#decode(envelopeBytes);
    const decodeMs = clock();
    // an isolate this load will need starts being prepared on its own thread now, while this one
    // verifies and validates; nothing of the envelope reaches it before both have passed (freed
    // below if the load fails first)
    const ahead = this.#sandbox.prepareAhead({ limits: this.#policy.runtime, capabilities: this.#policy.capabilities });
    // (making that isolate is instantiation's time, not verification's)
    const aheadMs = clock();
    try {
      const verified = await this.#verify(envelope, request);
      const verifyMs = clock();
      const { record } = verified;
      this.#validate(record);
      const validateMs = clock();
      // component stack traces point at the original files, through the signed source map
      const sandboxed = await this.#instantiate(record, ahead).catch((error: unknown) => Promise.reject(mapComponentError(error, record)));
      await this.#accept(verified, sandboxed, request);
      const timings = { decodeMs, verifyMs, validateMs, instantiateMs: aheadMs + clock() };
      return loadedComponent(verified, sandboxed, timings);
    } finally {
      ahead?.cancel(); // a no-op once the load used it
    }
  }

  /**
   * Decoding is a function of the bytes and this loader's limits (fixed for its life), so the same
   * bytes again, named by their sha256, are not decoded again. Only envelopes that went on to
   * verify are remembered (#rememberDecoded): an attacker without a trusted key cannot fill it.
   */
  #decode(envelopeBytes: Uint8Array | string): DecodedEnvelope {
    const limits = this.#options.envelopeLimits ?? DEFAULT_ENVELOPE_LIMITS;
    const bytes = typeof envelopeBytes === 'string' ? Buffer.from(envelopeBytes, 'utf8') : envelopeBytes;
    // resource exhaustion: oversized input is not even hashed (decode refuses it)
    if (this.#decoded.entries === 0 || bytes.byteLength > limits.maxEnvelopeBytes) return decodeEnvelope(bytes, limits);
    const digest = sha256Hex(bytes);
    return this.#decoded.get(digest) ?? decodeHashedEnvelope(bytes, limits, digest);
  }

  #rememberDecoded(envelope: DecodedEnvelope): void {
    if (this.#decoded.has(envelope.digest)) return;
    // shared by every later load of the same bytes: nothing may change it
    this.#decoded.set(envelope.digest, Object.freeze({ ...envelope, signatures: Object.freeze([...envelope.signatures]) }));
  }

  async #verify(envelope: DecodedEnvelope, request: LoadRequest): Promise<VerifiedRecord> {
    const verified = verifyEnvelope(envelope, this.#options.trust, {
      ...(request.now ? { now: request.now } : {}),
      ...(this.#options.verifier ? { verifier: this.#options.verifier } : {}),
      ...(this.#verificationCache ? { cache: this.#verificationCache } : {}),
    });
    this.#rememberDecoded(envelope);
    checkTenant(verified.record, request.tenant);
    // rollback / equivocation, early: refused before any of the code is looked at
    await this.#versions?.check(versionClaim(verified));
    return verified;
  }

  /**
   * A version counts as accepted only once its whole load succeeded; recorded here, checked
   * again atomically (a concurrent load may have accepted a newer one). If it lost, the
   * instantiated component is disposed and the load refused.
   */
  async #accept(verified: VerifiedRecord, sandboxed: SandboxedComponent, request: LoadRequest): Promise<void> {
    if (this.#versions === undefined) return;
    try {
      await this.#versions.accept(versionClaim(verified), request.now ?? new Date());
    } catch (error) {
      sandboxed.dispose();
      throw error;
    }
  }

  #validate(record: ComponentRecord): void {
    // a verdict is a function of the source and this loader's policy (fixed for its life); the
    // source is named by its sha256, which decode checked against the source itself
    if (this.#validated.has(record.code.sha256)) return;
    // violations at the writer's files and lines, through the record's signed source map
    validateMapped(record.code.source, record.code.sourceMap, this.#policy, 'load');
    if (this.#validated.size >= MAX_VALIDATED_SOURCES) this.#validated.clear();
    this.#validated.add(record.code.sha256);
  }

  #instantiate(record: ComponentRecord, ahead: IsolateAhead | undefined): Promise<SandboxedComponent> {
    return this.#sandbox.instantiate(
      record,
      {
        limits: this.#policy.runtime,
        capabilities: this.#policy.capabilities,
        readArtifact: artifactReader(record, this.#options.blobDir),
        ...(this.#options.onLog ? { onLog: this.#options.onLog } : {}),
      },
      ahead,
    );
  }
}

const MAX_VALIDATED_SOURCES = 4096; // sources whose policy verdict a loader remembers
const MAX_DECODED = 256; // envelopes a loader keeps decoded
const MAX_DECODED_BYTES = 16 * 1024 * 1024; // bytes of payload those may hold

/** One-shot load with a fresh loader (no state shared with other loads, no warm pool). */
export function loadComponent(envelopeBytes: Uint8Array | string, options: LoadOptions): Promise<LoadedComponent> {
  const { tenant, now, ...loaderOptions } = options;
  return new Loader({ poolSize: 0, ...loaderOptions }).load(envelopeBytes, { ...(tenant !== undefined ? { tenant } : {}), ...(now !== undefined ? { now } : {}) });
}

/** The host-side handle of a loaded component. */
function loadedComponent(verified: VerifiedRecord, sandboxed: SandboxedComponent, timings: LoadTimings): LoadedComponent {
  const { record } = verified;
  // without a source map there is nothing to map: a call is the sandbox's own (one promise, or
  // one frame, fewer per call)
  const mapped = record.code.sourceMap !== undefined;
  return {
    record,
    signers: verified.signers,
    envelopeDigest: verified.envelopeDigest,
    timings,
    call: mapped
      ? (method, args) => sandboxed.call(method, args).catch((error: unknown) => Promise.reject(mapComponentError(error, record)))
      : (method, args) => sandboxed.call(method, args),
    callSync: mapped
      ? (method, args) => {
          try {
            return sandboxed.callSync(method, args);
          } catch (error) {
            throw mapComponentError(error, record);
          }
        }
      : (method, args) => sandboxed.callSync(method, args),
    metrics: () => sandboxed.metrics(),
    get disposed() {
      return sandboxed.disposed;
    },
    dispose: () => sandboxed.dispose(),
  };
}

/** Returns a function giving the ms since it was last called. */
function stageClock(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
}

function versionClaim(verified: VerifiedRecord): { tenant: string; identifier: string; version: number; payloadDigest: string } {
  const { tenant, identifier, version } = verified.record;
  return { tenant, identifier, version, payloadDigest: verified.payloadDigest };
}

function checkTenant(record: ComponentRecord, tenant: string | undefined): void {
  // cross-tenant loading: a service acting for one tenant never runs another tenant's code
  if (tenant !== undefined && record.tenant !== tenant) {
    throw new VerificationError('TENANT_MISMATCH', `envelope is for tenant "${record.tenant}", but this load is for tenant "${tenant}"`, {
      details: { expected: tenant, actual: record.tenant },
    });
  }
}

/**
 * Reads a record's artifacts for its component: inline or from the blob folder, each checked
 * against the size and sha256 the signed record gives (substitution: bytes that do not match
 * are never handed to the component), once per load.
 */
function artifactReader(record: ComponentRecord, blobDir: string | undefined): (name: string) => Uint8Array {
  const verified = new Map<string, Uint8Array>();
  return (name) => {
    let bytes = verified.get(name);
    if (bytes === undefined) {
      bytes = readArtifactBytes(record, name, blobDir === undefined ? {} : { blobDir });
      verified.set(name, bytes);
    }
    return bytes;
  };
}
