/** Trust files for tests, written as JSON text so they go through the real parser. */
import type { Ed25519KeyPair } from '../../src/signing/ed25519.ts';
import { keyIdOf } from '../../src/signing/keys.ts';
import { parseTrust, type TrustRoot } from '../../src/signing/trust.ts';

export interface KeySpec {
  readonly key: Ed25519KeyPair;
  readonly tenants?: string[];
  readonly identifiers?: string[];
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly revoked?: boolean;
}

export function trustFileText(specs: readonly KeySpec[], threshold?: number): string {
  return JSON.stringify({
    version: 1,
    ...(threshold === undefined ? {} : { threshold }),
    keys: specs.map((s) => ({
      keyid: keyIdOf(s.key.publicKey),
      publicKey: Buffer.from(s.key.publicKey).toString('base64'),
      tenants: s.tenants ?? ['*'],
      identifiers: s.identifiers ?? ['*'],
      ...(s.notBefore ? { notBefore: s.notBefore } : {}),
      ...(s.notAfter ? { notAfter: s.notAfter } : {}),
      ...(s.revoked ? { revoked: true } : {}),
    })),
  });
}

export const trustOf = (specs: readonly KeySpec[], threshold?: number): TrustRoot => parseTrust(trustFileText(specs, threshold), 'test-trust.json');
