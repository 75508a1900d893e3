import { closeSync, openSync, rmSync } from 'node:fs';
import { UsageError } from '../../errors.ts';
import { replaceFileAtomically } from '../../signing/atomic-file.ts';
import { keyIdOf, looksLikePem, parsePublicKeyPem } from '../../signing/keys.ts';
import { parseTrustFile, type TrustFileJson } from '../../signing/trust.ts';
import { addTrustedKey, emptyTrustFile, revokeTrustedKey, serializeTrustFile } from '../../signing/trust-edit.ts';
import { JSON_OPTION, fileExists, parseCommandArgs, readTextFile, requireOption, requirePositional, type CommandOutput } from '../io.ts';

const USAGE = `isoclass trust add <key.pub> --trust <file> [--tenant T]... [--identifier GLOB]... [--not-before ISO] [--not-after ISO] [--comment TEXT]
       isoclass trust revoke <key.pub | keyid> --trust <file>
       isoclass trust list --trust <file>`;

const KEYID = /^[0-9a-f]{64}$/;
/** ISO 8601 with an explicit zone, or a bare date (midnight UTC): a time without zone is ambiguous. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      trust: { type: 'string' },
      tenant: { type: 'string', multiple: true },
      identifier: { type: 'string', multiple: true },
      'not-before': { type: 'string' },
      'not-after': { type: 'string' },
      comment: { type: 'string' },
      ...JSON_OPTION,
    },
    USAGE,
  );
  const [action, ...rest] = positionals;
  const trustPath = requireOption(values.trust, 'trust', USAGE);
  if (action === 'list') {
    requirePositional(rest, 0, 'no argument after "list"', USAGE);
    refuseOptions(values, ['tenant', 'identifier', 'not-before', 'not-after', 'comment'], 'list');
    return list(readTrustFile(trustPath), trustPath);
  }
  if (action === 'add') {
    const [keyPath] = requirePositional(rest, 1, 'one public key file after "add"', USAGE) as [string];
    const publicKey = parsePublicKeyPem(readTextFile(keyPath, 'public key'), keyPath);
    const notBefore = parseIsoOption(values['not-before'], 'not-before');
    const notAfter = parseIsoOption(values['not-after'], 'not-after');
    return editTrustFile(trustPath, true, (file) => {
      const next = addTrustedKey(file, publicKey, {
        ...(values.tenant ? { tenants: values.tenant } : {}),
        ...(values.identifier ? { identifiers: values.identifier } : {}),
        ...(notBefore ? { notBefore } : {}),
        ...(notAfter ? { notAfter } : {}),
        ...(values.comment ? { comment: values.comment } : {}),
      }, trustPath);
      const entry = next.keys[next.keys.length - 1];
      return {
        file: next,
        output: {
          result: { added: entry, trust: trustPath },
          text: `added key ${entry?.keyid} to ${trustPath}: tenants ${entry?.tenants.join(', ')}; identifiers ${entry?.identifiers.join(', ')}${windowText(entry?.notBefore, entry?.notAfter)}`,
        },
      };
    });
  }
  if (action === 'revoke') {
    const [target] = requirePositional(rest, 1, 'one public key file or keyid after "revoke"', USAGE) as [string];
    refuseOptions(values, ['tenant', 'identifier', 'not-before', 'not-after', 'comment'], 'revoke');
    const keyid = resolveKeyid(target);
    return editTrustFile(trustPath, false, (file) => {
      const { file: next, alreadyRevoked } = revokeTrustedKey(file, keyid, trustPath);
      const usable = next.keys.filter((k) => k.revoked !== true).length;
      const threshold = next.threshold ?? 1;
      // fail closed, loudly: a revocation is never refused, but the operator must know loads will fail
      const warning = usable < threshold ? `\nwarning: only ${usable} unrevoked key(s) remain for a threshold of ${threshold}; every load will fail until keys are added` : '';
      return {
        file: alreadyRevoked ? undefined : next,
        output: {
          result: { revoked: keyid, alreadyRevoked, unrevokedKeys: usable, threshold, trust: trustPath },
          text: `${alreadyRevoked ? 'already revoked' : 'revoked'}: key ${keyid} in ${trustPath}${warning}`,
        },
      };
    });
  }
  throw new UsageError('USAGE_INVALID_ARGUMENT', `expected "add", "revoke" or "list" after "trust"${action === undefined ? '' : `, got "${action}"`}\nusage: ${USAGE}`);
}

function list(file: TrustFileJson, trustPath: string): CommandOutput {
  const now = new Date();
  const keys = file.keys.map((k) => ({ ...k, status: keyStatus(k, now) }));
  const lines = [`${trustPath}: ${keys.length} key(s), threshold ${file.threshold ?? 1}`];
  for (const k of keys) {
    lines.push(`${k.keyid}  ${k.status}  tenants ${k.tenants.join(', ')}  identifiers ${k.identifiers.join(', ')}${windowText(k.notBefore, k.notAfter)}${k.comment ? `  # ${k.comment}` : ''}`);
  }
  return { result: { trust: trustPath, threshold: file.threshold ?? 1, keys }, text: lines.join('\n') };
}

function keyStatus(key: TrustFileJson['keys'][number], now: Date): 'revoked' | 'not-yet-valid' | 'expired' | 'active' {
  if (key.revoked === true) return 'revoked';
  if (key.notBefore && now < new Date(key.notBefore)) return 'not-yet-valid';
  if (key.notAfter && now > new Date(key.notAfter)) return 'expired';
  return 'active';
}

function windowText(notBefore: string | null | undefined, notAfter: string | null | undefined): string {
  if (!notBefore && !notAfter) return '';
  return `; valid ${notBefore ?? '(any time)'} .. ${notAfter ?? '(no end)'}`;
}

function readTrustFile(path: string): TrustFileJson {
  const text = readTextFile(path, 'trust file');
  if (looksLikePem(text)) {
    throw new UsageError('USAGE_INVALID_ARGUMENT', `${path} is a PEM public key, not a trust file; "isoclass trust add ${path} --trust trust.json" makes a trust file from it`);
  }
  return parseTrustFile(text, path);
}

/**
 * Read, edit and replace the trust file under an exclusive lock file, so that two edits at
 * once cannot lose one of them, and atomically, so that a loader never reads half a file.
 */
