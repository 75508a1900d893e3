export { decodeBase64, encodeBase64 } from './base64.ts';
export { preAuthEncoding } from './pae.ts';
export {
  DEFAULT_ENVELOPE_LIMITS,
  ISOCLASS_PAYLOAD_TYPE,
  decodeEnvelope,
  encodeEnvelope,
  type DecodedEnvelope,
  type EnvelopeLimits,
  type EnvelopeParts,
  type EnvelopeSignature,
} from './envelope.ts';
export { EnvelopeError, type EnvelopeErrorCode } from './errors.ts';
export {
  RECORD_TYPE,
  parseRecord,
  serializeRecord,
  sha256Hex,
  type ArtifactEntry,
  type CodeSection,
  type ComponentRecord,
  type JsonObject,
  type JsonValue,
} from './record.ts';
