import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** The on-disk shape (policies/policy.schema.json, version 1). */
export interface PolicyFile {
  $schema?: string;
  version: 1;
  name: string;
  description?: string;
  extends?: string;
  syntax?: 'any' | { allow: string[] };
  globals?: 'any' | { allow: string[] };
  members?: { deny: string[] };
  computedMembers?: 'any' | 'literal' | 'none';
  imports?: { allow: string[] };
  capabilities?: { log?: boolean; artifacts?: boolean; timers?: boolean };
  source?: { maxBytes?: number; maxNodes?: number; maxDepth?: number };
  runtime?: { memoryMb?: number; cpuMsPerCall?: number; wallMsPerCall?: number; maxResultBytes?: number };
}

export interface PolicyFileProblem {
  /** Where, as a JS-like path from the document root: `policy.globals.allow[3]`. */
  readonly path: string;
  readonly message: string;
  /** For a value out of range: the bound it breaks, as a phrase (`must be >= 8`). */
  readonly requirement?: string;
}

export const POLICY_SCHEMA_URL = new URL('../../policies/policy.schema.json', import.meta.url);
export const POLICY_SCHEMA_ID = 'https://isoclass.dev/schemas/policy.v1.json';

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (compiled === undefined) {
    // verbose: errors carry the failing value and schema, which the messages below use
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    compiled = ajv.compile(JSON.parse(readFileSync(POLICY_SCHEMA_URL, 'utf8')) as object);
  }
  return compiled;
}

/**
 * Checks an alleged policy document against the schema. Returns one precise problem per
 * mistake, each naming its key path: an unknown key (with the known key it is closest to), a
 * wrong type, an impossible value. A section that may be `"any"` or `{ "allow": [...] }` is
 * judged against the form the value has, not reported twice.
 */
export function checkPolicyDocument(allegedPolicy: unknown, root = 'policy'): PolicyFileProblem[] {
  const validate = validator();
  if (validate(allegedPolicy)) return [];
  const errors = pruneUnionBranches(validate.errors ?? []);
  const problems: PolicyFileProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const problem = describe(error, root);
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/**
 * For `anyOf` failures: when the value has the type one branch expects, only that branch's
 * errors are about the mistake; the other branches' "must be equal to constant" are noise.
 */
function pruneUnionBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  let kept = [...errors];
  for (const union of unions) {
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of kept) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const shapeMismatch = (list: ErrorObject[]): boolean =>
      list.some((e) => e.instancePath === union.instancePath && (e.keyword === 'type' || e.keyword === 'const'));
    const matching = [...branches.entries()].filter(([, list]) => !shapeMismatch(list));
    kept = kept.filter((e) => {
      if (!e.schemaPath.startsWith(prefix)) return e !== union || matching.length === 0;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      // keep the branch whose shape the value has; when none has it, the anyOf error alone
      return matching.some(([b]) => b === branch);
    });
  }
  return kept;
}

function describe(error: ErrorObject, root: string): PolicyFileProblem {
  const path = jsonPointerToPath(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { path: childPath(path, key), message: `is not a known key${suggest(key, known)}; a policy says only what the schema defines` };
    }
    case 'required':
      return { path: childPath(path, String(params['missingProperty'])), message: 'is required' };
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      if (allowed.length > 8) {
        const what = allowed.includes('Program') ? `a syntax node type acorn produces for an ES module` : 'an allowed value';
        return { path, message: `${JSON.stringify(error.data)} is not ${what}${suggest(String(error.data), allowed)}` };
      }
      return { path, message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'anyOf':
      return { path, message: `must be "any" or an object { "allow": [ … ] }` };
    case 'type':
      return { path, message: `must be ${article(String(params['type']))}, not ${jsonType(error.data)}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `is ${String(error.data)}; it ${error.message ?? ''}${unit(error)}`, requirement: error.message ?? '' };
    case 'pattern':
      return { path, message: `${JSON.stringify(error.data)} ${patternMeaning(String(params['pattern']))}` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

function jsonPointerToPath(pointer: string, root: string): string {
  let path = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(segment) ? `${path}[${segment}]` : childPath(path, segment);
  }
  return path;
}

export function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value} (not an integer)`;
  return `${article(typeof value)} (${JSON.stringify(value)?.slice(0, 40)})`;
}

function unit(error: ErrorObject): string {
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  return description ? ` (${description})` : '';
}

function patternMeaning(pattern: string): string {
  if (pattern.startsWith('^[A-Za-z_$]')) return 'is not a JavaScript identifier (a global name)';
  if (pattern.startsWith('^[A-Za-z0-9]')) return 'is not a valid policy name (letters, digits, . _ -; at most 64)';
  if (pattern === '^[^\\\\]*$') return 'holds a backslash: a denied name is the decoded property name (write constructor, not con\\u0073tructor)';
  return `must match ${pattern}`;
}

/** `; did you mean "globals"?` when a known name is within a small edit distance. */
export function suggest(given: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(given.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(given.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? Infinity;
}
