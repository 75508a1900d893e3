import { TraceMap, originalPositionFor, sourceContentFor } from '@jridgewell/trace-mapping';
import { bundleFile } from '../../pack/bundle.ts';
import { codeFrame, type Violation } from '../../policy/diagnostics.ts';
import { PolicyError } from '../../policy/errors.ts';
import { loadPolicy } from '../../policy/policy.ts';
import { inspectSource } from '../../policy/validate.ts';
import { JSON_OPTION, parseCommandArgs, requirePositional, type CommandOutput } from '../io.ts';

const USAGE = 'isoclass lint <file> [--policy file] [--json]';

export interface LintFinding extends Violation {
  /** The original file the violation is in (through the bundle's source map). */
  readonly file: string;
}

/**
 * Lints what `pack` would ship: the file is bundled exactly as pack bundles it, the bundle is
 * checked, and each violation is mapped back to the original file and line.
 */
export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(argv, { policy: { type: 'string' }, ...JSON_OPTION }, USAGE);
  const [file] = requirePositional(positionals, 1, 'one component file', USAGE) as [string];
  const policy = loadPolicy(values.policy ?? 'default');
  const bundle = await bundleFile(file);
  const { violations, truncated } = inspectSource(bundle.source, policy);
  const map = bundle.sourceMap ? new TraceMap(bundle.sourceMap) : undefined;
  const findings = violations.map((v) => locate(v, map, file));
  if (findings.length > 0) {
    const error = new PolicyError(
      violations.some((v) => v.rule === 'parse') ? 'POLICY_PARSE_ERROR' : 'POLICY_VIOLATION',
      `${file}: ${findings.length}${truncated ? '+' : ''} violation${findings.length === 1 ? '' : 's'} of policy "${policy.name}"`,
      findings,
    );
    throw error;
  }
  return { result: { file, policy: policy.name, violations: [] }, text: `${file}: no violations of policy "${policy.name}"` };
}

function locate(violation: Violation, map: TraceMap | undefined, fallbackFile: string): LintFinding {
  if (map === undefined) return { ...violation, file: fallbackFile };
  const original = originalPositionFor(map, { line: violation.line, column: violation.column - 1 });
  if (original.source === null || original.line === null || original.column === null) return { ...violation, file: fallbackFile };
  const content = sourceContentFor(map, original.source);
  const frame = content === null ? violation.frame : codeFrame(content.split(/\r\n|[\n\r\u2028\u2029]/), original.line, original.column + 1);
  return { ...violation, file: original.source, line: original.line, column: original.column + 1, frame };
}
