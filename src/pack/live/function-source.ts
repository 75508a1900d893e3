import * as acorn from 'acorn';
import { analyze } from 'eslint-scope';
import { ECMA_VERSION } from '../../policy/validate.ts';
import { PackError } from '../errors.ts';

/** Captured once: a class may define its own `static toString()`, which must not be what we read. */
const functionToString = Function.prototype.toString;
const { apply } = Reflect;

export type Node = acorn.Node & Record<string, unknown>;

export type FunctionKind = 'class' | 'function' | 'arrow' | 'method';

/** Where, inside a function's source text, the code names a free variable. */
export interface TextPosition {
  /** 0-based line within the function's text. */
  readonly line: number;
  /** 0-based column (UTF-16 units). */
  readonly column: number;
}

/** A live function's source as V8 gives it, parsed, with the free variables it uses. */
export interface FunctionSource {
  /** Exactly `Function.prototype.toString` of the function. */
  readonly text: string;
  readonly kind: FunctionKind;
  /** The class's or function's own name in its source (`class Foo`, `function foo`), if any. */
  readonly declaredName: string | undefined;
  /** The ClassExpression / FunctionExpression / ArrowFunctionExpression, or the method's Property. */
  readonly node: Node;
  /** Offset of `text` inside the parsed wrapper: node positions minus this are positions in `text`. */
  readonly offset: number;
  /** Free variable → where the text uses it (in source order). */
  readonly freeVariables: ReadonlyMap<string, readonly TextPosition[]>;
  /** The free variables the text assigns to (`x = …`, `x++`, `[x] = …`) → where. */
  readonly assignedFreeVariables: ReadonlyMap<string, readonly TextPosition[]>;
}

/** What the names in error messages call the function ("class Scorer", "function double", "deps.helper"). */
export type Describe = () => string;

/**
 * Reads a live function's source and parses it with the goal it will run with (an ES module,
 * strict). Refuses what toString cannot reproduce: native and bound functions, accessor and
 * computed-key methods, and text that is not one function.
 */
export function readFunctionSource(fn: Function, describe: Describe): FunctionSource {
  const text = apply(functionToString, fn, []) as string;
  // native code: built-ins, bound functions and proxies print a body that is not their code
  if (/\{\s*\[native code\]\s*\}\s*$/.test(text)) {
    const name = typeof fn.name === 'string' ? fn.name : '';
    if (name.startsWith('bound ')) {
      throw new PackError(
        'PACK_DEP_UNSUPPORTED',
        `${describe()} is a bound function (${name}); its target, bound this and arguments are invisible to toString. Pass the unbound function and bind or wrap it inside the class`,
        { details: { reason: 'bound' } },
      );
    }
    throw new PackError(
      'PACK_DEP_UNSUPPORTED',
      `${describe()} is a native function${name ? ` (${name})` : ''} or a proxy: it has no JavaScript source to ship. Use the built-in through its global (e.g. Math.max) inside the code, or write the helper in JavaScript`,
      { details: { reason: 'native' } },
    );
  }
  return parseFunctionText(text, describe);
}

export function parseFunctionText(text: string, describe: Describe): FunctionSource {
  // toString of a class, function or arrow is an expression; of a method, an object-literal member
  const asExpression = tryParse(`(${text}\n)`);
  if (asExpression !== undefined) {
    const node = singleExpression(asExpression, 1, text.length);
    if (node !== undefined) {
      const kind: FunctionKind = node.type === 'ClassExpression' ? 'class' : node.type === 'ArrowFunctionExpression' ? 'arrow' : 'function';
      const id = node['id'] as Node | null | undefined;
      return finish(text, kind, id ? String(id['name']) : undefined, node, 1, asExpression, describe);
    }
  }
  const asMethod = tryParse(`({${text}\n})`);
  if (asMethod !== undefined) {
    const property = singleMethod(asMethod, 2, text.length);
    if (property !== undefined) {
      if (property['kind'] !== 'init') {
        throw new PackError('PACK_DEP_UNSUPPORTED', `${describe()} is a ${String(property['kind'])}ter function; capture the object or class that defines it instead`, {
          details: { reason: 'accessor' },
        });
      }
      if (property['computed'] === true) {
        throw new PackError(
          'PACK_DEP_UNSUPPORTED',
          `${describe()} is a method with a computed key (${text.slice(0, text.indexOf('(')).trim()}); rewrite it as a function (const f = function () {...}) to pass it on its own`,
          { details: { reason: 'computed-method' } },
        );
      }
      const key = property['key'] as Node;
      return finish(text, 'method', String(key.type === 'Identifier' ? key['name'] : key['value']), property, 2, asMethod, describe);
    }
  }
  throw new PackError(
    'PACK_SOURCE_LOST',
    `${describe()} prints a source that does not parse as one strict-mode function (${JSON.stringify(text.slice(0, 60))}…): it cannot be rebuilt from its text. Sloppy-mode-only syntax (with, octal literals) is not supported`,
    { details: { reason: 'unparseable' } },
  );
}

