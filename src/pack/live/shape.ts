import { PackError } from '../errors.ts';
import type { Describe, FunctionSource, Node } from './function-source.ts';

const functionToString = Function.prototype.toString;
const { apply, ownKeys, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;

/** Own keys every function of that kind has, which its source always explains. */
const FUNCTION_OWN_KEYS: ReadonlySet<PropertyKey> = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);

/** What `extends X` in the source resolves to, for comparison with the live prototype chain. */
export type ExpectedBase =
  | { readonly kind: 'none' }
  | { readonly kind: 'value'; readonly value: unknown; readonly label: string }
  | { readonly kind: 'unknown' };

/**
 * Compares a live class with its own source: every own property of the class and of its
 * prototype must be declared in the class body, each method must still be the one the body
 * defines, and the prototype chain must be the one `extends` names. What fails was changed
 * after the definition (`Foo.prototype.bar = …`, `Foo.VERSION = 2`, `Object.setPrototypeOf`)
 * and would silently be missing inside the isolate.
 */
export function checkClassShape(cls: Function, source: FunctionSource, expectedBase: ExpectedBase, describe: Describe): void {
  const declared = declaredMembers(source);
  const prototype = (cls as { prototype?: unknown }).prototype;
  checkExtras(cls, declared.staticKeys, declared.staticUnknown, declared.staticOpaque, describe, (key) => `has a static member ${keyText(key)}`);
  if (typeof prototype === 'object' && prototype !== null) {
    checkExtras(prototype, declared.protoKeys, declared.protoUnknown, false, describe, (key) => `has a method or accessor ${keyText(key)} on its prototype`);
  }
  for (const member of declared.functions) {
    const target = member.isStatic ? cls : prototype;
    if (typeof target !== 'object' && typeof target !== 'function') continue;
    if (target === null) continue;
    const desc = getOwnPropertyDescriptor(target, member.key);
    if (desc === undefined) continue;
    const live = member.kind === 'get' ? desc.get : member.kind === 'set' ? desc.set : desc.value;
    if (typeof live !== 'function') {
      throw lost(describe, `${member.isStatic ? 'static ' : ''}${member.kind === 'method' ? 'method' : member.kind === 'field' ? 'field' : `${member.kind}ter`} ${keyText(member.key)} was replaced after the class was defined (it is no longer the function in the class body)`);
    }
    const text = apply(functionToString, live, []) as string;
    // V8 prints a method from its name (without `static`); a field's value prints as itself
    if (!(member.text.endsWith(text) && text.endsWith(member.bodyText))) {
      throw lost(describe, `${member.isStatic ? 'static ' : ''}${member.kind === 'field' ? 'field' : 'method'} ${keyText(member.key)} was replaced after the class was defined: the host runs ${JSON.stringify(text.slice(0, 60))}, the class body says ${JSON.stringify(member.text.slice(0, 60))}`);
    }
  }
  checkBase(cls, prototype, source, expectedBase, describe);
}

/** A plain function, arrow or method: no own properties beyond the standard ones, nothing added to its prototype. */
export function checkFunctionShape(fn: Function, source: FunctionSource, describe: Describe): void {
  const extra = ownKeys(fn).filter((key) => !FUNCTION_OWN_KEYS.has(key));
  if (extra.length > 0) {
    throw lost(describe, `has ${extra.map(keyText).join(', ')} set on the function object after its definition; toString does not carry properties. Keep that state in the class (a static field) or pass it in deps`);
  }
  const prototype = getOwnPropertyDescriptor(fn, 'prototype')?.value as unknown;
  if (source.kind === 'function' && typeof prototype === 'object' && prototype !== null) {
    const added = ownKeys(prototype).filter((key) => key !== 'constructor');
    if (added.length > 0) {
      throw lost(describe, `has ${added.map((k) => (typeof k === 'string' ? `prototype.${k}` : `prototype${keyText(k)}`)).join(', ')} added after its definition (an ES5-style class); toString carries only the function. Rewrite it as a class`);
    }
  }
}

interface DeclaredFunction {
  readonly key: PropertyKey;
  readonly isStatic: boolean;
  readonly kind: 'method' | 'get' | 'set' | 'field';
  /** The member's text in the class body, and the part every printing of it ends with. */
  readonly text: string;
  readonly bodyText: string;
}

interface DeclaredMembers {
  readonly staticKeys: Set<PropertyKey>;
  readonly protoKeys: Set<PropertyKey>;
  /** Members whose key is computed from something the packer cannot evaluate. */
  staticUnknown: number;
  protoUnknown: number;
  /** A static block does something with the class the packer cannot follow (a call with `this`). */
  staticOpaque: boolean;
  readonly functions: DeclaredFunction[];
}

function declaredMembers(source: FunctionSource): DeclaredMembers {
  const out: DeclaredMembers = { staticKeys: new Set(FUNCTION_OWN_KEYS), protoKeys: new Set(['constructor']), staticUnknown: 0, protoUnknown: 0, staticOpaque: false, functions: [] };
  const body = (source.node['body'] as Node)['body'] as Node[];
  const slice = (node: Node): string => source.text.slice(node.start - source.offset, node.end - source.offset);
  for (const member of body) {
    if (member.type === 'StaticBlock') {
      scanStaticBlock(member, source.declaredName, out);
      continue;
    }
    const isStatic = member['static'] === true;
    const keyNode = member['key'] as Node;
    if (keyNode.type === 'PrivateIdentifier') continue; // #private members are not properties
    if (member.type === 'MethodDefinition' && member['kind'] === 'constructor') continue;
    const key = staticKey(keyNode, member['computed'] === true);
    const isField = member.type === 'PropertyDefinition';
    if (isField && !isStatic) continue; // instance fields live on instances, not on the class or prototype
    if (key === undefined) {
      if (isStatic) out.staticUnknown++;
      else out.protoUnknown++;
      continue;
    }
    (isStatic ? out.staticKeys : out.protoKeys).add(key);
    const value = member['value'] as Node | null;
    if (value === null) continue;
    if (isField) {
      if (['ArrowFunctionExpression', 'FunctionExpression', 'ClassExpression'].includes(value.type)) {
        out.functions.push({ key, isStatic, kind: 'field', text: slice(value), bodyText: slice(value) });
      }
      continue;
    }
    const kind = member['kind'] === 'get' ? 'get' : member['kind'] === 'set' ? 'set' : 'method';
    out.functions.push({ key, isStatic, kind, text: slice(member), bodyText: slice(value) });
  }
  return out;
}

