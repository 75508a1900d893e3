import { decodeEnvelope } from '../../envelope/envelope.ts';
import { verifyEnvelope } from '../../signing/verify.ts';
import { JSON_OPTION, parseCommandArgs, readBytesFile, requireOption, requirePositional, type CommandOutput } from '../io.ts';
import { readTrust } from './shared.ts';

const USAGE = 'isoclass verify <envelope.json> --trust <trust.json | key.pub>';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(argv, { trust: { type: 'string' }, ...JSON_OPTION }, USAGE);
  const [file] = requirePositional(positionals, 1, 'one envelope file', USAGE) as [string];
  const trust = readTrust(requireOption(values.trust, 'trust', USAGE));
  const verified = verifyEnvelope(decodeEnvelope(readBytesFile(file, 'envelope')), trust);
  const { record } = verified;
  return {
    result: {
      verified: true,
      tenant: record.tenant,
      identifier: record.identifier,
      version: record.version,
      repr: record.repr,
      signers: verified.signers,
      envelopeDigest: verified.envelopeDigest,
      codeSha256: record.code.sha256,
    },
    text: [
      `verified ${record.tenant}/${record.identifier} v${record.version}: ${record.repr}`,
      `signed by ${verified.signers.join(', ')}`,
      `envelope sha256 ${verified.envelopeDigest}`,
      `code sha256 ${record.code.sha256}`,
    ].join('\n'),
  };
}
