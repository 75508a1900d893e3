import { decodeEnvelope, ISOCLASS_PAYLOAD_TYPE } from '../../envelope/envelope.ts';
import { parseRecord, type ComponentRecord } from '../../envelope/record.ts';
import { JSON_OPTION, parseCommandArgs, readBytesFile, requirePositional, type CommandOutput } from '../io.ts';

const USAGE = 'isoclass inspect <envelope.json>   (shows what the envelope claims; verifies nothing)';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { positionals } = parseCommandArgs(argv, { ...JSON_OPTION }, USAGE);
  const [file] = requirePositional(positionals, 1, 'one envelope file', USAGE) as [string];
  const envelope = decodeEnvelope(readBytesFile(file, 'envelope'));
  // Reading an unverified record is what inspect is for: it is parsed with the same checks as
  // the loader's, and everything shown is labelled as unverified.
  const record: ComponentRecord | undefined = envelope.payloadType === ISOCLASS_PAYLOAD_TYPE ? parseRecord(envelope.payload) : undefined;
  const claimedSigners = envelope.signatures.map((s) => s.keyid ?? '(no keyid)');
  const result = {
    verified: false,
    payloadType: envelope.payloadType,
    envelopeDigest: envelope.digest,
    claimedSigners,
    ...(record === undefined
      ? {}
      : {
          tenant: record.tenant,
          identifier: record.identifier,
          version: record.version,
          repr: record.repr,
          export: record.code.export,
          codeSha256: record.code.sha256,
          codeBytes: Buffer.byteLength(record.code.source, 'utf8'),
          params: record.params,
          artifacts: Object.fromEntries(Object.entries(record.artifacts).map(([name, a]) => [name, { sha256: a.sha256, size: a.size, mediaType: a.mediaType }])),
          createdAt: record.createdAt,
          expiresAt: record.expiresAt,
        }),
  };
  const lines = [`UNVERIFIED: inspect checks no signature (use "isoclass verify")`, `payload type ${envelope.payloadType}`, `envelope sha256 ${envelope.digest}`, `claimed signer keyids ${claimedSigners.join(', ')}`];
  if (record !== undefined) {
    lines.push(
      `component ${record.tenant}/${record.identifier} v${record.version}: ${record.repr} (export ${record.code.export})`,
      `code sha256 ${record.code.sha256}, ${Buffer.byteLength(record.code.source, 'utf8')} bytes`,
      `params ${JSON.stringify(record.params)}`,
      `artifacts ${Object.keys(record.artifacts).join(', ') || '(none)'}`,
      `created ${record.createdAt}, expires ${record.expiresAt ?? 'never'}`,
    );
  }
  return { result, text: lines.join('\n') };
}
