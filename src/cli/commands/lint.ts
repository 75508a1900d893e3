import { TraceMap, originalPositionFor, sourceContentFor } from '@jridgewell/trace-mapping';
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFile } from '../../pack/bundle.ts';
import { codeFrame, type Violation } from '../../policy/diagnostics.ts';
import { PolicyError } from '../../policy/errors.ts';
import { loadPolicy } from '../../policy/policy.ts';
import { inspectSource } from '../../policy/validate.ts';
import { JSON_OPTION, parseCommandArgs, requirePositional, type CommandOutput } from '../io.ts';

const USAGE = 'isoclass lint <file> [--policy default|strict|sandbox-only|file] [--json]';

export interface LintFinding extends Violation {
  /** The original file the violation is in (through the bundle's source map). */
  readonly file: string;
}

/**
 * Lints what `pack` would ship: the file is bundled exactly as pack bundles it, the bundle is
 * checked (those are the bytes the loader checks and the isolate compiles), and each violation
 * is mapped back to the original file, line and column. Violations exit 12, like a load would.
 */
export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(argv, { policy: { type: 'string' }, ...JSON_OPTION }, USAGE);
  const [file] = requirePositional(positionals, 1, 'one component file', USAGE) as [string];
  const policy = loadPolicy(values.policy ?? 'default');
  const bundle = await bundleFile(file);
  const { violations, truncated } = inspectSource(bundle.source, policy);
  if (violations.length === 0) {
    return { result: { file, policy: policy.name, violations: [] }, text: `${file}: no violations of policy "${policy.name}"` };
  }
  const map = bundle.sourceMap ? new TraceMap(bundle.sourceMap) : undefined;
  const findings = violations.map((v) => locate(v, map, file));
  const count = `${findings.length}${truncated ? '+' : ''}`;
  const byRule = summarizeRules(findings);
  throw new PolicyError(
    violations.some((v) => v.rule === 'parse') ? 'POLICY_PARSE_ERROR' : 'POLICY_VIOLATION',
    `${file}: ${count} violation${findings.length === 1 ? '' : 's'} of policy "${policy.name}" (${byRule}); each is listed below with its rule, place and source`,
    findings,
    { details: { file, policy: policy.name, truncated } },
  );
}

/** Maps a violation in the bundle back to the original file; the frame starts with `file:line:column`. */
function locate(violation: Violation, map: TraceMap | undefined, fallbackFile: string): LintFinding {
  const original = map === undefined ? undefined : originalPositionFor(map, { line: violation.line, column: violation.column - 1 });
  if (original === undefined || original.source === null || original.line === null || original.column === null) {
    return { ...violation, file: fallbackFile, frame: `${fallbackFile}:${violation.line}:${violation.column}\n${violation.frame}` };
  }
  const file = displayPath(original.source, fallbackFile);
  const content = map === undefined ? null : sourceContentFor(map, original.source);
  const column = original.column + 1;
  const frame = content === null ? violation.frame : codeFrame(content.split(/\r\n|[\n\r\u2028\u2029]/), original.line, column);
  return { ...violation, file, line: original.line, column, frame: `${file}:${original.line}:${column}\n${frame}` };
}

/** A source map path (relative to the component's folder, or to the working directory), shown relative to the working directory. */
function displayPath(source: string, componentFile: string): string {
  const plain = source.startsWith('file://') ? fileURLToPath(source) : source;
  for (const candidate of [resolve(dirname(componentFile), plain), resolve(plain)]) {
    if (existsSync(candidate)) return relative(process.cwd(), candidate) || plain;
  }
  return plain;
}

function summarizeRules(findings: readonly LintFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  return [...counts].map(([rule, n]) => `${n} ${rule}`).join(', ');
}