/** `this.x = …` and `ClassName.x = …` in a static block declare static members the body shows. */
function scanStaticBlock(block: Node, className: string | undefined, out: DeclaredMembers): void {
  const stack: Node[] = [...(block['body'] as Node[])];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ClassBody') continue;
    if (node.type === 'AssignmentExpression') {
      const left = node['left'] as Node;
      // `Foo.#x = …` sets a private name, not a property
      if (left.type === 'MemberExpression' && (left['property'] as Node).type !== 'PrivateIdentifier' && isClassReference(left['object'] as Node, className)) {
        const key = staticKey(left['property'] as Node, left['computed'] === true);
        if (key === undefined) out.staticUnknown++;
        else out.staticKeys.add(key);
      }
    }
    if (node.type === 'CallExpression' && (node['arguments'] as Node[]).some((a) => isClassReference(a, className))) {
      // Object.defineProperty(this, …) and friends: what they define cannot be read statically
      out.staticOpaque = true;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const child of value) if (isNode(child)) stack.push(child);
      if (isNode(value)) stack.push(value);
    }
  }
}

function isClassReference(node: Node, className: string | undefined): boolean {
  return node.type === 'ThisExpression' || (className !== undefined && node.type === 'Identifier' && node['name'] === className);
}

/** The property key a member's key node denotes, when it can be known without running code. */
function staticKey(key: Node, computed: boolean): PropertyKey | undefined {
  if (!computed && key.type === 'Identifier') return String(key['name']);
  if (key.type === 'Literal') {
    const value = key['value'];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
  }
  if (key.type === 'TemplateLiteral' && (key['expressions'] as unknown[]).length === 0) {
    return ((key['quasis'] as { value: { cooked: string | null } }[])[0]?.value.cooked ?? undefined) ?? undefined;
  }
  // [Symbol.iterator], [Symbol.asyncIterator], …: well-known symbols are the same in every realm
  if (computed && key.type === 'MemberExpression' && key['computed'] !== true) {
    const object = key['object'] as Node;
    const property = key['property'] as Node;
    if (object.type === 'Identifier' && object['name'] === 'Symbol' && property.type === 'Identifier') {
      const symbol = (Symbol as unknown as Record<string, unknown>)[String(property['name'])];
      if (typeof symbol === 'symbol') return symbol;
    }
  }
  return undefined;
}

function checkExtras(target: object, declared: Set<PropertyKey>, unknown: number, opaque: boolean, describe: Describe, what: (key: PropertyKey) => string): void {
  if (opaque) return;
  const extra = ownKeys(target).filter((key) => !declared.has(key));
  // a computed key the packer cannot evaluate may explain one extra key each
  if (extra.length <= unknown) return;
  const [first] = extra;
  if (first === undefined) return;
  const more = extra.length > 1 ? ` (and ${extra.slice(1).map(keyText).join(', ')})` : '';
  throw lost(
    describe,
    `${what(first)}${more} that its class body does not define: it was added after the definition, and toString does not carry it. Define it in the class body (a method, a static field or a static block)`,
    { member: typeof first === 'symbol' ? String(first.description) : first },
  );
}

function checkBase(cls: Function, prototype: unknown, source: FunctionSource, expected: ExpectedBase, describe: Describe): void {
  const actual = getPrototypeOf(cls) as unknown;
  const actualProto = typeof prototype === 'object' && prototype !== null ? (getPrototypeOf(prototype) as unknown) : undefined;
  if (expected.kind === 'none') {
    if (source.node['superClass'] === null && (actual !== Function.prototype || (actualProto !== undefined && actualProto !== Object.prototype))) {
      throw lost(describe, 'extends nothing in its source, but its prototype chain was changed after the definition (Object.setPrototypeOf); write the base class in `extends`');
    }
    return;
  }
  if (expected.kind === 'unknown') return;
  if (actual !== expected.value) {
    const name = typeof actual === 'function' && typeof (actual as Function).name === 'string' ? (actual as Function).name || '(anonymous)' : String(actual);
    throw new PackError(
      'PACK_SOURCE_LOST',
      `${describe()} says \`extends ${expected.label}\`, but its base class in this process is ${name}, a different value: the prototype chain was changed after the definition, or deps.${expected.label} is not the class it extends. Pass the class it really extends`,
      { details: { reason: 'base-mismatch' } },
    );
  }
  const base = expected.value as { prototype?: unknown } | null;
  if (typeof base === 'function' && actualProto !== base.prototype) {
    throw lost(describe, `has a prototype whose parent is not ${expected.label}.prototype: it was changed after the definition (Object.setPrototypeOf)`);
  }
}

function keyText(key: PropertyKey): string {
  return typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : JSON.stringify(key);
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function lost(describe: Describe, what: string, details: Record<string, unknown> = {}): PackError {
  return new PackError('PACK_SOURCE_LOST', `${describe()} ${what}`, { details: { reason: 'changed-after-definition', ...details } });
}
