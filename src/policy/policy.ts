import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyError } from './errors.ts';
import { applyPolicyFile } from './extends.ts';
import { freeze } from './intrinsics.ts';
import { findDuplicateKey } from './json-duplicates.ts';
import { NameSet } from './name-set.ts';
import { checkPolicyDocument, childPath, type PolicyFile } from './policy-file.ts';

export type { PolicyFile } from './policy-file.ts';

export type ComputedMemberRule = 'any' | 'literal' | 'none';
export type CapabilityName = 'log' | 'artifacts' | 'timers';
export const CAPABILITY_NAMES: readonly CapabilityName[] = freeze(['log', 'artifacts', 'timers'] as const);

export interface SourceLimits {
  /** UTF-8 bytes of source. */
  readonly maxBytes: number;
  /** Syntax tree nodes. */
  readonly maxNodes: number;
  /** Syntax tree nesting depth. */
  readonly maxDepth: number;
}

export interface RuntimeLimits {
  /** Isolate heap limit, MiB. */
  readonly memoryMb: number;
  /** Synchronous CPU time per call, ms. */
  readonly cpuMsPerCall: number;
  /** Wall-clock time per call including awaits, ms. */
  readonly wallMsPerCall: number;
  /** Size of an encoded result, bytes. */
  readonly maxResultBytes: number;
}

/**
 * A loaded, validated, fully resolved policy (its `extends` chain already applied). Immutable:
 * a loaded policy is cached and shared, so no caller can widen it for the others.
 */
export interface Policy {
  readonly name: string;
  /** Policy names from the root of the `extends` chain to this one. */
  readonly chain: readonly string[];
  readonly syntax: 'any' | ReadonlySet<string>;
  readonly globals: 'any' | ReadonlySet<string>;
  readonly deniedMembers: ReadonlySet<string>;
  readonly computedMembers: ComputedMemberRule;
  readonly imports: ReadonlySet<string>;
  readonly capabilities: Readonly<Record<CapabilityName, boolean>>;
  readonly source: SourceLimits;
  readonly runtime: RuntimeLimits;
}

export const SHIPPED_POLICIES = ['default', 'strict', 'sandbox-only'] as const;
export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/**
 * What a policy that extends nothing gets for a key it leaves out: nothing allowed, and the
 * safe limits below. An allowlist that forgets a section refuses, it does not permit.
 */
const ROOT: Policy = freeze({
  name: '(root)',
  chain: freeze([]),
  syntax: new NameSet([]),
  globals: new NameSet([]),
  deniedMembers: new NameSet([]),
  computedMembers: 'none',
  imports: new NameSet([]),
  capabilities: freeze({ log: false, artifacts: false, timers: false }),
  source: freeze({ maxBytes: 256 * 1024, maxNodes: 50_000, maxDepth: 100 }), // bytes, nodes, levels
  runtime: freeze({ memoryMb: 64, cpuMsPerCall: 1000, wallMsPerCall: 5000, maxResultBytes: 1024 * 1024 }), // MiB, ms, ms, bytes
});

const MAX_EXTENDS_DEPTH = 8; // policies in one chain

const cache = new Map<string, Policy>();

/**
 * Loads a policy by shipped name (`default`) or file path, validates it against the schema,
 * applies its `extends` chain and checks that it only tightens what it extends.
 */
export function loadPolicy(nameOrPath: string = 'default'): Policy {
  const file = policyPath(nameOrPath, process.cwd());
  let policy = cache.get(file);
  if (policy === undefined) {
    policy = loadPolicyFile(file, [], undefined);
    cache.set(file, policy);
  }
  return policy;
}

/** Validates a policy given as a parsed JSON value (for callers that store policies elsewhere). */
export function resolvePolicy(allegedPolicy: unknown, source = '<policy>', baseDir = process.cwd()): Policy {
  return resolveParsed(allegedPolicy, source, baseDir, []);
}

/** The file a shipped name or a path names; paths are relative to `baseDir`. */
export function policyPath(nameOrPath: string, baseDir: string): string {
  if ((SHIPPED_POLICIES as readonly string[]).includes(nameOrPath)) return resolve(POLICIES_DIR, `${nameOrPath}.json`);
  return resolve(baseDir, nameOrPath);
}

