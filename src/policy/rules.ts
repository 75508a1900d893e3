import type * as ESTree from 'acorn';
import type { RuleId } from './diagnostics.ts';
import { hasOwn } from './intrinsics.ts';
import type { CapabilityName, ComputedMemberRule, Policy } from './policy.ts';

/** The module every component imports its base class and capabilities from. */
export const RUNTIME_MODULE = 'isoclass';

/** Exports of the runtime module, and the capability each one needs (null: always there). */
export const RUNTIME_EXPORTS: Readonly<Record<string, CapabilityName | null>> = Object.freeze({
  __proto__: null,
  Component: null,
  log: 'log',
  artifact: 'artifacts',
  sleep: 'timers',
} as Record<string, CapabilityName | null>);

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

/** What the rules need from the walk: the policy, the usage record, and a way to report. */
export interface RuleContext {
  /** The exact text being checked (the bytes the isolate will compile). */
  readonly source: string;
  readonly policy: Policy;
  readonly usage: SourceUsage;
  /** Records a violation at a UTF-16 offset; throws to stop the walk once the cap is reached. */
  report(rule: RuleId, message: string, offset: number): void;
}

type KeyNode = ESTree.Expression | ESTree.PrivateIdentifier;
export type KeyRole = 'property' | 'key' | 'class member';

const COMPUTED_RANK: Readonly<Record<ComputedMemberRule, number>> = { none: 0, literal: 1, any: 2 };
export function loosest(a: ComputedMemberRule, b: ComputedMemberRule): ComputedMemberRule {
  return COMPUTED_RANK[a] >= COMPUTED_RANK[b] ? a : b;
}

/**
 * Member keys, wherever code names a property: `x.k`, `x[k]`, `{k: v}`, `{k} = o` and class
 * members. Names are compared decoded, as the engine sees them: acorn gives `\u0063onstructor`
 * as `constructor`, and `'\x63onstructor'` as the string `constructor`.
 */
export function checkMemberKey(context: RuleContext, key: KeyNode, computed: boolean, role: KeyRole): void {
  const { policy, usage } = context;
  if (!computed && key.type === 'PrivateIdentifier') return; // #x names only the class's own slot, never another object's member
  const name = staticKeyName(key, computed);
  if (name !== undefined) {
    if (computed) usage.computedMembers = loosest(usage.computedMembers, 'literal');
    // reflection: constructor chains reach Function, __proto__ rewires prototypes, callee/caller leak frames
    if (policy.deniedMembers.has(name)) {
      context.report('member', `${role} "${name}" is denied by policy "${policy.name}": it is a route to reflection or code generation`, key.start);
    }
    if (computed && policy.computedMembers === 'none') {
      const hint = /^[A-Za-z_$][\w$]*$/.test(name) ? `; write .${name}` : '';
      context.report('computed-member', `computed ${role} [${JSON.stringify(name)}] is not allowed by policy "${policy.name}" (computedMembers: none)${hint}`, key.start);
    }
    return;
  }
  usage.computedMembers = 'any';
  // A key computed at run time cannot be decided statically: the policy says whether to trust
  // the hardened runtime with it ("any") or refuse it ("literal", "none").
  if (policy.computedMembers !== 'any') {
    context.report(
      'computed-member',
      `computed ${role} with a key built at run time is not allowed by policy "${policy.name}" (computedMembers: ${policy.computedMembers}); use a literal key`,
      key.start,
    );
  }
}

/** The name a key denotes when it can be known without running the code; undefined when it cannot. */
export function staticKeyName(key: KeyNode, computed: boolean): string | undefined {
  if (!computed) return key.type === 'Identifier' ? key.name : key.type === 'Literal' ? literalKey(key) : undefined;
  switch (key.type) {
    case 'Literal':
      return literalKey(key);
    case 'TemplateLiteral':
      return templateText(key);
    case 'UnaryExpression':
      // x[-1]: a negative number is written as minus applied to a literal
      if (key.operator === '-' && key.argument.type === 'Literal' && typeof key.argument.value === 'number') return String(-key.argument.value);
      return undefined;
    default:
      return undefined;
  }
}

function literalKey(literal: ESTree.Literal): string | undefined {
  const value = literal.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined; // null, booleans and regular expressions are keys only by run-time conversion
}

