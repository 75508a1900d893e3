import { decodeEnvelope, ISOCLASS_PAYLOAD_TYPE } from '../envelope/envelope.ts';
import { parseRecord, type ComponentRecord } from '../envelope/record.ts';
import { IsoclassError } from '../errors.ts';
import { PackError } from './errors.ts';

/** Identity and version of a new record, settled against the previous envelope of the component. */
export interface NextIdentity {
  readonly identifier: string | undefined;
  readonly tenant: string | undefined;
  readonly version: number | undefined;
}

/**
 * Reads the previous envelope of a component (unverified: it only supplies a number and names,
 * and every one of them is checked against what the writer says) and returns the identity of
 * the next version: the same identifier and tenant, version + 1 unless given. A different
 * identifier or tenant, or a version that is not higher, is refused: loaders that accepted the
 * previous version would treat a lower one as a rollback.
 */
export function nextAfter(previous: Uint8Array | string, given: NextIdentity): NextIdentity & { readonly previous: ComponentRecord } {
  const record = readPrevious(previous);
  const mismatch = (field: string, mine: string, theirs: string): PackError =>
    new PackError(
      'PACK_PREVIOUS_MISMATCH',
      `the previous envelope is ${record.tenant}/${record.identifier} v${record.version}, but this pack is for ${field} "${mine}", not "${theirs}"; a new version keeps its component's identifier and tenant (drop --previous to start a new component)`,
      { details: { field, previous: theirs, given: mine } },
    );
  if (given.identifier !== undefined && given.identifier !== record.identifier) throw mismatch('identifier', given.identifier, record.identifier);
  if (given.tenant !== undefined && given.tenant !== record.tenant) throw mismatch('tenant', given.tenant, record.tenant);
  if (given.version !== undefined && given.version <= record.version) {
    throw new PackError(
      'PACK_PREVIOUS_MISMATCH',
      `version ${given.version} is not higher than the previous envelope's ${record.version}: loaders that accepted v${record.version} refuse it as a rollback. Use ${record.version + 1} or leave the version out`,
      { details: { field: 'version', previous: record.version, given: given.version } },
    );
  }
  const version = given.version ?? record.version + 1;
  if (!Number.isSafeInteger(version)) throw new PackError('PACK_PREVIOUS_MISMATCH', `the previous version ${record.version} cannot be incremented`);
  return { identifier: record.identifier, tenant: record.tenant, version, previous: record };
}

function readPrevious(previous: Uint8Array | string): ComponentRecord {
  try {
    const envelope = decodeEnvelope(previous);
    if (envelope.payloadType !== ISOCLASS_PAYLOAD_TYPE) throw new PackError('PACK_PREVIOUS_INVALID', `the previous envelope is a ${envelope.payloadType}, not an isoclass component`);
    return parseRecord(envelope.payload);
  } catch (error) {
    if (error instanceof PackError) throw error;
    const code = error instanceof IsoclassError ? ` (${error.code})` : '';
    throw new PackError('PACK_PREVIOUS_INVALID', `the previous envelope cannot be read${code}: ${(error as Error).message}`, { cause: error });
  }
}
