import * as acorn from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { analyze } from 'eslint-scope';
import { codeFrame, type RuleId, type Violation } from './diagnostics.ts';
import { PolicyError } from './errors.ts';
import type { CapabilityName, ComputedMemberRule, Policy } from './policy.ts';

/**
 * Pinned language version. Node 24's V8 (13.6) implements all of ES2025, so everything acorn
 * accepts at this version the isolate can compile; nothing newer slips past the allowlist
 * as an unknown construct the checker never reasoned about.
 */
export const ECMA_VERSION = 2025;

/** The module every component imports its base class and capabilities from. */
export const RUNTIME_MODULE = 'isoclass';

/** Exports of the runtime module, and the capability each one needs (null: always there). */
export const RUNTIME_EXPORTS: Readonly<Record<string, CapabilityName | null>> = {
  Component: null,
  log: 'log',
  artifact: 'artifacts',
  sleep: 'timers',
};

export const DEFAULT_MAX_VIOLATIONS = 100; // violations reported per source

/** What a source uses: the input to `isoclass policy infer`. */
export interface SourceUsage {
  readonly syntax: Set<string>;
  readonly globals: Set<string>;
  readonly imports: Set<string>;
  readonly capabilities: Set<CapabilityName>;
  /** The loosest computed-member rule the source needs. */
  computedMembers: ComputedMemberRule;
  nodes: number;
  depth: number;
}

export interface Inspection {
  readonly violations: Violation[];
  readonly usage: SourceUsage;
  /** True when there were more violations than reported. */
  readonly truncated: boolean;
}

export interface InspectOptions {
  readonly maxViolations?: number;
}

type Node = acorn.Node & Record<string, unknown>;

/** Thrown inside the walk to stop it early (too many nodes or violations). */
class StopWalk extends Error {}

/**
 * Stage 3 of loading, without throwing: parses `source` as an ES module (strict, the goal it
 * runs with in the isolate), walks every node against the policy, and finds the program's free
 * variables by scope analysis. Returns every violation (up to a cap) and what the source uses.
 */
export function inspectSource(source: string, policy: Policy, options: InspectOptions = {}): Inspection {
  const maxViolations = options.maxViolations ?? DEFAULT_MAX_VIOLATIONS;
  const lines = source.split(/\r\n|[\n\r\u2028\u2029]/);
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
  const report = (rule: RuleId, message: string, at: { line: number; column: number }): void => {
    if (violations.length >= maxViolations) {
      truncated = true;
      throw new StopWalk();
    }
    violations.push({ rule, message, line: at.line, column: at.column + 1, frame: codeFrame(lines, at.line, at.column + 1) });
  };
  const result = (): Inspection => ({ violations: sortByPosition(violations), usage, truncated });

  // resource exhaustion: a huge source costs parse time and memory before any rule can run
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > policy.source.maxBytes) {
    report('source-bytes', `source is ${bytes} bytes, over the policy limit of ${policy.source.maxBytes}`, { line: 1, column: 0 });
    return result();
  }

  let ast: acorn.Program;
  try {
    ast = acorn.parse(source, { ecmaVersion: ECMA_VERSION, sourceType: 'module', locations: true, ranges: true });
  } catch (error) {
    // What acorn cannot parse is refused: code the checker cannot read must not run.
    const loc = (error as { loc?: { line: number; column: number } }).loc ?? { line: 1, column: 0 };
    if (error instanceof RangeError) {
      report('source-depth', 'source is nested too deeply to parse', loc);
    } else {
      report('parse', `not a valid ES${ECMA_VERSION} module: ${(error as Error).message.replace(/ \(\d+:\d+\)$/, '')}`, loc);
    }
    return result();
  }

  try {
    walkTree(ast, policy, usage, report);
    checkFreeVariables(ast, policy, usage, report);
  } catch (error) {
    if (error instanceof StopWalk) return result();
    // deep trees can overflow the walkers' recursion: refuse as too deep, never crash
    if (error instanceof RangeError) {
      report('source-depth', `source is nested too deeply to check (limit ${policy.source.maxDepth})`, { line: 1, column: 0 });
      return result();
    }
    throw error;
  }
  return result();
}

/** Stage 3 of loading: throws a PolicyError carrying every violation, or returns the usage. */
export function validateSource(source: string, policy: Policy, options: InspectOptions = {}): SourceUsage {
  const { violations, usage, truncated } = inspectSource(source, policy, options);
  if (violations.length === 0) return usage;
  const parseFailed = violations.some((v) => v.rule === 'parse');
  const listed = violations
    .slice(0, 3)
    .map((v) => `${v.line}:${v.column} ${v.rule}: ${v.message}`)
    .join('; ');
  const count = `${violations.length}${truncated ? '+' : ''}`;
  throw new PolicyError(
    parseFailed ? 'POLICY_PARSE_ERROR' : 'POLICY_VIOLATION',
    `component source breaks policy "${policy.name}" (${count} violation${violations.length === 1 ? '' : 's'}): ${listed}${violations.length > 3 ? '; …' : ''}. Run "isoclass lint" on the source for the full list`,
    violations,
  );
}

