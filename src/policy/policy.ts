import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatViolations, schemaChecker } from '../json-schema.ts';
import { PolicyError } from './errors.ts';

export type ComputedMemberRule = 'any' | 'literal' | 'none';
export type CapabilityName = 'log' | 'artifacts' | 'timers';
export const CAPABILITY_NAMES: readonly CapabilityName[] = ['log', 'artifacts', 'timers'];

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

/** A loaded, validated, fully resolved policy (its `extends` chain already applied). */
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

/** The on-disk shape (policies/policy.schema.json). */
export interface PolicyFile {
  $schema?: string;
  version: 1;
  name: string;
  description?: string;
  extends?: string;
  syntax?: 'any' | { allow: string[] };
  globals?: 'any' | { allow: string[] };
  members?: { deny: string[] };
  computedMembers?: ComputedMemberRule;
  imports?: { allow: string[] };
  capabilities?: Partial<Record<CapabilityName, boolean>>;
  source?: Partial<SourceLimits>;
  runtime?: Partial<RuntimeLimits>;
}

export const SHIPPED_POLICIES = ['default', 'strict', 'sandbox-only'] as const;
export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/**
 * What a policy that extends nothing gets for a key it leaves out: nothing allowed, and the
 * safe limits below. An allowlist that forgets a section refuses, it does not permit.
 */
const ROOT: Policy = {
  name: '(root)',
  chain: [],
  syntax: new Set(),
  globals: new Set(),
  deniedMembers: new Set(),
  computedMembers: 'none',
  imports: new Set(),
  capabilities: { log: false, artifacts: false, timers: false },
  source: { maxBytes: 256 * 1024, maxNodes: 50_000, maxDepth: 100 }, // bytes, nodes, levels
  runtime: { memoryMb: 64, cpuMsPerCall: 1000, wallMsPerCall: 5000, maxResultBytes: 1024 * 1024 }, // MiB, ms, ms, bytes
};

const checkPolicySchema = schemaChecker(new URL('../../policies/policy.schema.json', import.meta.url));
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
    policy = loadPolicyFile(file, []);
    cache.set(file, policy);
  }
  return policy;
}

/** Validates a policy given as a parsed JSON value (for callers that store policies elsewhere). */
export function resolvePolicy(allegedPolicy: unknown, source = '<policy>', baseDir = process.cwd()): Policy {
  return resolveParsed(allegedPolicy, source, baseDir, []);
}

function policyPath(nameOrPath: string, baseDir: string): string {
  if ((SHIPPED_POLICIES as readonly string[]).includes(nameOrPath)) return resolve(POLICIES_DIR, `${nameOrPath}.json`);
  return resolve(baseDir, nameOrPath);
}

