import { TraceMap } from '@jridgewell/trace-mapping';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, relative, resolve } from 'node:path';
import { transform } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { bundleFile } from '../../pack/bundle.ts';
import { PackError } from '../../pack/errors.ts';
import { GENERATED, mapViolation } from '../../pack/source-map.ts';
import type { Violation } from '../../policy/diagnostics.ts';
import { PolicyError } from '../../policy/errors.ts';
import { loadPolicy } from '../../policy/policy.ts';
import { inspectSource } from '../../policy/validate.ts';
import { JSON_OPTION, parseCommandArgs, requirePositional, type CommandOutput } from '../io.ts';

const USAGE = 'isoclass lint <file> [--policy default|strict|sandbox-only|file] [--bundle <package>]... [--json]';

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
  const { values, positionals } = parseCommandArgs(argv, { policy: { type: 'string' }, bundle: { type: 'string', multiple: true }, ...JSON_OPTION }, USAGE);
  const [file] = requirePositional(positionals, 1, 'one component file', USAGE) as [string];
  const policy = loadPolicy(values.policy ?? 'default');
  // the packages pack would bundle (--bundle) are bundled and checked too; imports of any other
  // package stay in the bundle, for the policy to report where they are
  const bundle: Linted = await bundleFile(file, { bundle: values.bundle ?? [], keepForeignImports: true }).catch((error: unknown) => unbundled(file, error));
  const inspected = inspectSource(bundle.source, policy);
  const { truncated } = inspected;
  // the file alone, unbundled, is checked only for what the bundler refused, its syntax (its
  // relative imports are not violations: bundling inlines them); if the parser accepts it, the
  // bundler's error (a missing file, say) is the one to report
  const violations = bundle.refusal === undefined ? inspected.violations : inspected.violations.filter((v) => v.rule === 'parse');
  if (bundle.refusal !== undefined && violations.length === 0) throw bundle.refusal;
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

/**
 * What to lint when esbuild refuses the file (`with`, an HTML-like comment, an escaped keyword):
 * the file alone, so the refusal is reported like every other violation, with its rule, place and
 * code frame. A JavaScript file is checked as written; a TypeScript file
 * with its types stripped (mapped back through a source map), or, when even that fails, the
 * bundler's own error is what there is to say.
 */
async function unbundled(file: string, error: unknown): Promise<Linted> {
  if (!(error instanceof PackError) || error.code !== 'PACK_BUNDLE_FAILED') throw error;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw error;
  }
  if (!TYPESCRIPT.has(extname(file).toLowerCase())) return { source: text, refusal: error };
  try {
    const stripped = await transform(text, { loader: 'ts', format: 'esm', target: 'esnext', sourcemap: 'external', sourcefile: file, logLevel: 'silent' });
    return { source: stripped.code, sourceMap: stripped.map, refusal: error };
  } catch {
    throw error;
  }
}

/** The code lint checks: the bundle, or the file alone when the bundler refused it (`refusal`). */
interface Linted {
  readonly source: string;
  readonly sourceMap?: string;
  readonly refusal?: PackError;
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Maps a violation in the bundle back to the original file (the writer's own files: names shown
 * as they are, relative to the working directory); the frame starts with `file:line:column`.
 */
function locate(violation: Violation, map: TraceMap | undefined, file: string): LintFinding {
  const mapped = map === undefined ? { ...violation, file } : (mapViolation(map, violation, (source) => displayPath(source, file)) ?? { ...violation, file: GENERATED });
  const shown = mapped.file ?? file;
  return { ...mapped, file: shown, frame: `${shown}:${mapped.line}:${mapped.column}\n${mapped.frame}` };
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
