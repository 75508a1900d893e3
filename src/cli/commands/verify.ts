import { decodeEnvelope } from '../../envelope/envelope.ts';
import { verifyEnvelope } from '../../signing/verify.ts';
import { VersionState } from '../../signing/version-state.ts';
import { JSON_OPTION, parseCommandArgs, readBytesFile, requireOption, requirePositional, type CommandOutput } from '../io.ts';
import { readTrust, versionStoreFor } from './shared.ts';

const USAGE = 'isoclass verify <envelope.json> --trust <trust.json | key.pub> [--state dir]   (with --state: also refuses rollback and equivocation; records nothing)';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(argv, { trust: { type: 'string' }, state: { type: 'string' }, ...JSON_OPTION }, USAGE);
  const [file] = requirePositional(positionals, 1, 'one envelope file', USAGE) as [string];
  const trust = readTrust(requireOption(values.trust, 'trust', USAGE));
  const verified = verifyEnvelope(decodeEnvelope(readBytesFile(file, 'envelope')), trust);
  const { record } = verified;
  // verify loads nothing, so it only checks the state: a version is recorded when a load succeeds
  if (values.state !== undefined) {
    await new VersionState(versionStoreFor(values.state)).check({ tenant: record.tenant, identifier: record.identifier, version: record.version, payloadDigest: verified.payloadDigest });
  }
  return {
    result: {
      verified: true,
      tenant: record.tenant,
      identifier: record.identifier,
      version: record.version,
      repr: record.repr,
      signers: verified.signers,
      envelopeDigest: verified.envelopeDigest,
      payloadDigest: verified.payloadDigest,
      codeSha256: record.code.sha256,
      expiresAt: record.expiresAt,
    },
    text: [
      `verified ${record.tenant}/${record.identifier} v${record.version}: ${record.repr}`,
      `signed by ${verified.signers.join(', ')}`,
      `envelope sha256 ${verified.envelopeDigest}`,
      `code sha256 ${record.code.sha256}`,
      `expires ${record.expiresAt ?? 'never'}`,
    ].join('\n'),
  };
}
