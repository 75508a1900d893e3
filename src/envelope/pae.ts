const encoder = new TextEncoder();

/**
 * DSSE v1 Pre-Authentication Encoding:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN the byte length in ASCII decimal.
 *
 * Signing PAE rather than the payload alone binds the payload type into the signature
 * (type confusion: a signature over one kind of document cannot be replayed as another), and the
 * explicit lengths make the encoding unambiguous (no two (type, body) pairs share one PAE).
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.byteLength} `);
  const middle = encoder.encode(` ${payload.byteLength} `);
  const out = new Uint8Array(head.byteLength + type.byteLength + middle.byteLength + payload.byteLength);
  out.set(head, 0);
  out.set(type, head.byteLength);
  out.set(middle, head.byteLength + type.byteLength);
  out.set(payload, head.byteLength + type.byteLength + middle.byteLength);
  return out;
}