function loadPolicyFile(file: string, seen: readonly string[]): Policy {
  // a cycle of extends would loop forever
  if (seen.includes(file)) {
    throw new PolicyError('POLICY_EXTENDS_CYCLE', `policy ${file} extends itself through ${seen.join(' -> ')}`);
  }
  if (seen.length >= MAX_EXTENDS_DEPTH) {
    throw new PolicyError('POLICY_EXTENDS_CYCLE', `policy extends chain is longer than ${MAX_EXTENDS_DEPTH}: ${seen.join(' -> ')}`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new PolicyError('POLICY_NOT_FOUND', `cannot read policy ${file}: ${(cause as Error).message}; give a shipped name (${SHIPPED_POLICIES.join(', ')}) or a path`, [], { cause });
  }
  let alleged: unknown;
  try {
    alleged = JSON.parse(text);
  } catch (cause) {
    throw new PolicyError('POLICY_FILE_INVALID', `policy ${file} is not JSON: ${(cause as Error).message}`, [], { cause });
  }
  return resolveParsed(alleged, file, dirname(file), [...seen, file]);
}

function resolveParsed(allegedPolicy: unknown, source: string, baseDir: string, seen: readonly string[]): Policy {
  const violations = checkPolicySchema(allegedPolicy, 'policy');
  if (violations.length > 0) {
    throw new PolicyError('POLICY_FILE_INVALID', `policy ${source}: ${formatViolations(violations)}`, [], { details: { schemaViolations: violations } });
  }
  const file = allegedPolicy as PolicyFile;
  const parent = file.extends === undefined ? ROOT : loadPolicyFile(policyPath(file.extends, baseDir), seen);
  return tighten(parent, file, source);
}

const COMPUTED_ORDER: Record<ComputedMemberRule, number> = { none: 0, literal: 1, any: 2 };

/**
 * Applies a child policy on top of its parent. A child may only remove permissions: loosening
 * is an error, so an operator reviewing `extends: "strict"` knows the child is at least as strict.
 */
function tighten(parent: Policy, child: PolicyFile, source: string): Policy {
  const isRoot = parent === ROOT;
  const loosens = (path: string, what: string): PolicyError =>
    new PolicyError('POLICY_EXTENDS_LOOSENS', `policy ${source}: ${path} ${what}, which ${parent.name} does not allow; a policy may only tighten what it extends`, [], {
      details: { path, parent: parent.name },
    });

  const allowList = (key: 'syntax' | 'globals', value: 'any' | { allow: string[] } | undefined): 'any' | ReadonlySet<string> => {
    if (value === undefined) return parent[key];
    if (value === 'any') {
      if (!isRoot && parent[key] !== 'any') throw loosens(`policy.${key}`, 'is "any"');
      return 'any';
    }
    const inherited = parent[key];
    if (!isRoot && inherited !== 'any') {
      value.allow.forEach((name, i) => {
        if (!inherited.has(name)) throw loosens(`policy.${key}.allow[${i}]`, `allows "${name}"`);
      });
    }
    return new Set(value.allow);
  };

  const computed = child.computedMembers ?? parent.computedMembers;
  if (!isRoot && COMPUTED_ORDER[computed] > COMPUTED_ORDER[parent.computedMembers]) throw loosens('policy.computedMembers', `is "${computed}"`);

  let imports = parent.imports;
  if (child.imports !== undefined) {
    child.imports.allow.forEach((spec, i) => {
      if (!isRoot && !parent.imports.has(spec)) throw loosens(`policy.imports.allow[${i}]`, `allows "${spec}"`);
    });
    imports = new Set(child.imports.allow);
  }

  const capabilities = { ...parent.capabilities };
  for (const [name, granted] of Object.entries(child.capabilities ?? {}) as [CapabilityName, boolean][]) {
    if (!isRoot && granted && !parent.capabilities[name]) throw loosens(`policy.capabilities.${name}`, 'is granted');
    capabilities[name] = granted;
  }

  const limits = <T extends object>(section: 'source' | 'runtime', inherited: T, given: Partial<T> | undefined): T => {
    const out: Record<string, number> = { ...(inherited as Record<string, number>) };
    for (const [key, value] of Object.entries(given ?? {}) as [string, number][]) {
      const before = out[key] ?? 0;
      if (!isRoot && value > before) throw loosens(`policy.${section}.${key}`, `is ${value}, above ${before}`);
      out[key] = value;
    }
    return out as T;
  };

  return {
    name: child.name,
    chain: [...parent.chain, child.name],
    syntax: allowList('syntax', child.syntax),
    globals: allowList('globals', child.globals),
    // denied names accumulate: a child can add to the list, never take away
    deniedMembers: new Set([...parent.deniedMembers, ...(child.members?.deny ?? [])]),
    computedMembers: computed,
    imports,
    capabilities,
    source: limits('source', parent.source, child.source),
    runtime: limits('runtime', parent.runtime, child.runtime),
  };
}

/** A copy of `policy` with runtime limits replaced (operator overrides such as `--timeout-ms`). */
export function withRuntimeLimits(policy: Policy, overrides: Partial<RuntimeLimits>): Policy {
  const runtime = { ...policy.runtime };
  for (const [key, value] of Object.entries(overrides) as [keyof RuntimeLimits, number | undefined][]) {
    if (value !== undefined) runtime[key] = value;
  }
  return { ...policy, runtime };
}
