import { packFile } from '../../pack/pack.ts';
import { JSON_OPTION, parseCommandArgs, parseJsonOption, parsePositiveInteger, requireOption, requirePositional, writeFileAtomic, type CommandOutput } from '../io.ts';
import { readSecretKey } from './shared.ts';

const USAGE =
  'isoclass pack <file.js|.ts> --key <prefix>.key --out <envelope.json> [--export Name] [--name id] [--version N] [--tenant T] [--params JSON] [--policy file]';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      key: { type: 'string', multiple: true },
      out: { type: 'string' },
      export: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      tenant: { type: 'string' },
      params: { type: 'string' },
      policy: { type: 'string' },
      ...JSON_OPTION,
    },
    USAGE,
  );
  const [file] = requirePositional(positionals, 1, 'one component file', USAGE) as [string];
  const keyPaths = values.key ?? [];
  requireOption(keyPaths[0], 'key', USAGE);
  const out = requireOption(values.out, 'out', USAGE);
  const version = parsePositiveInteger(values.version, 'version');
  const { envelope, record } = await packFile(file, {
    keys: keyPaths.map(readSecretKey),
    ...(values.export !== undefined ? { export: values.export } : {}),
    ...(values.name !== undefined ? { identifier: values.name } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(values.tenant !== undefined ? { tenant: values.tenant } : {}),
    ...(values.params !== undefined ? { params: parseJsonOption(values.params, 'params') } : {}),
    ...(values.policy !== undefined ? { policy: values.policy } : {}),
  });
  writeFileAtomic(out, `${envelope}\n`);
  const summary = { out, identifier: record.identifier, version: record.version, tenant: record.tenant, repr: record.repr, sha256: record.code.sha256 };
  return {
    result: summary,
    text: `packed ${record.tenant}/${record.identifier} v${record.version} (${record.repr}) -> ${out}\ncode sha256 ${record.code.sha256}`,
  };
}
