import { TraceMap, sourceContentFor } from '@jridgewell/trace-mapping';
import type { ArtifactEntry, ComponentRecord, JsonValue } from '../envelope/record.ts';
import { splitLines, unifiedDiff, type UnifiedDiff } from './text-diff.ts';

/** What changed between two versions of a component, for `isoclass inspect --diff`. */
export interface RecordDiff {
  readonly from: RecordLabel;
  readonly to: RecordLabel;
  /** True when the two records are not versions of one component (tenant or identifier differ). */
  readonly differentComponents: boolean;
  /** Fields of the record other than code, params and artifacts that changed: [before, after]. */
  readonly fields: Readonly<Record<string, readonly [JsonValue, JsonValue]>>;
  readonly code: CodeDiff;
  readonly params: readonly ValueChange[];
  readonly artifacts: readonly ArtifactChange[];
}

export interface RecordLabel {
  readonly tenant: string;
  readonly identifier: string;
  readonly version: number;
}

export interface CodeDiff {
  readonly changed: boolean;
  readonly sha256: readonly [string, string];
  /** The shipped module, line by line (what runs). */
  readonly added: number;
  readonly removed: number;
  readonly unified: string;
  /** The original files the source maps carry, when both versions have them: which changed. */
  readonly files: readonly FileChange[];
}

export interface FileChange {
  readonly file: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly added: number;
  readonly removed: number;
}

export interface ValueChange {
  /** `params.weights.a`, `params.items[2]`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: JsonValue;
  readonly after?: JsonValue;
}

export interface ArtifactChange {
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: ArtifactSummary;
  readonly after?: ArtifactSummary;
}

export interface ArtifactSummary {
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
  readonly stored: 'inline' | 'blob';
}

const MAX_VALUE_CHANGES = 200; // param changes listed
const MAX_PARAM_DEPTH = 64; // levels walked

/** Compares two records (typically v N and v N+1 of one component). Reads only; verifies nothing. */
export function diffRecords(before: ComponentRecord, after: ComponentRecord): RecordDiff {
  const fields: Record<string, readonly [JsonValue, JsonValue]> = {};
  for (const key of ['tenant', 'identifier', 'version', 'repr', 'createdAt', 'expiresAt'] as const) {
    if (before[key] !== after[key]) fields[key] = [before[key], after[key]];
  }
  if (before.code.export !== after.code.export) fields['export'] = [before.code.export, after.code.export];
  const label = (r: ComponentRecord): RecordLabel => ({ tenant: r.tenant, identifier: r.identifier, version: r.version });
  return {
    from: label(before),
    to: label(after),
    differentComponents: before.tenant !== after.tenant || before.identifier !== after.identifier,
    fields,
    code: diffCode(before, after),
    params: diffValues(before.params, after.params, 'params'),
    artifacts: diffArtifacts(before.artifacts, after.artifacts),
  };
}

function diffCode(before: ComponentRecord, after: ComponentRecord): CodeDiff {
  const changed = before.code.sha256 !== after.code.sha256;
  const lines: UnifiedDiff = changed
    ? unifiedDiff(before.code.source, after.code.source, {
        fromLabel: `${before.tenant}/${before.identifier} v${before.version}`,
        toLabel: `${after.tenant}/${after.identifier} v${after.version}`,
      })
    : { added: 0, removed: 0, text: '' };
  return { changed, sha256: [before.code.sha256, after.code.sha256], added: lines.added, removed: lines.removed, unified: lines.text, files: changed ? diffOriginalFiles(before, after) : [] };
}

function diffOriginalFiles(before: ComponentRecord, after: ComponentRecord): FileChange[] {
  const a = originalFiles(before.code.sourceMap);
  const b = originalFiles(after.code.sourceMap);
  if (a === undefined || b === undefined) return [];
  const out: FileChange[] = [];
  for (const file of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(file);
    const y = b.get(file);
    if (x === y) continue;
    if (x === undefined) out.push({ file, change: 'added', added: splitLines(y ?? '').length, removed: 0 });
    else if (y === undefined) out.push({ file, change: 'removed', added: 0, removed: splitLines(x).length });
    else {
      const d = unifiedDiff(x, y, { maxLines: 0 });
      out.push({ file, change: 'changed', added: d.added, removed: d.removed });
    }
  }
  return out;
}

/** Source name → content, from a map that ships contents (bundled files do; live captures do not). */
function originalFiles(sourceMap: string | undefined): Map<string, string> | undefined {
  if (sourceMap === undefined) return undefined;
  try {
    const map = new TraceMap(sourceMap);
    const out = new Map<string, string>();
    for (const source of map.sources) {
      if (source === null) continue;
      const content = sourceContentFor(map, source);
      if (content !== null) out.set(source, content);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Leaf-level differences between two JSON values, with paths. */
export function diffValues(before: JsonValue | undefined, after: JsonValue | undefined, path: string): ValueChange[] {
  const out: ValueChange[] = [];
  walk(before, after, path, 0, out);
  return out;
}

function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: string, depth: number, out: ValueChange[]): void {
  if (out.length >= MAX_VALUE_CHANGES) return;
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    out.push({ path, change: 'added', after: after as JsonValue });
    return;
  }
  if (after === undefined) {
    out.push({ path, change: 'removed', before });
    return;
  }
  const bothObjects = isObject(before) && isObject(after);
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  if (depth < MAX_PARAM_DEPTH && bothObjects) {
    const a = before as Record<string, JsonValue>;
    const b = after as Record<string, JsonValue>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      walk(Object.hasOwn(a, key) ? a[key] : undefined, Object.hasOwn(b, key) ? b[key] : undefined, `${path}.${key}`, depth + 1, out);
    }
    return;
  }
  if (depth < MAX_PARAM_DEPTH && bothArrays) {
    const a = before as JsonValue[];
    const b = after as JsonValue[];
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, depth + 1, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, change: 'changed', before, after });
}

function isObject(value: JsonValue): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function diffArtifacts(before: Readonly<Record<string, ArtifactEntry>>, after: Readonly<Record<string, ArtifactEntry>>): ArtifactChange[] {
  const out: ArtifactChange[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = Object.hasOwn(before, name) ? before[name] : undefined;
    const b = Object.hasOwn(after, name) ? after[name] : undefined;
    if (a === undefined && b !== undefined) out.push({ name, change: 'added', after: summarize(b) });
    else if (b === undefined && a !== undefined) out.push({ name, change: 'removed', before: summarize(a) });
    else if (a !== undefined && b !== undefined && (a.sha256 !== b.sha256 || a.size !== b.size || a.mediaType !== b.mediaType)) {
      out.push({ name, change: 'changed', before: summarize(a), after: summarize(b) });
    }
  }
  return out;
}

function summarize(entry: ArtifactEntry): ArtifactSummary {
  return { sha256: entry.sha256, size: entry.size, mediaType: entry.mediaType, stored: entry.data === undefined ? 'blob' : 'inline' };
}