function editTrustFile(path: string, mayCreate: boolean, edit: (file: TrustFileJson) => { file: TrustFileJson | undefined; output: CommandOutput }): CommandOutput {
  const lockPath = `${path}.lock`;
  let lock: number;
  try {
    lock = openSync(lockPath, 'wx', 0o600);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const what = code === 'EEXIST' ? `another edit of ${path} is in progress (if none is, remove the stale ${lockPath})` : `cannot lock ${path}: ${(cause as Error).message}`;
    throw new UsageError(code === 'EEXIST' ? 'USAGE_FILE_EXISTS' : 'USAGE_FILE_UNREADABLE', what, { cause });
  }
  try {
    const exists = fileExists(path);
    if (!exists && !mayCreate) throw new UsageError('USAGE_FILE_NOT_FOUND', `trust file ${path} does not exist; "isoclass trust add <key.pub> --trust ${path}" creates it`);
    const { file, output } = edit(exists ? readTrustFile(path) : emptyTrustFile());
    if (file !== undefined) {
      try {
        replaceFileAtomically(path, serializeTrustFile(file));
      } catch (cause) {
        throw new UsageError('USAGE_FILE_UNREADABLE', `cannot write trust file ${path}: ${(cause as Error).message}`, { cause });
      }
    }
    return output;
  } finally {
    closeSync(lock);
    rmSync(lockPath, { force: true });
  }
}

function resolveKeyid(target: string): string {
  if (KEYID.test(target)) return target;
  if (fileExists(target)) return keyIdOf(parsePublicKeyPem(readTextFile(target, 'public key'), target));
  throw new UsageError('USAGE_INVALID_ARGUMENT', `"${target}" is neither a 64-character hex keyid nor a public key file`);
}

function parseIsoOption(text: string | undefined, option: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (!ISO_DATE.test(text) || Number.isNaN(date.getTime())) {
    throw new UsageError('USAGE_INVALID_ARGUMENT', `--${option} must be an ISO 8601 date with a zone, e.g. 2027-01-01T00:00:00Z (or 2027-01-01 for midnight UTC); got ${JSON.stringify(text)}`);
  }
  return date;
}

function refuseOptions(values: Record<string, unknown>, names: readonly string[], action: string): void {
  for (const name of names) {
    if (values[name] !== undefined) throw new UsageError('USAGE_INVALID_ARGUMENT', `--${name} does not apply to "trust ${action}"\nusage: ${USAGE}`);
  }
}
