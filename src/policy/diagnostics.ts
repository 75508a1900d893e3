/** Stable identifiers of the policy rules, as printed by `isoclass lint` and documented in policies/README.md. */
export type RuleId =
  | 'parse'
  | 'syntax'
  | 'global'
  | 'member'
  | 'member-string'
  | 'computed-member'
  | 'import'
  | 'capability'
  | 'source-bytes'
  | 'source-nodes'
  | 'source-depth'
  | 'internal';

export const RULE_IDS: readonly RuleId[] = [
  'parse',
  'syntax',
  'global',
  'member',
  'member-string',
  'computed-member',
  'import',
  'capability',
  'source-bytes',
  'source-nodes',
  'source-depth',
  'internal',
];

export interface Violation {
  readonly rule: RuleId;
  readonly message: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units like editors count. */
  readonly column: number;
  /** A few lines of source around the spot, with a caret under it. */
  readonly frame: string;
}

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 0-based column in UTF-16 code units (acorn's convention). */
  readonly column: number;
}

const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g; // the line terminators ECMAScript (and acorn) count

/**
 * Line starts of a source, computed on the first violation only: the parse runs without
 * acorn's `locations` (which nearly doubles its cost), and clean sources never pay for this.
 */
export class LineIndex {
  readonly #source: string;
  #starts: number[] | undefined;
  #lines: string[] | undefined;

  constructor(source: string) {
    this.#source = source;
  }

  /** Line and column of a UTF-16 offset into the source. */
  position(offset: number): Position {
    const starts = this.#lineStarts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) };
  }

  lines(): readonly string[] {
    this.#lines ??= this.#source.split(LINE_BREAK);
    return this.#lines;
  }

  #lineStarts(): number[] {
    if (this.#starts === undefined) {
      const starts = [0];
      for (const match of this.#source.matchAll(LINE_BREAK)) starts.push(match.index + match[0].length);
      this.#starts = starts;
    }
    return this.#starts;
  }
}

const CONTEXT_LINES = 1; // lines shown above and below
const MAX_FRAME_LINE = 160; // characters of one source line shown

/** Renders the source around (line, column) the way linters do; `column` is 1-based. */
export function codeFrame(lines: readonly string[], line: number, column: number): string {
  const first = Math.max(1, line - CONTEXT_LINES);
  const last = Math.min(lines.length, line + CONTEXT_LINES);
  const width = String(last).length;
  // a very long line (minified code) is shown as a window around the column
  const offset = Math.max(0, column - 1 - Math.floor(MAX_FRAME_LINE / 2));
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').slice(offset, offset + MAX_FRAME_LINE);
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${text}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, Math.min(column - 1 - offset, MAX_FRAME_LINE)))}^`);
  }
  return out.join('\n');
}

/** `file:3:14  member  "constructor" may not be accessed` lines, one per violation. */
export function formatViolation(violation: Violation, file = '<source>'): string {
  return `${file}:${violation.line}:${violation.column}  ${violation.rule}  ${violation.message}\n${violation.frame}`;
}
