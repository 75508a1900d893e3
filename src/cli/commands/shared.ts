import { UsageError } from '../../errors.ts';
import { FileVersionStore } from '../../signing/file-version-store.ts';
import { parseSecretKeyPem } from '../../signing/keys.ts';
import { parseTrust, type TrustRoot } from '../../signing/trust.ts';
import { readTextFile } from '../io.ts';

export function readSecretKey(path: string): Uint8Array {
  return parseSecretKeyPem(readTextFile(path, 'secret key'), path);
}

export function readTrust(path: string): TrustRoot {
  return parseTrust(readTextFile(path, 'trust file'), path);
}

/** The version state kept in `--state <dir>` (created on first use). */
export function versionStoreFor(dir: string): FileVersionStore {
  if (dir === '') throw new UsageError('USAGE_INVALID_ARGUMENT', '--state needs a directory');
  return new FileVersionStore(dir);
}
