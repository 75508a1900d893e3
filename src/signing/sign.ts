import type { EnvelopeParts } from '../envelope/envelope.ts';
import { preAuthEncoding } from '../envelope/pae.ts';
import { keyPairFromSeed, signEd25519 } from './ed25519.ts';
import { keyIdOf } from './keys.ts';

/** Signs `payload` as a DSSE envelope, once per key (for trust roots with a threshold). */
export function signEnvelope(payloadType: string, payload: Uint8Array, seeds: readonly Uint8Array[]): EnvelopeParts {
  const pae = preAuthEncoding(payloadType, payload);
  return {
    payloadType,
    payload,
    signatures: seeds.map((seed) => ({ keyid: keyIdOf(keyPairFromSeed(seed).publicKey), sig: signEd25519(pae, seed) })),
  };
}
