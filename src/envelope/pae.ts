/**
 * DSSE v1 Pre-Authentication Encoding:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN the byte length in ASCII decimal.
 *
 * Signing PAE rather than the payload alone binds the payload type into the signature
 * (type confusion: a signature over one kind of document cannot be replayed as another), and the
 * explicit lengths make the encoding unambiguous (no two (type, body) pairs share one PAE).
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  // the lengths are ASCII decimal, so latin1 writes them byte for byte
  const head = `DSSEv1 ${type.byteLength} `;
  const middle = ` ${payload.byteLength} `;
  const out = new Uint8Array(head.length + type.byteLength + middle.length + payload.byteLength);
  const view = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  let at = view.write(head, 0, 'latin1');
  out.set(type, at);
  at += type.byteLength;
  at += view.write(middle, at, 'latin1');
  out.set(payload, at);
  return out;
}
