import { PolicyError } from './errors.ts';
import { NODE_TYPES } from './language.ts';
import { POLICY_SCHEMA_ID, type PolicyFile } from './policy-file.ts';
import { CAPABILITY_NAMES, resolvePolicy, type Policy } from './policy.ts';
import { inspectSource, violationsError } from './validate.ts';

export interface InferOptions {
  /** The policy to start from; the inferred policy `extends` it and may only tighten it. */
  readonly base: Policy;
  /** How the inferred file names its base: a shipped name, or a path relative to where the file will be. */
  readonly baseReference: string;
  /** Where the inferred file's `extends` is resolved from (its own directory). */
  readonly baseDir: string;
  /** The inferred policy's name. */
  readonly name: string;
  /** `$schema` for editors (default: the schema's $id). */
  readonly schema?: string;
  /** Where the source came from, for the description. */
  readonly sourceName?: string;
}

export interface InferredPolicy {
  /** The policy file to write (JSON-ready). */
  readonly file: PolicyFile;
  /** The same, loaded: proof that it is valid and tightens its base. */
  readonly policy: Policy;
}

const SYNTAX_ORDER = new Map<string, number>(NODE_TYPES.map((type, i) => [type, i]));

/**
 * The tightest policy a component needs, as LavaMoat writes a package's policy from what it
 * uses: exactly the syntax node types, globals, imports and capabilities found in the source,
 * and the least computed-member rule it needs, extending a base policy whose denied members
 * and limits it keeps. Operators start from least privilege instead of a template.
 *
 * Inference only narrows: a source that breaks the base policy gets a PolicyError listing the
 * violations, never a policy that allows them. The result is loaded and the source checked
 * against it before it is returned, so what this returns always loads and accepts the source.
 */
export function inferPolicy(source: string, options: InferOptions): InferredPolicy {
  const { base } = options;
  const inspection = inspectSource(source, base);
  if (inspection.violations.length > 0) throw violationsError(inspection.violations, inspection.truncated, base, 'the component');
  const { usage } = inspection;

  const capabilities: Record<string, boolean> = {};
  for (const name of CAPABILITY_NAMES) capabilities[name] = usage.capabilities.has(name);
  const file: PolicyFile = {
    $schema: options.schema ?? POLICY_SCHEMA_ID,
    version: 1,
    name: options.name,
    description: `Inferred by "isoclass policy infer"${options.sourceName ? ` from ${options.sourceName}` : ''}: exactly what the component uses, on top of "${base.name}". Review before use.`,
    extends: options.baseReference,
    syntax: { allow: [...usage.syntax].sort((a, b) => (SYNTAX_ORDER.get(a) ?? 1e9) - (SYNTAX_ORDER.get(b) ?? 1e9) || a.localeCompare(b)) },
    globals: { allow: [...usage.globals].sort() },
    computedMembers: usage.computedMembers,
    imports: { allow: [...usage.imports].sort() },
    capabilities,
  };

  const policy = resolvePolicy(structuredClone(file), `inferred policy "${options.name}"`, options.baseDir);
  // the promise of infer: the inferred policy accepts the file it was inferred from
  const recheck = inspectSource(source, policy);
  if (recheck.violations.length > 0) {
    throw new PolicyError('POLICY_VIOLATION', `internal error: the inferred policy refuses its own source (${recheck.violations[0]?.rule}: ${recheck.violations[0]?.message}); please report this`, recheck.violations);
  }
  return { file, policy };
}
