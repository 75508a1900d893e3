import { PackError } from '../errors.ts';
import { checkJsonValue } from '../params.ts';

/** A value rebuilt in the module by an expression, and what kind of value it was. */
export interface InlinedValue {
  /** A JavaScript expression that evaluates to an equal value inside the isolate. */
  readonly expression: string;
  /** For the capture summary: `number`, `string`, `object`, `array`, `symbol`, `regexp`, … */
  readonly type: string;
  /** Set when the value is recreated rather than copied (a fresh symbol), with what the reader should know. */
  readonly note?: string;
}

const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source')?.get as (this: RegExp) => string;
const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags')?.get as (this: RegExp) => string;
const WELL_KNOWN_SYMBOLS = new Map<symbol, string>(
  Object.getOwnPropertyNames(Symbol)
    .map((name) => [name, (Symbol as unknown as Record<string, unknown>)[name]] as const)
    .filter((entry): entry is readonly [string, symbol] => typeof entry[1] === 'symbol')
    .map(([name, symbol]) => [symbol, name]),
);

/**
 * The source of a non-function value a class closes over, as it would be written in the
 * module: primitives, symbols (recreated), regular expressions, and plain JSON objects and
 * arrays. Everything else has state or identity that a copy of source text cannot carry, and
 * is refused with what to do instead.
 */
export function inlineValue(value: unknown, path: string): InlinedValue {
  switch (typeof value) {
    case 'undefined':
      return { expression: 'void 0', type: 'undefined' };
    case 'boolean':
      return { expression: String(value), type: 'boolean' };
    case 'string':
      // JSON string syntax is JavaScript string syntax (U+2028/9 included, since ES2019)
      return { expression: JSON.stringify(value), type: 'string' };
    case 'bigint':
      return { expression: `${value}n`, type: 'bigint' };
    case 'number':
      if (Object.is(value, -0)) return { expression: '-0', type: 'number' };
      if (Number.isNaN(value)) return { expression: 'NaN', type: 'number' };
      if (!Number.isFinite(value)) return { expression: value > 0 ? 'Infinity' : '-Infinity', type: 'number' };
      // Number → string → Number is exact in JavaScript
      return { expression: String(value), type: 'number' };
    case 'symbol':
      return inlineSymbol(value);
    case 'object':
      if (value === null) return { expression: 'null', type: 'null' };
      return inlineObject(value, path);
    default:
      throw unsupported(path, `is a ${typeof value}`, 'pass functions and classes as they are; they are captured by source');
  }
}

function inlineSymbol(symbol: symbol): InlinedValue {
  const wellKnown = WELL_KNOWN_SYMBOLS.get(symbol);
  if (wellKnown !== undefined) return { expression: `Symbol.${wellKnown}`, type: 'symbol' };
  const registered = Symbol.keyFor(symbol);
  if (registered !== undefined) return { expression: `Symbol.for(${JSON.stringify(registered)})`, type: 'symbol' };
  const description = symbol.description;
  return {
    expression: description === undefined ? 'Symbol()' : `Symbol(${JSON.stringify(description)})`,
    type: 'symbol',
    // identity cannot cross processes: inside the module it is one symbol, shared by every use
    note: 'recreated: a new symbol with the same description, shared by all captured code',
  };
}

function inlineObject(value: object, path: string): InlinedValue {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (value instanceof RegExp && proto === RegExp.prototype) {
    const extra = Reflect.ownKeys(value).filter((k) => k !== 'lastIndex');
    if (extra.length > 0 || value.lastIndex !== 0) {
      throw unsupported(path, 'is a regular expression with state (lastIndex or own properties)', 'reset lastIndex to 0 and keep state in the class');
    }
    return { expression: `/${regexpSource.call(value)}/${regexpFlags.call(value)}`, type: 'regexp' };
  }
  if (Array.isArray(value) || proto === Object.prototype || proto === null) {
    const holding = firstFunctionInside(value);
    if (holding !== undefined) {
      throw unsupported(
        path,
        `holds a function at ${path}${holding}`,
        'only JSON data is inlined; pass each function in deps under the name the code uses for it',
      );
    }
    checkJsonValue(value, path, (where, what) => unsupported(where, what, 'only JSON data (plain objects, arrays, strings, finite numbers, booleans, null) is inlined'));
    // `{"__proto__": …}` in an object literal sets the prototype, where JSON.parse made a key
    const proto = findProtoKey(value, path);
    if (proto !== undefined) throw unsupported(proto, 'is a "__proto__" key, which an object literal would turn into a prototype', 'rename the key');
    return { expression: JSON.stringify(value), type: Array.isArray(value) ? 'array' : 'object' };
  }
  const kind = describeInstance(value);
  throw unsupported(
    path,
    `is ${kind}`,
    value instanceof Map || value instanceof Set || value instanceof Date
      ? 'pass its contents as JSON (an array of entries, a timestamp) and rebuild it in the class or a captured helper'
      : 'instances carry state that source text cannot; construct it inside the class (e.g. in the constructor from params) or pass its data as params',
  );
}

function firstFunctionInside(value: unknown, path = '', depth = 0): string | undefined {
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const desc = Object.getOwnPropertyDescriptor(value, key);
    const child = desc?.value;
    const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (typeof child === 'function') return at;
    const inner = firstFunctionInside(child, at, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function findProtoKey(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (key === '__proto__' && !Array.isArray(value)) return `${path}.__proto__`;
    const found = findProtoKey((value as Record<string, unknown>)[key], Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function describeInstance(value: object): string {
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  if (value instanceof Date) return 'a Date';
  if (value instanceof WeakMap || value instanceof WeakSet) return 'a weak collection';
  if (value instanceof Promise) return 'a Promise';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'binary data (ship it as an artifact)';
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
  const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'an unnamed class';
  return `an instance of ${name}`;
}

function unsupported(path: string, what: string, fix: string): PackError {
  return new PackError('PACK_DEP_UNSUPPORTED', `${path} ${what}, which cannot travel as source: ${fix}`, { details: { path } });
}
