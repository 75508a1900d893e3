import { parseSecretKeyPem } from '../../signing/keys.ts';
import { parseTrust, type TrustRoot } from '../../signing/trust.ts';
import { readTextFile } from '../io.ts';

export function readSecretKey(path: string): Uint8Array {
  return parseSecretKeyPem(readTextFile(path, 'secret key'), path);
}

export function readTrust(path: string): TrustRoot {
  return parseTrust(readTextFile(path, 'trust file'), path);
}