/** The cooked text of a template without substitutions; undefined when it has any. */
export function templateText(template: ESTree.TemplateLiteral): string | undefined {
  if (template.expressions.length !== 0 || template.quasis.length !== 1) return undefined;
  return template.quasis[0]?.value.cooked ?? undefined;
}

/**
 * Strings that spell a denied member name, wherever their value can flow: a literal
 * `'constructor'` handed to Reflect.get, returned from a toString/valueOf/toPrimitive trap,
 * or used as a tagged template's strings. `where` says what holds the string, for the message.
 */
export function checkDeniedString(context: RuleContext, value: string, where: string, offset: number): void {
  // string routes to a denied member: Reflect.get(f, 'constructor'), x[{ toString: () => '__proto__' }]
  if (context.policy.deniedMembers.has(value)) {
    context.report('member-string', `${where} "${value}" names a member denied by policy "${context.policy.name}"`, offset);
  }
}

/** Import and export declarations that name a module. */
export function checkModuleRequest(
  context: RuleContext,
  node: ESTree.ImportDeclaration | ESTree.ExportNamedDeclaration | ESTree.ExportAllDeclaration,
): void {
  const source = node.source;
  if (source === null || source === undefined) return;
  const { policy, usage } = context;
  const specifier = String(source.value);
  if (!checkSpecifier(context, specifier, source.start) || specifier !== RUNTIME_MODULE) return;
  // re-exporting the runtime would hand its capabilities on under other names
  if (node.type !== 'ImportDeclaration') {
    context.report('import', `re-exporting from "${RUNTIME_MODULE}" is not allowed; import what you need and export your own class`, source.start);
    return;
  }
  for (const specifierNode of node.specifiers) {
    const name =
      specifierNode.type === 'ImportSpecifier'
        ? specifierNode.imported.type === 'Identifier'
          ? specifierNode.imported.name
          : String(specifierNode.imported.value)
        : undefined;
    // least privilege: a namespace or default import would hold every export, granted or not
    if (name === undefined || !hasOwn(RUNTIME_EXPORTS, name)) {
      const what = name === undefined ? (specifierNode.type === 'ImportNamespaceSpecifier' ? 'namespace (import * as)' : 'default') : `"${name}"`;
      context.report(
        'import',
        `"${RUNTIME_MODULE}" has no ${what} export a component may import; import { ${Object.keys(RUNTIME_EXPORTS).join(', ')} } by name`,
        specifierNode.start,
      );
      continue;
    }
    const capability = RUNTIME_EXPORTS[name];
    if (capability === null || capability === undefined) continue;
    usage.capabilities.add(capability);
    // least privilege: a host capability the policy does not grant cannot even be imported
    if (!policy.capabilities[capability]) {
      context.report('capability', `capability "${capability}" (import { ${name} }) is not granted by policy "${policy.name}"`, specifierNode.start);
    }
  }
}

/**
 * `import(…)`: refused by the syntax allowlist of the shipped policies; where a policy allows the
 * syntax, the specifier is still held to the imports allowlist — and one computed at run time,
 * which no static rule can check, is refused.
 */
export function checkDynamicImport(context: RuleContext, node: ESTree.ImportExpression): void {
  const { policy } = context;
  const source = node.source;
  const specifier = source.type === 'Literal' && typeof source.value === 'string' ? source.value : source.type === 'TemplateLiteral' ? templateText(source) : undefined;
  // module loading: a specifier known only at run time could name anything
  if (specifier === undefined) {
    context.report('import', `import() with a specifier computed at run time cannot be checked against policy "${policy.name}"; import statically`, source.start);
    return;
  }
  // (import() of the runtime itself is left to the isolate, which loads nothing at run time: the
  // runtime module exports only the granted capabilities, and sandbox-only tests that refusal)
  checkSpecifier(context, specifier, source.start);
}

/** Records a module specifier and holds it to the imports allowlist; true when it is allowed. */
function checkSpecifier(context: RuleContext, specifier: string, offset: number): boolean {
  const { policy } = context;
  context.usage.imports.add(specifier);
  // module loading: a component reaches nothing but the runtime module (no host files, no packages)
  if (policy.imports.has(specifier)) return true;
  const allowed = [...policy.imports].map((s) => `"${s}"`).join(', ') || 'nothing';
  context.report('import', `import of "${specifier}" is not allowed by policy "${policy.name}"; components may import only ${allowed}`, offset);
  return false;
}
