import { UsageError } from '../../errors.ts';
import type { ArtifactInput } from '../../pack/artifacts.ts';
import { packFile } from '../../pack/pack.ts';
import { JSON_OPTION, parseCommandArgs, parseInteger, parseJsonOption, parsePositiveInteger, readBytesFile, requireOption, requirePositional, writeFileAtomic, type CommandOutput } from '../io.ts';
import { readSecretKey } from './shared.ts';

const USAGE =
  'isoclass pack <file.js|.ts> --key <prefix>.key --out <envelope.json> [--export Name] [--name id] [--version N | --previous <envelope.json>] [--tenant T] [--params JSON] [--policy file] [--bundle <package>]... [--artifact name=path]... [--blob-dir dir] [--max-inline-bytes N]';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      key: { type: 'string', multiple: true },
      out: { type: 'string' },
      export: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      previous: { type: 'string' },
      tenant: { type: 'string' },
      params: { type: 'string' },
      policy: { type: 'string' },
      bundle: { type: 'string', multiple: true },
      artifact: { type: 'string', multiple: true },
      'blob-dir': { type: 'string' },
      'max-inline-bytes': { type: 'string' },
      ...JSON_OPTION,
    },
    USAGE,
  );
  const [file] = requirePositional(positionals, 1, 'one component file', USAGE) as [string];
  const keyPaths = values.key ?? [];
  requireOption(keyPaths[0], 'key', USAGE);
  const out = requireOption(values.out, 'out', USAGE);
  const version = parsePositiveInteger(values.version, 'version');
  const maxInline = values['max-inline-bytes'] === undefined ? undefined : parseInteger(values['max-inline-bytes'], 'max-inline-bytes', 0);
  const { envelope, record } = await packFile(file, {
    keys: keyPaths.map(readSecretKey),
    ...(values.export !== undefined ? { export: values.export } : {}),
    ...(values.name !== undefined ? { identifier: values.name } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(values.previous !== undefined ? { previous: readBytesFile(values.previous, 'previous envelope') } : {}),
    ...(values.tenant !== undefined ? { tenant: values.tenant } : {}),
    ...(values.params !== undefined ? { params: parseJsonOption(values.params, 'params') } : {}),
    ...(values.policy !== undefined ? { policy: values.policy } : {}),
    ...(values.bundle !== undefined ? { bundle: values.bundle } : {}),
    ...(values.artifact !== undefined ? { artifacts: parseArtifacts(values.artifact) } : {}),
    ...(values['blob-dir'] !== undefined ? { blobDir: values['blob-dir'] } : {}),
    ...(maxInline !== undefined ? { maxInlineArtifactBytes: maxInline } : {}),
  });
  writeFileAtomic(out, `${envelope}\n`);
  const summary = { out, identifier: record.identifier, version: record.version, tenant: record.tenant, repr: record.repr, sha256: record.code.sha256, capture: record.capture ?? null };
  const packages = (record.capture?.['packages'] as { name: string; version: string }[] | undefined) ?? [];
  const artifacts = Object.entries(record.artifacts).map(([name, a]) => `${name} (${a.size} bytes, ${a.data === undefined ? 'blob' : 'inline'})`);
  return {
    result: summary,
    text: [
      `packed ${record.tenant}/${record.identifier} v${record.version} (${record.repr}) -> ${out}`,
      `code sha256 ${record.code.sha256}`,
      ...(packages.length > 0 ? [`bundled packages ${packages.map((p) => `${p.name}@${p.version}`).join(', ')}`] : []),
      ...(artifacts.length > 0 ? [`artifacts ${artifacts.join(', ')}`] : []),
    ].join('\n'),
  };
}

/** `--artifact weights=model.bin` → { weights: { path: 'model.bin' } }. */
function parseArtifacts(specs: readonly string[]): Record<string, ArtifactInput> {
  const out: Record<string, ArtifactInput> = {};
  for (const spec of specs) {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1) throw new UsageError('USAGE_INVALID_ARGUMENT', `--artifact ${JSON.stringify(spec)} must be name=path\nusage: ${USAGE}`);
    const name = spec.slice(0, at);
    if (Object.hasOwn(out, name)) throw new UsageError('USAGE_INVALID_ARGUMENT', `--artifact ${name} is given twice`);
    out[name] = { path: spec.slice(at + 1) };
  }
  return out;
}