function tryParse(wrapped: string): acorn.Program | undefined {
  try {
    return acorn.parse(wrapped, { ecmaVersion: ECMA_VERSION, sourceType: 'module', locations: true, ranges: true });
  } catch {
    return undefined;
  }
}

/** The wrapper must hold exactly one function spanning the whole text: nothing before or after it. */
function singleExpression(program: acorn.Program, offset: number, length: number): Node | undefined {
  const [statement, ...rest] = program.body as unknown as Node[];
  if (statement === undefined || rest.length > 0 || statement.type !== 'ExpressionStatement') return undefined;
  const node = statement['expression'] as Node;
  if (!['ClassExpression', 'FunctionExpression', 'ArrowFunctionExpression'].includes(node.type)) return undefined;
  return node.start === offset && node.end === offset + length ? node : undefined;
}

function singleMethod(program: acorn.Program, offset: number, length: number): Node | undefined {
  const [statement, ...rest] = program.body as unknown as Node[];
  if (statement === undefined || rest.length > 0 || statement.type !== 'ExpressionStatement') return undefined;
  const object = statement['expression'] as Node;
  if (object.type !== 'ObjectExpression') return undefined;
  const properties = object['properties'] as Node[];
  const [property] = properties;
  if (property === undefined || properties.length !== 1 || property.type !== 'Property') return undefined;
  if (property['method'] !== true && property['kind'] === 'init') return undefined; // `{ a: f }` is not a method's text
  return property.start === offset && property.end === offset + length ? property : undefined;
}

function finish(text: string, kind: FunctionKind, declaredName: string | undefined, node: Node, offset: number, program: acorn.Program, describe: Describe): FunctionSource {
  checkDetachedThis(kind, node, describe);
  return { text, kind, declaredName, node, offset, ...freeVariablesOf(program, offset) };
}

/**
 * Free variables by scope analysis, never by a regex over the text: a parameter named `Math`
 * is not the global, and a name inside a string is not a reference.
 */
function freeVariablesOf(program: acorn.Program, offset: number): Pick<FunctionSource, 'freeVariables' | 'assignedFreeVariables'> {
  const scopes = analyze(program as unknown as Parameters<typeof analyze>[0], {
    ecmaVersion: 2022,
    sourceType: 'module',
    impliedStrict: true,
    optimistic: true,
    fallback: 'iteration',
  });
  const freeVariables = new Map<string, TextPosition[]>();
  const assignedFreeVariables = new Map<string, TextPosition[]>();
  for (const reference of scopes.globalScope?.through ?? []) {
    const identifier = reference.identifier as unknown as Node & { loc: acorn.SourceLocation };
    const name = identifier['name'] as string;
    const { line, column } = identifier.loc.start;
    // the wrapper adds `offset` characters before the text, all on its first line
    const position = { line: line - 1, column: line === 1 ? column - offset : column };
    addTo(freeVariables, name, position);
    if (reference.isWrite()) addTo(assignedFreeVariables, name, position);
  }
  return { freeVariables, assignedFreeVariables };
}

function addTo(map: Map<string, TextPosition[]>, name: string, position: TextPosition): void {
  const list = map.get(name);
  if (list === undefined) map.set(name, [position]);
  else list.push(position);
}

/**
 * An arrow function's `this`, `super` and `new.target` belong to where it was defined (a
 * method, a constructor); at the top level of a module they are undefined or a syntax error.
 * A standalone method's `super` loses its home object the same way. (`arguments` in an arrow
 * shows up as a free variable and is refused there.)
 */
function checkDetachedThis(kind: FunctionKind, node: Node, describe: Describe): void {
  if (kind !== 'arrow' && kind !== 'method') return;
  const found = findLexicalContextUse(kind === 'arrow' ? (node['body'] as Node) : (node['value'] as Node)['body'] as Node, kind);
  if (found === undefined) return;
  const hint =
    kind === 'arrow'
      ? `an arrow function takes ${found} from where it was defined (an instance, a method), and that does not travel. Pass the class that defines it, or write it as a function that takes what it needs as parameters`
      : 'a method on its own loses the object its `super` refers to. Pass the class or object that defines it';
  throw new PackError('PACK_SOURCE_LOST', `${describe()} uses \`${found}\`: ${hint}`, { details: { reason: `detached-${found}` } });
}

/** The first `this` / `super` / `new.target` that is not rebound by a nested non-arrow function. */
function findLexicalContextUse(root: Node, kind: FunctionKind): string | undefined {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    switch (node.type) {
      case 'FunctionExpression':
      case 'FunctionDeclaration':
      case 'ClassBody':
        continue; // these bind their own this/super/arguments
      case 'ThisExpression':
        if (kind === 'arrow') return 'this';
        break;
      case 'Super':
        return 'super';
      case 'MetaProperty':
        if (kind === 'arrow') return 'new.target';
        break;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) stack.push(child);
      } else if (isNode(value)) {
        stack.push(value);
      }
    }
  }
  return undefined;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
