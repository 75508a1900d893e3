/**
 * Line diffs for `isoclass inspect --diff`: Myers' algorithm (the one git uses by default),
 * with a cap on the edit distance so two unrelated multi-megabyte bundles cannot make a
 * review command run for minutes; past the cap the changed middle is shown as replaced.
 */

export type LineOp = { readonly kind: 'same' | 'add' | 'del'; readonly text: string };

export interface UnifiedDiffOptions {
  /** Unchanged lines shown around each change. */
  readonly context?: number;
  /** Lines of diff output at most; the rest is summarized. */
  readonly maxLines?: number;
  /** Most edits (added + removed lines) diffed exactly. */
  readonly maxEdits?: number;
  readonly fromLabel?: string;
  readonly toLabel?: string;
}

export interface UnifiedDiff {
  readonly added: number;
  readonly removed: number;
  /** `---`/`+++`/`@@` text, empty when nothing changed. */
  readonly text: string;
}

const DEFAULT_CONTEXT = 3; // lines
const DEFAULT_MAX_LINES = 400; // lines of output
const DEFAULT_MAX_EDITS = 2000; // added + removed lines diffed exactly

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script from `a` to `b`, line by line. */
export function diffLines(a: readonly string[], b: readonly string[], maxEdits = DEFAULT_MAX_EDITS): LineOp[] {
  // common prefix and suffix first: most versions change a few lines in the middle
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middle = myers(a.slice(start, endA), b.slice(start, endB), maxEdits) ?? [
    ...a.slice(start, endA).map((text) => ({ kind: 'del' as const, text })),
    ...b.slice(start, endB).map((text) => ({ kind: 'add' as const, text })),
  ];
  return [
    ...a.slice(0, start).map((text) => ({ kind: 'same' as const, text })),
    ...middle,
    ...a.slice(endA).map((text) => ({ kind: 'same' as const, text })),
  ];
}

function myers(a: readonly string[], b: readonly string[], maxEdits: number): LineOp[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Snapshot[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0)) ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, offset);
    }
    // only diagonals -d..d can be read back at the next step: keep that window (O(D²) memory in all)
    const lo = offset - d - 1;
    trace.push({ lo, values: v.slice(lo, offset + d + 2) });
  }
  return undefined;
}

interface Snapshot {
  readonly lo: number;
  readonly values: Int32Array;
}

function at(snapshot: Snapshot, index: number): number {
  return snapshot.values[index - snapshot.lo] ?? 0;
}

/** `trace[d]` is the furthest x per diagonal after d edits; walking it back from the end gives the script. */
function backtrack(a: readonly string[], b: readonly string[], trace: readonly Snapshot[], offset: number): LineOp[] {
  const ops: LineOp[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length; d > 0; d--) {
    const previous = trace[d - 1] as Snapshot;
    const k = x - y;
    const down = k === -d || (k !== d && at(previous, offset + k - 1) < at(previous, offset + k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(previous, offset + previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push({ kind: 'same', text: a[x - 1] as string });
      x--;
      y--;
    }
    if (down) {
      ops.push({ kind: 'add', text: b[y - 1] as string });
      y--;
    } else {
      ops.push({ kind: 'del', text: a[x - 1] as string });
      x--;
    }
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: 'same', text: a[x - 1] as string });
    x--;
    y--;
  }
  return ops.reverse();
}

/** A unified diff (`diff -u` format) of two texts. */
export function unifiedDiff(before: string, after: string, options: UnifiedDiffOptions = {}): UnifiedDiff {
  const context = options.context ?? DEFAULT_CONTEXT;
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  const ops = diffLines(splitLines(before), splitLines(after), options.maxEdits ?? DEFAULT_MAX_EDITS);
  const added = ops.filter((o) => o.kind === 'add').length;
  const removed = ops.filter((o) => o.kind === 'del').length;
  if (added === 0 && removed === 0) return { added, removed, text: '' };
  const out = [`--- ${options.fromLabel ?? 'before'}`, `+++ ${options.toLabel ?? 'after'}`];
  // positions (1-based) of each op in the old and new text
  const oldLine: number[] = [];
  const newLine: number[] = [];
  let o = 1;
  let n = 1;
  for (const op of ops) {
    oldLine.push(o);
    newLine.push(n);
    if (op.kind !== 'add') o++;
    if (op.kind !== 'del') n++;
  }
  let i = 0;
  let truncated = false;
  while (i < ops.length) {
    if (ops[i]?.kind === 'same') {
      i++;
      continue;
    }
    // a hunk: from `context` lines before this change to `context` lines after the last change near it
    const first = Math.max(0, i - context);
    let last = i;
    for (let j = i; j < ops.length && j <= last + 2 * context; j++) if (ops[j]?.kind !== 'same') last = j;
    const end = Math.min(ops.length, last + context + 1);
    const slice = ops.slice(first, end);
    const oldCount = slice.filter((op) => op.kind !== 'add').length;
    const newCount = slice.filter((op) => op.kind !== 'del').length;
    out.push(`@@ -${oldLine[first] ?? 0},${oldCount} +${newLine[first] ?? 0},${newCount} @@`);
    for (const op of slice) out.push(`${op.kind === 'add' ? '+' : op.kind === 'del' ? '-' : ' '}${op.text}`);
    if (out.length > maxLines) {
      truncated = true;
      break;
    }
    i = end;
  }
  const text = truncated ? [...out.slice(0, maxLines), `… (diff cut at ${maxLines} lines: +${added} −${removed} in all)`] : out;
  return { added, removed, text: text.join('\n') };
}
