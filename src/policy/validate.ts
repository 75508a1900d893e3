import * as acorn from 'acorn';
import { codeFrame, LineIndex, type RuleId, type Violation } from './diagnostics.ts';
import { PolicyError } from './errors.ts';
import { append, byteLength } from './intrinsics.ts';
import { ECMA_VERSION } from './language.ts';
import type { Policy } from './policy.ts';
import { type RuleContext, type SourceUsage } from './rules.ts';
import { PolicyWalker, StopWalk } from './walker.ts';

export { ECMA_VERSION } from './language.ts';
export { RUNTIME_EXPORTS, RUNTIME_MODULE, type SourceUsage } from './rules.ts';

export const DEFAULT_MAX_VIOLATIONS = 100; // violations reported per source

export interface Inspection {
  readonly violations: Violation[];
  readonly usage: SourceUsage;
  /** True when there were more violations than reported. */
  readonly truncated: boolean;
}

export interface InspectOptions {
  /** Violations reported before the walk stops (default 100). */
  readonly maxViolations?: number;
}

const parse = acorn.parse; // captured once: the parser the verdicts rest on cannot be swapped later

/** Thrown by `report` when the cap is reached. */
class ViolationCapReached extends StopWalk {}

/**
 * Stage 3 of loading, without throwing: parses `source` as an ES module (strict, the goal it
 * runs with in the isolate), walks every node once against the policy — syntax allowlist,
 * member and string rules, imports and capabilities, limits — and resolves the program's free
 * variables by scope analysis in the same walk. Returns every violation (up to a cap) and what
 * the source uses. Never throws for any input: what cannot be checked is a violation.
 */
export function inspectSource(source: string, policy: Policy, options: InspectOptions = {}): Inspection {
  const maxViolations = options.maxViolations ?? DEFAULT_MAX_VIOLATIONS;
  const index = new LineIndex(source);
  const violations: Violation[] = [];
  let truncated = false;
  const usage: SourceUsage = {
    syntax: new Set(),
    globals: new Set(),
    imports: new Set(),
    capabilities: new Set(),
    computedMembers: 'none',
    nodes: 0,
    depth: 0,
  };
  const record = (rule: RuleId, message: string, at: { line: number; column: number }): void => {
    if (violations.length >= maxViolations) {
      truncated = true;
      throw new ViolationCapReached();
    }
    append(violations, { rule, message, line: at.line, column: at.column + 1, frame: codeFrame(index.lines(), at.line, at.column + 1) });
  };
  const context: RuleContext = { source, policy, usage, report: (rule, message, offset) => record(rule, message, index.position(offset)) };
  const result = (): Inspection => ({ violations: sortByPosition(violations), usage, truncated });

  // resource exhaustion: a huge source costs parse time and memory before any rule can run
  const bytes = byteLength(source, 'utf8');
  if (bytes > policy.source.maxBytes) {
    record('source-bytes', `source is ${bytes} bytes, over the limit of policy "${policy.name}" (${policy.source.maxBytes})`, { line: 1, column: 0 });
    return result();
  }

  let ast: acorn.Program;
  try {
    // the goal the isolate compiles with: a module is strict, so `with`, octal escapes, HTML-like
    // comments and sloppy-only forms are syntax errors here exactly as they are in V8
    ast = parse(source, { ecmaVersion: ECMA_VERSION, sourceType: 'module', allowHashBang: true });
  } catch (error) {
    // what acorn cannot parse is refused: code the checker cannot read must not run
    const at = errorPosition(error, index);
    // acorn reports its own stack overflow as a SyntaxError ("Not enough stack space"); either way it is depth
    if (error instanceof RangeError || (error instanceof SyntaxError && error.message.startsWith('Not enough stack space'))) {
      record('source-depth', `source is nested too deeply to parse; the checker refuses what it cannot read`, at);
    } else if (error instanceof SyntaxError) {
      record('parse', `not a valid ES${ECMA_VERSION} module: ${error.message.replace(/ \(\d+:\d+\)$/, '')}`, at);
    } else {
      record('internal', `the parser failed on this source (${describeError(error)}); it is refused — please report this`, at);
    }
    return result();
  }

  try {
    const free = new PolicyWalker(context).walkProgram(ast);
    checkGlobals(free, context);
  } catch (error) {
    if (error instanceof StopWalk) return result();
    // deep trees can overflow the host's stack before the depth limit does: refuse, never crash
    if (error instanceof RangeError) {
      record('source-depth', `source is nested too deeply to check (policy limit ${policy.source.maxDepth})`, { line: 1, column: 0 });
      return result();
    }
    // a bug in the checker must not let code through, nor crash the host: refuse, typed
    record('internal', `the policy checker failed on this source (${describeError(error)}); it is refused — please report this`, { line: 1, column: 0 });
  }
  return result();
}

/** Stage 3 of loading: throws a PolicyError carrying every violation, or returns the usage. */
export function validateSource(source: string, policy: Policy, options: InspectOptions = {}): SourceUsage {
  const { violations, usage, truncated } = inspectSource(source, policy, options);
  if (violations.length === 0) return usage;
  throw violationsError(violations, truncated, policy, 'component source');
}

/** The PolicyError for a list of violations: parse errors and violations have different codes. */
export function violationsError(violations: readonly Violation[], truncated: boolean, policy: Policy, what: string): PolicyError {
  const parseFailed = violations.some((v) => v.rule === 'parse');
  const listed = violations
    .slice(0, 3)
    .map((v) => `${v.line}:${v.column} ${v.rule}: ${v.message}`)
    .join('; ');
  const count = `${violations.length}${truncated ? '+' : ''}`;
  return new PolicyError(
    parseFailed ? 'POLICY_PARSE_ERROR' : 'POLICY_VIOLATION',
    `${what} breaks policy "${policy.name}" (${count} violation${violations.length === 1 ? '' : 's'}): ${listed}${violations.length > 3 ? '; …' : ''}. Run "isoclass lint" on the source for the full list`,
    violations,
    { details: { policy: policy.name, truncated } },
  );
}

function checkGlobals(free: readonly { name: string; start: number }[], context: RuleContext): void {
  const { policy, usage } = context;
  for (const reference of free) {
    usage.globals.add(reference.name);
    // ambient authority: only reviewed globals are reachable; eval, Function, globalThis, Reflect, WebAssembly are not listed.
    // Free variables come from scope analysis, never a regex: a local named `process` is not the global.
    if (policy.globals !== 'any' && !policy.globals.has(reference.name)) {
      context.report('global', `global "${reference.name}" is not allowed by policy "${policy.name}"`, reference.start);
    }
  }
}

function errorPosition(error: unknown, index: LineIndex): { line: number; column: number } {
  const pos = (error as { pos?: unknown } | null)?.pos;
  return typeof pos === 'number' ? index.position(pos) : { line: 1, column: 0 };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sortByPosition(violations: Violation[]): Violation[] {
  return violations.sort((a, b) => a.line - b.line || a.column - b.column);
}
