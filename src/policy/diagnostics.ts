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
  | 'source-depth';

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

const CONTEXT_LINES = 1; // lines shown above and below
const MAX_FRAME_LINE = 160; // characters of one source line shown

/** Renders the source around (line, column) the way linters do. */
export function codeFrame(lines: readonly string[], line: number, column: number): string {
  const first = Math.max(1, line - CONTEXT_LINES);
  const last = Math.min(lines.length, line + CONTEXT_LINES);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').slice(0, MAX_FRAME_LINE);
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${text}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, Math.min(column - 1, MAX_FRAME_LINE)))}^`);
  }
  return out.join('\n');
}

/** `file:3:14  member  "constructor" may not be accessed` lines, one per violation. */
export function formatViolation(violation: Violation, file = '<source>'): string {
  return `${file}:${violation.line}:${violation.column}  ${violation.rule}  ${violation.message}\n${violation.frame}`;
}
