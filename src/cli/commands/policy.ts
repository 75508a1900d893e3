import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.ts';
import { bundleFile } from '../../pack/bundle.ts';
import { inferPolicy } from '../../policy/infer.ts';
import { POLICY_SCHEMA_URL } from '../../policy/policy-file.ts';
import { SHIPPED_POLICIES, loadPolicy, policyPath } from '../../policy/policy.ts';
import { JSON_OPTION, fileExists, parseCommandArgs, writeFileAtomic, type CommandOutput } from '../io.ts';
import { fileURLToPath } from 'node:url';

const USAGE = 'isoclass policy infer <file> [--base default] [--name N] [--out policy.json] [--force] [--json]';

/**
 * `isoclass policy infer <file>`: the tightest policy the component needs — the syntax,
 * globals, imports and capabilities its bundle uses — extending a base policy (default:
 * "default"). The file is bundled exactly as `pack` bundles it, because the bundle is what the
 * loader checks. Prints the policy, or writes it with --out (never over an existing file
 * without --force).
 */
export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { base: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, ...JSON_OPTION },
    USAGE,
  );
  const [subcommand, file, ...extra] = positionals;
  if (subcommand !== 'infer') {
    throw new UsageError('USAGE_INVALID_ARGUMENT', `${subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`}\nusage: ${USAGE}`);
  }
  if (file === undefined || extra.length > 0) throw new UsageError('USAGE_INVALID_ARGUMENT', `expected one component file\nusage: ${USAGE}`);

  const baseName = values.base ?? 'default';
  const base = loadPolicy(baseName);
  const out = values.out === undefined ? undefined : resolve(values.out);
  // an operator's reviewed policy is not replaced by accident
  if (out !== undefined && fileExists(out) && values.force !== true) {
    throw new UsageError('USAGE_FILE_EXISTS', `${values.out} already exists; refusing to overwrite it (use --force to replace it)`);
  }
  const targetDir = out === undefined ? process.cwd() : dirname(out);
  const name = values.name ?? inferredName(file);
  const bundle = await bundleFile(file);
  const { file: policyFile } = inferPolicy(bundle.source, {
    base,
    baseReference: referenceFrom(targetDir, baseName),
    baseDir: targetDir,
    name,
    schema: relativeReference(targetDir, fileURLToPath(POLICY_SCHEMA_URL)),
    sourceName: basename(file),
  });
  const text = `${JSON.stringify(policyFile, null, 2)}\n`;
  if (out !== undefined) {
    writeFileAtomic(out, text);
    return { result: { file: out, policy: policyFile }, text: `wrote ${values.out}: policy "${name}" extends "${base.name}" with only what ${file} uses` };
  }
  return { result: { policy: policyFile }, text };
}

/** A policy name from the file name, within the schema's pattern. */
function inferredName(file: string): string {
  const stem = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return `${stem || 'component'}-inferred`.slice(0, 64);
}

/** `extends` as the written file will resolve it: a shipped name stays a name, a path becomes relative to the file. */
function referenceFrom(targetDir: string, baseName: string): string {
  if ((SHIPPED_POLICIES as readonly string[]).includes(baseName)) return baseName;
  return relativeReference(targetDir, policyPath(baseName, process.cwd()));
}

function relativeReference(fromDir: string, to: string): string {
  const path = relative(fromDir, to);
  if (isAbsolute(path)) return path;
  return path.startsWith('.') ? path : `./${path}`;
}
