import { generateKeyPair } from '../../signing/ed25519.ts';
import { formatPublicKeyPem, formatSecretKeyPem, keyIdOf } from '../../signing/keys.ts';
import { UsageError } from '../../errors.ts';
import { JSON_OPTION, fileExists, parseCommandArgs, requireOption, requirePositional, writeNewFile, type CommandOutput } from '../io.ts';

const USAGE = 'isoclass keygen --out <prefix>   (writes <prefix>.key, mode 0600, and <prefix>.pub)';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' }, ...JSON_OPTION }, USAGE);
  requirePositional(positionals, 0, 'no positional arguments', USAGE);
  const prefix = requireOption(values.out, 'out', USAGE);
  const secretPath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  // key loss: an existing key is never replaced, and neither file is written if either exists
  for (const path of [secretPath, publicPath]) {
    if (fileExists(path)) throw new UsageError('USAGE_FILE_EXISTS', `${path} already exists; refusing to overwrite a key (choose another --out)`);
  }
  const pair = generateKeyPair();
  // secret key disclosure: created owner-only, atomically with its mode
  writeNewFile(secretPath, formatSecretKeyPem(pair.seed), 0o600);
  writeNewFile(publicPath, formatPublicKeyPem(pair.publicKey), 0o644);
  const keyid = keyIdOf(pair.publicKey);
  return {
    result: { keyid, secretKey: secretPath, publicKey: publicPath },
    text: `keyid ${keyid}\nsecret key ${secretPath} (mode 0600; keep it secret)\npublic key ${publicPath}`,
  };
}