function loadPolicyFile(file: string, seen: readonly string[], extendedFrom: string | undefined): Policy {
  // a cycle of extends would loop forever
  if (seen.includes(file)) {
    throw new PolicyError('POLICY_EXTENDS_CYCLE', `policy ${file} extends itself through ${[...seen, file].join(' -> ')}; break the cycle`);
  }
  if (seen.length >= MAX_EXTENDS_DEPTH) {
    throw new PolicyError('POLICY_EXTENDS_CYCLE', `policy extends chain is longer than ${MAX_EXTENDS_DEPTH}: ${seen.join(' -> ')}; flatten it`);
  }
  const via = extendedFrom === undefined ? '' : ` (policy.extends of ${extendedFrom})`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new PolicyError(
      'POLICY_NOT_FOUND',
      `cannot read policy ${file}${via}: ${(cause as Error).message}; give a shipped name (${SHIPPED_POLICIES.join(', ')}) or a path`,
      [],
      { cause },
    );
  }
  let alleged: unknown;
  try {
    alleged = JSON.parse(text);
  } catch (cause) {
    throw new PolicyError('POLICY_FILE_INVALID', `policy ${file}${via} is not JSON: ${(cause as Error).message}`, [], { cause });
  }
  // one key written twice: a reviewer reads the first value, JSON.parse keeps the last
  const duplicate = findDuplicateKey(text, 'policy');
  if (duplicate !== undefined) {
    throw new PolicyError('POLICY_FILE_INVALID', `policy ${file}${via}: ${duplicate} is given twice; say each key once`, [], {
      details: { problems: [{ path: duplicate, message: 'is given twice' }] },
    });
  }
  return resolveParsed(alleged, file, dirname(file), [...seen, file]);
}

function resolveParsed(allegedPolicy: unknown, source: string, baseDir: string, seen: readonly string[]): Policy {
  // refuse what we do not know: unknown keys, wrong types and impossible values, each by key path
  const problems = checkPolicyDocument(allegedPolicy, 'policy');
  if (problems.length > 0) throw invalid(source, problems);
  const file = allegedPolicy as PolicyFile;
  const parent = file.extends === undefined ? undefined : loadPolicyFile(policyPath(file.extends, baseDir), seen, source);
  const policy = applyPolicyFile(ROOT, parent, file, source);
  const incoherent = checkCoherence(policy, file);
  if (incoherent.length > 0) throw invalid(source, incoherent);
  return policy;
}

/** Values each valid alone but impossible together (after `extends` is applied). */
function checkCoherence(policy: Policy, file: PolicyFile): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  // a syntax allowlist without Program refuses every module: a mistake, never an intent
  if (policy.syntax !== 'any' && !policy.syntax.has('Program')) {
    problems.push({
      path: file.syntax === undefined ? 'policy.syntax' : 'policy.syntax.allow',
      message: `${file.syntax === undefined ? 'is missing, so' : 'does not include "Program", so'} no module at all can pass; list the node types components may use`,
    });
  }
  const incoherent = cpuAboveWall(policy.runtime);
  if (incoherent !== undefined) problems.push({ path: childPath('policy.runtime', file.runtime?.wallMsPerCall !== undefined ? 'wallMsPerCall' : 'cpuMsPerCall'), message: incoherent });
  return problems;
}

/** Wall-clock time includes CPU time: a CPU budget above the wall-clock one can never be used. */
function cpuAboveWall(runtime: RuntimeLimits): string | undefined {
  if (runtime.cpuMsPerCall <= runtime.wallMsPerCall) return undefined;
  return `cpuMsPerCall (${runtime.cpuMsPerCall}) is above wallMsPerCall (${runtime.wallMsPerCall}); wall-clock time includes CPU time`;
}

function invalid(source: string, problems: readonly { path: string; message: string }[]): PolicyError {
  const shown = problems
    .slice(0, 5)
    .map((p) => `${p.path} ${p.message}`)
    .join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return new PolicyError('POLICY_FILE_INVALID', `policy ${source}: ${shown}${more}. The keys are described in policies/README.md`, [], {
    details: { problems },
  });
}

/**
 * A copy of `policy` with runtime limits replaced (operator overrides such as `--timeout-ms`),
 * held to the bounds a policy file is: a limit the sandbox cannot apply (a 1 MiB heap) is refused
 * here, by name, not discovered as an internal error at the first load.
 */
export function withRuntimeLimits(policy: Policy, overrides: Partial<RuntimeLimits>): Policy {
  const runtime = { ...policy.runtime };
  const given: Partial<Record<keyof RuntimeLimits, number>> = {};
  for (const [key, value] of Object.entries(overrides) as [keyof RuntimeLimits, number | undefined][]) {
    if (value !== undefined) given[key] = runtime[key] = value;
  }
  const problems = checkPolicyDocument({ version: 1, name: 'overrides', runtime: given }, 'overrides');
  const incoherent = cpuAboveWall(runtime);
  if (incoherent !== undefined) problems.push({ path: 'overrides.runtime', message: incoherent });
  if (problems.length > 0) throw invalid(`"${policy.name}" with runtime overrides`, problems);
  return freeze({ ...policy, runtime: freeze(runtime) });
}
