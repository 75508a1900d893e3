/**
 * A minimal source map (v3) writer: the packer generates modules for live classes itself, and
 * a map lets stack traces and policy violations point at the file and line the class came from.
 */
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export interface Mapping {
  /** 0-based position in the generated module. */
  readonly generatedLine: number;
  readonly generatedColumn: number;
  /** Index into `sources`, and the 0-based position there. */
  readonly source: number;
  readonly originalLine: number;
  readonly originalColumn: number;
}

export interface SourceMapInput {
  readonly file: string;
  readonly sources: readonly string[];
  /** Per source: its text, or null when it is deliberately not shipped. */
  readonly sourcesContent: readonly (string | null)[];
  readonly mappings: readonly Mapping[];
}

export function writeSourceMap(input: SourceMapInput): string {
  const sorted = [...input.mappings].sort((a, b) => a.generatedLine - b.generatedLine || a.generatedColumn - b.generatedColumn);
  const lines: string[] = [];
  let previousSource = 0;
  let previousLine = 0;
  let previousColumn = 0;
  let line = 0;
  let segments: string[] = [];
  let previousGeneratedColumn = 0;
  for (const m of sorted) {
    while (line < m.generatedLine) {
      lines.push(segments.join(','));
      segments = [];
      previousGeneratedColumn = 0;
      line++;
    }
    segments.push(
      vlq(m.generatedColumn - previousGeneratedColumn) + vlq(m.source - previousSource) + vlq(m.originalLine - previousLine) + vlq(m.originalColumn - previousColumn),
    );
    previousGeneratedColumn = m.generatedColumn;
    previousSource = m.source;
    previousLine = m.originalLine;
    previousColumn = m.originalColumn;
  }
  lines.push(segments.join(','));
  return JSON.stringify({ version: 3, file: input.file, sources: input.sources, sourcesContent: input.sourcesContent, names: [], mappings: lines.join(';') });
}

function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}