type Report = (rule: RuleId, message: string, at: { line: number; column: number }) => void;

function walkTree(ast: acorn.Program, policy: Policy, usage: SourceUsage, report: Report): void {
  const denied = policy.deniedMembers;
  let depthReported = false;
  fullAncestor(ast, (raw, _state, ancestors) => {
    const node = raw as Node;
    const at = node.loc?.start ?? { line: 1, column: 0 };
    usage.nodes++;
    usage.depth = Math.max(usage.depth, ancestors.length);
    // resource exhaustion: huge trees cost analysis time and isolate compile time
    if (usage.nodes > policy.source.maxNodes) {
      report('source-nodes', `source has more than ${policy.source.maxNodes} syntax nodes, the policy limit`, at);
      throw new StopWalk();
    }
    if (ancestors.length > policy.source.maxDepth && !depthReported) {
      depthReported = true;
      report('source-depth', `source nests ${ancestors.length} levels deep, over the policy limit of ${policy.source.maxDepth}`, at);
    }
    usage.syntax.add(node.type);
    // allowlist: a construct nobody reviewed (including node types a newer parser adds) is refused
    if (policy.syntax !== 'any' && !policy.syntax.has(node.type)) {
      report('syntax', `${describeNode(node)} is not allowed by policy "${policy.name}"`, at);
    }
    const parent = ancestors[ancestors.length - 2] as Node | undefined;
    switch (node.type) {
      case 'MemberExpression':
        checkMemberKey(node['property'] as Node, node['computed'] === true, 'property', policy, usage, report);
        break;
      case 'Property':
        // object literal keys and destructuring: `{__proto__: x}` sets a prototype, `{constructor: c} = f` reads one
        checkMemberKey(node['key'] as Node, node['computed'] === true, 'key', policy, usage, report);
        break;
      case 'MethodDefinition':
      case 'PropertyDefinition':
        // a class's own `constructor` method is how classes are written; every other member name is checked
        if (!(node.type === 'MethodDefinition' && node['kind'] === 'constructor')) {
          checkMemberKey(node['key'] as Node, node['computed'] === true, 'class member', policy, usage, report);
        }
        break;
      case 'Literal': {
        // string routes to a denied name: Reflect.get(f, 'constructor'), getOwnPropertyDescriptor(p, '__proto__')
        const value = node['value'];
        if (typeof value === 'string' && denied.has(value) && !isKeyPosition(node, parent)) {
          report('member-string', `the string "${value}" names a denied member`, at);
        }
        break;
      }
      case 'TemplateLiteral': {
        const text = templateText(node);
        if (text !== undefined && denied.has(text) && !isKeyPosition(node, parent)) {
          report('member-string', `the template \`${text}\` names a denied member`, at);
        }
        break;
      }
      case 'ImportDeclaration':
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        checkModuleRequest(node, policy, usage, report);
        break;
    }
  });
}

function checkMemberKey(key: Node, computed: boolean, what: string, policy: Policy, usage: SourceUsage, report: Report): void {
  const at = key.loc?.start ?? { line: 1, column: 0 };
  const name = staticKeyName(key, computed);
  if (name !== undefined) {
    if (computed) usage.computedMembers = loosest(usage.computedMembers, 'literal');
    // Names are compared decoded, as the engine sees them: `\u0063onstructor` is `constructor`.
    if (policy.deniedMembers.has(name)) report('member', `${what} "${name}" is denied by policy "${policy.name}"`, at);
    if (computed && policy.computedMembers === 'none') report('computed-member', `computed ${what} [${JSON.stringify(name)}] is not allowed; write .${name}`, at);
    return;
  }
  if (!computed) return; // private names (#x) cannot reach other objects' members
  usage.computedMembers = 'any';
  // A key computed at run time cannot be decided statically: the policy says whether to trust
  // the hardened runtime with it ("any") or refuse it ("literal", "none").
  if (policy.computedMembers !== 'any') {
    report('computed-member', `computed ${what} with a key built at run time is not allowed by policy "${policy.name}" (computedMembers: ${policy.computedMembers})`, at);
  }
}

/** The name a key denotes when it can be known without running the code. */
function staticKeyName(key: Node, computed: boolean): string | undefined {
  if (!computed && key.type === 'Identifier') return key['name'] as string;
  if (key.type === 'Literal') {
    const value = key['value'];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    if (typeof value === 'bigint') return String(value);
    return undefined;
  }
  if (key.type === 'TemplateLiteral') return templateText(key);
  return undefined;
}

