import { decodeEnvelope, ISOCLASS_PAYLOAD_TYPE } from '../../envelope/envelope.ts';
import { parseRecord, type ComponentRecord, type JsonObject } from '../../envelope/record.ts';
import { UsageError } from '../../errors.ts';
import { diffRecords, type RecordDiff } from '../../pack/diff.ts';
import { JSON_OPTION, parseCommandArgs, readBytesFile, type CommandOutput } from '../io.ts';

const USAGE = 'isoclass inspect <envelope.json>  |  isoclass inspect --diff <old.json> <new.json>   (shows what envelopes claim; verifies nothing)';
const UNVERIFIED = 'UNVERIFIED: inspect checks no signature (use "isoclass verify")';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(argv, { diff: { type: 'boolean' }, ...JSON_OPTION }, USAGE);
  if (values.diff === true) {
    if (positionals.length !== 2) throw new UsageError('USAGE_INVALID_ARGUMENT', `--diff takes two envelope files, old then new (got ${positionals.length})\nusage: ${USAGE}`);
    return diff(positionals[0] as string, positionals[1] as string);
  }
  if (positionals.length !== 1) throw new UsageError('USAGE_INVALID_ARGUMENT', `expected one envelope file (got ${positionals.length})\nusage: ${USAGE}`);
  return inspectOne(positionals[0] as string);
}

function inspectOne(file: string): CommandOutput {
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
          sourceMap: record.code.sourceMap !== undefined,
          params: record.params,
          artifacts: Object.fromEntries(
            Object.entries(record.artifacts).map(([name, a]) => [name, { sha256: a.sha256, size: a.size, mediaType: a.mediaType, stored: a.data === undefined ? 'blob' : 'inline' }]),
          ),
          capture: record.capture ?? null,
          createdAt: record.createdAt,
          expiresAt: record.expiresAt,
        }),
  };
  const lines = [UNVERIFIED, `payload type ${envelope.payloadType}`, `envelope sha256 ${envelope.digest}`, `claimed signer keyids ${claimedSigners.join(', ')}`];
  if (record !== undefined) {
    lines.push(
      `component ${record.tenant}/${record.identifier} v${record.version}: ${record.repr} (export ${record.code.export})`,
      `code sha256 ${record.code.sha256}, ${Buffer.byteLength(record.code.source, 'utf8')} bytes${record.code.sourceMap !== undefined ? ', with a source map' : ''}`,
      ...describeCapture(record.capture),
      `params ${JSON.stringify(record.params)}`,
      `artifacts ${Object.entries(record.artifacts).map(([name, a]) => `${name} (${a.size} bytes, ${a.mediaType}, ${a.data === undefined ? 'blob' : 'inline'}, sha256 ${a.sha256.slice(0, 16)}…)`).join(', ') || '(none)'}`,
      `created ${record.createdAt}, expires ${record.expiresAt ?? 'never'}`,
    );
  }
  return { result, text: lines.join('\n') };
}

/** The writer's capture summary, one line per kind of thing the component carries or reaches. */
function describeCapture(capture: JsonObject | undefined): string[] {
  if (capture === undefined) return [];
  const list = (key: string): string[] => (Array.isArray(capture[key]) ? (capture[key] as unknown[]).map(String) : []);
  const lines: string[] = [];
  if (capture['kind'] === 'class' && Array.isArray(capture['pieces'])) {
    const pieces = (capture['pieces'] as JsonObject[]).map((p) => `${String(p['name'])} (${String(p['kind'] === 'value' ? `value: ${String(p['type'])}` : p['kind'])}${p['from'] ? `, ${String(p['from'])}` : ''})`);
    lines.push(`captured live class ${String(capture['class'])}: ${pieces.join(', ')}`);
  }
  if (capture['kind'] === 'file') {
    const packages = Array.isArray(capture['packages']) ? (capture['packages'] as JsonObject[]).map((p) => `${String(p['name'])}@${String(p['version'])}`) : [];
    lines.push(`bundled ${list('files').join(', ') || String(capture['entry'])}${packages.length > 0 ? `; packages ${packages.join(', ')}` : ''}`);
  }
  lines.push(`reaches runtime ${list('runtime').join(', ') || '(nothing)'}; globals ${list('globals').join(', ') || '(none)'}`);
  return lines;
}

function readRecord(file: string): ComponentRecord {
  const envelope = decodeEnvelope(readBytesFile(file, 'envelope'));
  if (envelope.payloadType !== ISOCLASS_PAYLOAD_TYPE) throw new UsageError('USAGE_INVALID_ARGUMENT', `${file} is a ${envelope.payloadType} envelope, not an isoclass component`);
  return parseRecord(envelope.payload);
}

function diff(oldFile: string, newFile: string): CommandOutput {
  const changes = diffRecords(readRecord(oldFile), readRecord(newFile));
  return { result: { verified: false, ...changes }, text: [UNVERIFIED, ...describeDiff(changes)].join('\n') };
}

function describeDiff(d: RecordDiff): string[] {
  const name = (l: RecordDiff['from']): string => `${l.tenant}/${l.identifier} v${l.version}`;
  const lines = [`${name(d.from)} -> ${name(d.to)}`];
  if (d.differentComponents) lines.push('note: these are different components (tenant or identifier differ), not two versions of one');
  if (d.to.version <= d.from.version && !d.differentComponents) lines.push(`note: the new version is not higher: loaders that accepted v${d.from.version} refuse v${d.to.version} as a rollback`);
  for (const [field, [before, after]] of Object.entries(d.fields)) {
    if (field !== 'version') lines.push(`${field}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  }
  if (!d.code.changed) {
    lines.push(`code: unchanged (sha256 ${d.code.sha256[0].slice(0, 16)}…)`);
  } else {
    lines.push(`code: sha256 ${d.code.sha256[0].slice(0, 16)}… -> ${d.code.sha256[1].slice(0, 16)}… (+${d.code.added} -${d.code.removed} lines)`);
    for (const f of d.code.files) lines.push(`  ${f.change === 'added' ? '+' : f.change === 'removed' ? '-' : '~'} ${f.file} (+${f.added} -${f.removed})`);
    lines.push(d.code.unified);
  }
  lines.push(d.params.length === 0 ? 'params: unchanged' : 'params:');
  for (const p of d.params) {
    if (p.change === 'added') lines.push(`  + ${p.path}: ${JSON.stringify(p.after)}`);
    else if (p.change === 'removed') lines.push(`  - ${p.path}: ${JSON.stringify(p.before)}`);
    else lines.push(`  ~ ${p.path}: ${JSON.stringify(p.before)} -> ${JSON.stringify(p.after)}`);
  }
  lines.push(d.artifacts.length === 0 ? 'artifacts: unchanged' : 'artifacts:');
  const artifact = (a: NonNullable<RecordDiff['artifacts'][number]['before']>): string => `sha256 ${a.sha256.slice(0, 16)}…, ${a.size} bytes, ${a.mediaType}, ${a.stored}`;
  for (const a of d.artifacts) {
    if (a.change === 'added' && a.after) lines.push(`  + ${a.name}: ${artifact(a.after)}`);
    else if (a.change === 'removed' && a.before) lines.push(`  - ${a.name}: ${artifact(a.before)}`);
    else if (a.before && a.after) lines.push(`  ~ ${a.name}: ${artifact(a.before)} -> ${artifact(a.after)}`);
  }
  return lines;
}
