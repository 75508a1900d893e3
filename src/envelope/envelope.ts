import { decodeBase64, encodeBase64 } from './base64.ts';
import { EnvelopeError } from './errors.ts';
import { sha256Hex } from './record.ts';

/** The DSSE payload type of an isoclass record. */
export const ISOCLASS_PAYLOAD_TYPE = 'application/vnd.isoclass.component.v1+json';

export interface EnvelopeLimits {
  /** Largest envelope accepted, in bytes; larger input is refused before it is parsed. */
  readonly maxEnvelopeBytes: number;
  /** Most signatures one envelope may carry; each costs a verification. */
  readonly maxSignatures: number;
}

export const DEFAULT_ENVELOPE_LIMITS: EnvelopeLimits = {
  maxEnvelopeBytes: 16 * 1024 * 1024, // bytes
  maxSignatures: 16, // signatures
};

export interface EnvelopeSignature {
  /** Unauthenticated hint naming the signing key; never decides trust. */
  readonly keyid: string | undefined;
  readonly sig: Uint8Array;
}

/** A syntactically valid DSSE envelope. Nothing in it has been verified yet. */
export interface DecodedEnvelope {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  readonly signatures: readonly EnvelopeSignature[];
  /** sha256 (hex) of the envelope bytes exactly as received. */
  readonly digest: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Stage 1 of loading: bytes to a DSSE envelope. Checks size, JSON, shape and base64; does not
 * look inside the payload (that waits for the signature).
 */
export function decodeEnvelope(allegedBytes: Uint8Array | string, limits: EnvelopeLimits = DEFAULT_ENVELOPE_LIMITS): DecodedEnvelope {
  return decodeHashedEnvelope(allegedBytes, limits, undefined);
}

/**
 * decodeEnvelope for a caller that has just hashed the bytes (not hashed twice). Internal, not
 * exported by the package: `knownDigest` must be the sha256 of these very bytes, because it keys
 * the verification cache; a wrong one would be handed another envelope's verified record.
 */
export function decodeHashedEnvelope(allegedBytes: Uint8Array | string, limits: EnvelopeLimits, knownDigest: string | undefined): DecodedEnvelope {
  const bytes = typeof allegedBytes === 'string' ? Buffer.from(allegedBytes, 'utf8') : allegedBytes;
  // resource exhaustion: refuse oversized input before parsing it
  if (bytes.byteLength > limits.maxEnvelopeBytes) {
    throw new EnvelopeError(
      'ENVELOPE_TOO_LARGE',
      `envelope is ${bytes.byteLength} bytes, over the limit of ${limits.maxEnvelopeBytes}; raise maxEnvelopeBytes if this is expected`,
      { details: { size: bytes.byteLength, limit: limits.maxEnvelopeBytes } },
    );
  }
  const allegedEnvelope = parseJson(bytes);
  if (!isPlainObject(allegedEnvelope)) {
    throw malformed('envelope', 'must be a JSON object with payloadType, payload and signatures');
  }
  // Unknown top-level fields are ignored, as the DSSE spec requires: they are not signed and
  // nothing reads them.
  const { payloadType, payload, signatures } = allegedEnvelope;
  if (typeof payloadType !== 'string') throw malformed('envelope.payloadType', 'must be a string');
  if (typeof payload !== 'string') throw malformed('envelope.payload', 'must be a base64 string');
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw malformed('envelope.signatures', 'must be a non-empty array');
  }
  // resource exhaustion: each signature costs a verification
  if (signatures.length > limits.maxSignatures) {
    throw malformed('envelope.signatures', `has ${signatures.length} entries, over the limit of ${limits.maxSignatures}`);
  }
  return {
    payloadType,
    payload: decodeBase64(payload, 'envelope.payload'),
    signatures: signatures.map((s: unknown, i) => decodeSignature(s, `envelope.signatures[${i}]`)),
    digest: knownDigest ?? sha256Hex(bytes),
  };
}

function decodeSignature(alleged: unknown, path: string): EnvelopeSignature {
  if (!isPlainObject(alleged)) throw malformed(path, 'must be an object {keyid, sig}');
  const { keyid, sig, ...rest } = alleged;
  // A signature entry is refused if it has fields we do not know: its fields are not covered
  // by the signature, so any extra one is room for an attacker to alter a signed envelope unseen.
  const extra = Object.keys(rest);
  if (extra.length > 0) throw malformed(`${path}.${extra[0]}`, 'is not a known signature field (keyid, sig)');
  if (keyid !== undefined && typeof keyid !== 'string') throw malformed(`${path}.keyid`, 'must be a string');
  if (typeof sig !== 'string') throw malformed(`${path}.sig`, 'must be a base64 string');
  return { keyid: keyid === '' ? undefined : keyid, sig: decodeBase64(sig, `${path}.sig`) };
}

export interface EnvelopeParts {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  readonly signatures: readonly EnvelopeSignature[];
}

/** Serialises an envelope as compact JSON, standard base64: one spelling per envelope. */
export function encodeEnvelope(envelope: EnvelopeParts): string {
  return JSON.stringify({
    payloadType: envelope.payloadType,
    payload: encodeBase64(envelope.payload),
    signatures: envelope.signatures.map((s) =>
      s.keyid === undefined ? { sig: encodeBase64(s.sig) } : { keyid: s.keyid, sig: encodeBase64(s.sig) },
    ),
  });
}

function parseJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_NOT_JSON', 'envelope is not valid UTF-8', { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_NOT_JSON', `envelope is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(path: string, what: string): EnvelopeError {
  return new EnvelopeError('ENVELOPE_MALFORMED', `${path} ${what} (DSSE envelope, see docs/formats.md)`, {
    details: { path },
  });
}