function templateText(node: Node): string | undefined {
  const expressions = node['expressions'] as unknown[];
  const quasis = node['quasis'] as { value: { cooked: string | null } }[];
  if (expressions.length !== 0 || quasis.length !== 1) return undefined;
  return quasis[0]?.value.cooked ?? undefined;
}

function isKeyPosition(node: Node, parent: Node | undefined): boolean {
  if (parent === undefined) return false;
  switch (parent.type) {
    case 'MemberExpression':
      return parent['property'] === node;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return parent['key'] === node;
    case 'ImportDeclaration':
    case 'ExportNamedDeclaration':
    case 'ExportAllDeclaration':
      return parent['source'] === node;
    default:
      return false;
  }
}

function checkModuleRequest(node: Node, policy: Policy, usage: SourceUsage, report: Report): void {
  const source = node['source'] as Node | null | undefined;
  if (source === null || source === undefined) return;
  const specifier = String(source['value']);
  usage.imports.add(specifier);
  const at = source.loc?.start ?? { line: 1, column: 0 };
  // module loading: a component reaches nothing but the runtime module (no host files, no packages)
  if (!policy.imports.has(specifier)) {
    report('import', `import of "${specifier}" is not allowed; components may import only ${[...policy.imports].map((s) => `"${s}"`).join(', ') || 'nothing'}`, at);
    return;
  }
  if (specifier !== RUNTIME_MODULE) return;
  if (node.type !== 'ImportDeclaration') {
    report('import', `re-exporting from "${RUNTIME_MODULE}" is not allowed`, at);
    return;
  }
  for (const specifierNode of node['specifiers'] as Node[]) {
    const imported = specifierNode['imported'] as Node | undefined;
    const name = imported === undefined ? undefined : imported.type === 'Identifier' ? (imported['name'] as string) : String(imported['value']);
    const where = specifierNode.loc?.start ?? at;
    if (name === undefined || !Object.hasOwn(RUNTIME_EXPORTS, name)) {
      report('import', `"${RUNTIME_MODULE}" has no export ${name === undefined ? 'default or namespace' : `"${name}"`}; it exports ${Object.keys(RUNTIME_EXPORTS).join(', ')}`, where);
      continue;
    }
    const capability = RUNTIME_EXPORTS[name];
    if (capability === null || capability === undefined) continue;
    usage.capabilities.add(capability);
    // least privilege: a host capability the policy does not grant cannot even be imported
    if (!policy.capabilities[capability]) {
      report('capability', `capability "${capability}" (import "${name}") is not granted by policy "${policy.name}"`, where);
    }
  }
}

function checkFreeVariables(ast: acorn.Program, policy: Policy, usage: SourceUsage, report: Report): void {
  // Free variables come from scope analysis, never from a regex over the text: a local named
  // `eval` is not the global, and `globalThis` hidden in a nested scope is still the global.
  const scopes = analyze(ast as unknown as Parameters<typeof analyze>[0], {
    ecmaVersion: 2022,
    sourceType: 'module',
    impliedStrict: true,
    // direct eval is refused by the global rule, so scopes need not be treated as dynamic
    optimistic: true,
    fallback: 'iteration',
  });
  for (const reference of scopes.globalScope?.through ?? []) {
    const name = reference.identifier.name;
    usage.globals.add(name);
    // ambient authority: only reviewed globals are reachable; eval, Function, globalThis, WebAssembly are not listed
    if (policy.globals !== 'any' && !policy.globals.has(name)) {
      const at = reference.identifier.loc?.start ?? { line: 1, column: 0 };
      report('global', `global "${name}" is not allowed by policy "${policy.name}"`, at);
    }
  }
}

const COMPUTED_RANK: Record<ComputedMemberRule, number> = { none: 0, literal: 1, any: 2 };
function loosest(a: ComputedMemberRule, b: ComputedMemberRule): ComputedMemberRule {
  return COMPUTED_RANK[a] >= COMPUTED_RANK[b] ? a : b;
}

function describeNode(node: Node): string {
  switch (node.type) {
    case 'ImportExpression':
      return 'dynamic import()';
    case 'WithStatement':
      return '`with`';
    case 'MetaProperty':
      return `\`${String((node['meta'] as Node)['name'])}.${String((node['property'] as Node)['name'])}\``;
    case 'DebuggerStatement':
      return '`debugger`';
    default:
      return `syntax ${node.type}`;
  }
}

function sortByPosition(violations: Violation[]): Violation[] {
  return violations.sort((a, b) => a.line - b.line || a.column - b.column);
}
