import { artifact, Component, log, sleep } from '../../component.ts';
import type { JsonObject } from '../../envelope/record.ts';
import type { Policy } from '../../policy/policy.ts';
import { RUNTIME_EXPORTS } from '../../policy/validate.ts';
import { PackError } from '../errors.ts';
import { ClosureInspector, displayPath, type ScopeBinding } from './closure-inspector.ts';
import { emitModule, type EmittedFunction, type PieceOrigin } from './emit.ts';
import { readFunctionSource, type Describe, type FunctionSource, type Node, type TextPosition } from './function-source.ts';
import { sandboxGlobals } from './sandbox-globals.ts';
import { checkClassShape, checkFunctionShape, type ExpectedBase } from './shape.ts';
import { inlineValue, type InlinedValue } from './values.ts';

/** The host-side values of the runtime module's exports: what `Component` etc. must be when a live class uses them. */
const HOST_RUNTIME: Readonly<Record<string, unknown>> = { Component, log, artifact, sleep };

export const MAX_CAPTURED_PIECES = 1000; // functions and values in one capture

export interface CaptureOptions {
  /**
   * The values the class's free variables stand for, by the name the code uses: helper
   * functions and classes (captured by source, with their own free variables), and JSON data
   * (inlined). Nothing is captured that is not named here, the runtime's exports, or a global
   * the policy allows.
   */
  readonly deps?: Readonly<Record<string, unknown>>;
  readonly policy: Policy;
}

export interface CapturedClass {
  /** One ES module whose default export is the class. */
  readonly source: string;
  readonly sourceMap: string;
  /** For `record.capture`: every piece, where it came from, and what the code reaches. */
  readonly summary: JsonObject;
  /** The class's name (empty for an anonymous class). */
  readonly name: string;
}

interface FunctionPiece {
  readonly kind: 'function';
  readonly name: string;
  readonly fn: Function;
  readonly source: FunctionSource;
  readonly describe: Describe;
  origin: PieceOrigin;
}

interface ValuePiece {
  readonly kind: 'value';
  readonly name: string;
  readonly value: unknown;
  readonly inlined: InlinedValue;
}

type Piece = FunctionPiece | ValuePiece;

type Resolution = { readonly kind: 'piece'; readonly piece: Piece } | { readonly kind: 'runtime' } | { readonly kind: 'global' };

/**
 * Serializes a live class by value, the way cloudpickle serializes a Python class: its source
 * from Function.prototype.toString, its free variables from scope analysis, each one resolved
 * to the runtime's exports, an allowed global, or an entry of `deps` (captured recursively).
 * What toString cannot carry is refused here, with where and how to fix it, instead of
 * surfacing as a ReferenceError or a missing method in production.
 */
export async function captureClass(cls: unknown, options: CaptureOptions): Promise<CapturedClass> {
  if (typeof cls !== 'function') {
    throw new PackError('PACK_NOT_A_CLASS', `pack() takes a class, got ${cls === null ? 'null' : typeof cls}; to pack a module file use packFile()`);
  }
  const deps = checkDeps(options.deps);
  const isolateGlobals = await sandboxGlobals();
  const inspector = ClosureInspector.open();
  try {
    return new Capture(cls, deps, options.policy, isolateGlobals, inspector).run();
  } finally {
    inspector.close();
  }
}

function checkDeps(alleged: unknown): ReadonlyMap<string, unknown> {
  if (alleged === undefined) return new Map();
  if (alleged === null || typeof alleged !== 'object' || Array.isArray(alleged)) {
    throw new PackError('PACK_OPTIONS_INVALID', 'deps must be an object mapping the names the code uses to their values, e.g. deps: { double, LIMIT }');
  }
  const out = new Map<string, unknown>();
  for (const key of Reflect.ownKeys(alleged)) {
    const desc = Object.getOwnPropertyDescriptor(alleged, key);
    if (typeof key === 'symbol' || !desc?.enumerable) continue;
    // injection: a key becomes a binding name in generated source, so it must be an identifier
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) || RESERVED.has(key)) {
      throw new PackError('PACK_OPTIONS_INVALID', `deps.${key} is not a name code can refer to: a deps key must be the identifier the code uses`, { details: { path: `deps.${key}` } });
    }
    if (!('value' in desc)) throw new PackError('PACK_OPTIONS_INVALID', `deps.${key} is a getter; give the value itself`, { details: { path: `deps.${key}` } });
    out.set(key, desc.value);
  }
  return out;
}

class Capture {
  readonly #root: Function;
  readonly #rootName: string;
  readonly #deps: ReadonlyMap<string, unknown>;
  readonly #policy: Policy;
  readonly #isolateGlobals: ReadonlySet<string> | undefined;
  readonly #inspector: ClosureInspector;
  readonly #pieces = new Map<string, Piece>();
  /** Functions in the order they must be defined (postorder: what a piece needs comes first). */
  readonly #order: FunctionPiece[] = [];
  readonly #runtime = new Set<string>();
  readonly #globals = new Set<string>();
  readonly #uses = new Map<string, Set<string>>();

  constructor(root: Function, deps: ReadonlyMap<string, unknown>, policy: Policy, isolateGlobals: ReadonlySet<string> | undefined, inspector: ClosureInspector) {
    this.#root = root;
    this.#deps = deps;
    this.#policy = policy;
    this.#isolateGlobals = isolateGlobals;
    this.#inspector = inspector;
    const declared = typeof root.name === 'string' ? root.name : '';
    this.#rootName = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(declared) && !RESERVED.has(declared) ? declared : '';
  }

  run(): CapturedClass {
    const describeRoot = (): string => `class ${this.#rootName || '(anonymous)'}`;
    let kind: string;
    try {
      kind = readFunctionSource(this.#root, describeRoot).kind;
    } catch (error) {
      // a native or bound function, or a proxy, is not a class written in JavaScript
      if (error instanceof PackError && error.code === 'PACK_DEP_UNSUPPORTED') throw new PackError('PACK_NOT_A_CLASS', `pack() takes a class written in JavaScript: ${error.message}`, { cause: error });
      throw error;
    }
    if (kind !== 'class') {
      throw new PackError('PACK_NOT_A_CLASS', `pack() takes a class, got ${kind === 'arrow' ? 'an arrow function' : `a ${kind}`} (${this.#rootName || 'anonymous'}); write it as \`class … extends Component\``);
    }
    const root = this.#capture(this.#rootName, this.#root, describeRoot) as FunctionPiece;
    const origins = this.#inspector.origins(this.#order.filter((p) => p.origin === undefined).map((p) => ({ fn: p.fn, text: p.source.text })));
    for (const piece of this.#order) {
      const origin = origins.get(piece.fn);
      if (origin !== undefined && origin.url !== '') piece.origin = { file: displayPath(origin.url), line: origin.line, column: origin.column };
    }
    const values = [...this.#pieces.values()].filter((p): p is ValuePiece => p.kind === 'value');
    const emitted = emitModule({
      runtime: [...this.#runtime],
      values: values.map((v) => ({ name: v.name, expression: v.inlined.expression })),
      functions: this.#order.map(toEmitted),
      root: toEmitted(root),
    });
    return { source: emitted.source, sourceMap: emitted.sourceMap, summary: this.#summary(values), name: this.#rootName };
  }

  /** Captures `value` under `name`: a function by source (then its free variables), anything else inlined. */
  #capture(name: string, value: unknown, describe: Describe): Piece {
    const existing = this.#pieces.get(name);
    if (existing !== undefined) {
      // a cycle, or a helper shared by several pieces: one name, one value
      if (!Object.is(existing.kind === 'function' ? existing.fn : existing.value, value)) {
        throw new PackError('PACK_DEP_MISMATCH', `deps.${name} is a different value from the class being packed, which has the same name; rename one of them`, { details: { name } });
      }
      return existing;
    }
    if (this.#pieces.size >= MAX_CAPTURED_PIECES) {
      throw new PackError('PACK_OPTIONS_INVALID', `the class needs more than ${MAX_CAPTURED_PIECES} captured helpers and values; bundle it as a module file with packFile() instead`);
    }
    if (typeof value !== 'function') {
      const piece: ValuePiece = { kind: 'value', name, value, inlined: inlineValue(value, `deps.${name}`) };
      this.#pieces.set(name, piece);
      return piece;
    }
    const source = readFunctionSource(value, describe);
    const piece: FunctionPiece = { kind: 'function', name, fn: value, source, describe, origin: undefined };
    this.#pieces.set(name, piece);
    const resolved = new Map<string, Resolution>();
    for (const [free, positions] of source.freeVariables) {
      const resolution = this.#resolve(piece, free, positions);
      // a captured binding travels as a copy (a const of the packed module, or the runtime's
      // import): code that assigns to it would pack, then throw at its first call in production
      const assigned = source.assignedFreeVariables.get(free);
      if (assigned !== undefined && resolution.kind !== 'global') throw this.#assignedCapture(piece, free, assigned);
      resolved.set(free, resolution);
    }
    if (source.kind === 'class') checkClassShape(value, source, this.#expectedBase(piece, resolved), describe);
    else checkFunctionShape(value, source, describe);
    this.#order.push(piece);
    return piece;
  }

  /** Which value a free variable of `piece` stands for — or why it cannot travel. */
  #resolve(piece: FunctionPiece, name: string, positions: readonly TextPosition[]): Resolution {
    const binding = this.#inspector.lookup(piece.fn, name);
    const isBase = isHeritageName(piece.source, name);
    this.#use(piece.name, name);
    if (name === 'arguments' && piece.source.kind === 'arrow') {
      throw new PackError('PACK_SOURCE_LOST', `${piece.describe()} uses \`arguments\` at ${this.#where(piece, positions)}: an arrow function takes it from the function it was defined in, which does not travel. Use rest parameters`, {
        details: { reason: 'detached-arguments' },
      });
    }
    // only on the way to an error: finds the piece's file (for messages that name it) once
    const locate = (): void => void this.#where(piece, positions);
    if (this.#deps.has(name)) {
      const dep = this.#deps.get(name);
      // a flat deps map gives one value per name: the code must see that very value
      if (binding !== undefined && binding.initialized && !Object.is(binding.value, dep)) {
        locate();
        throw new PackError(
          'PACK_DEP_MISMATCH',
          `deps.${name} is not the value ${piece.describe()} uses as \`${name}\` at ${this.#where(piece, positions)}: the code sees ${preview(binding.value)} (${scopeText(binding, piece)}), deps gives ${preview(dep)}, a different value. Pass the value the code sees; if two captured functions mean different things by \`${name}\`, rename one of them`,
          { details: { name, location: this.#where(piece, positions) } },
        );
      }
      // the host twin of the runtime is never shipped: inside the isolate the runtime's own is used
      if (Object.hasOwn(HOST_RUNTIME, name) && dep === HOST_RUNTIME[name]) {
        this.#runtime.add(name);
        return { kind: 'runtime' };
      }
      const runtimeName = Object.keys(HOST_RUNTIME).find((key) => HOST_RUNTIME[key] === dep);
      if (runtimeName !== undefined) {
        throw new PackError('PACK_DEP_UNSUPPORTED', `deps.${name} is isoclass's ${runtimeName}, which the isolate provides itself: use it under its own name (${runtimeName}) in the code`, {
          details: { name },
        });
      }
      return { kind: 'piece', piece: this.#capture(name, dep, () => `deps.${name} (${describeValue(dep)})`) };
    }
    if (name === this.#rootName && name !== '') {
      if (binding !== undefined && binding.initialized && binding.value !== this.#root) {
        locate();
        throw this.#freeVariable(piece, name, positions, `it is ${scopeText(binding, piece)} holding ${preview(binding.value)}, not the class being packed`, `pass it in deps: { ${name} }`);
      }
      return { kind: 'piece', piece: this.#capture(name, this.#root, () => `class ${name}`) };
    }
    if (Object.hasOwn(RUNTIME_EXPORTS, name)) {
      if (binding !== undefined && binding.initialized && binding.value !== HOST_RUNTIME[name]) {
        locate();
        throw this.#freeVariable(
          piece,
          name,
          positions,
          `it is ${scopeText(binding, piece)} holding ${preview(binding.value)}, not isoclass's ${name}`,
          `import ${name} from isoclass, or pass your own in deps: { ${name} }`,
        );
      }
      this.#runtime.add(name);
      return { kind: 'runtime' };
    }
    if (binding !== undefined) {
      locate();
      const value = binding.initialized ? `; its current value is ${preview(binding.value)}` : '; it is not initialized yet (temporal dead zone)';
      if (binding.scope === 'closure') {
        throw this.#freeVariable(
          piece,
          name,
          positions,
          `it is a local of the function ${binding.owner ? `\`${binding.owner}\`` : '(anonymous)'} that defines ${piece.describe()}, which closes over it; toString carries no values${value}`,
          `pass it in deps: { ${name} }, or make it a param (params travel in the record)`,
          isBase,
        );
      }
      throw this.#freeVariable(
        piece,
        name,
        positions,
        `it is ${scopeText(binding, piece)}${value}`,
        `import it where you call pack() and pass it in deps: { ${name} }`,
        isBase,
      );
    }
    const allowed = this.#policy.globals === 'any' || this.#policy.globals.has(name);
    const inIsolate = this.#isolateGlobals === undefined || this.#isolateGlobals.has(name);
    if (allowed && inIsolate) {
      this.#globals.add(name);
      return { kind: 'global' };
    }
    if (!inIsolate && name in globalThis) {
      throw this.#freeVariable(
        piece,
        name,
        positions,
        'it is a global of this host (Node) that does not exist inside the isolate, where only ECMAScript built-ins and the isoclass runtime do',
        `use a capability from isoclass (log, artifact, sleep), or pass a JavaScript implementation in deps: { ${name} }`,
        isBase,
      );
    }
    if (!allowed && this.#isolateGlobals?.has(name) === true) {
      throw this.#freeVariable(piece, name, positions, `it is a global that policy "${this.#policy.name}" does not allow`, 'use an allowed global, or pack under a policy that allows it', isBase);
    }
    throw this.#freeVariable(
      piece,
      name,
      positions,
      `it is not a global, not an isoclass runtime export (${Object.keys(RUNTIME_EXPORTS).join(', ')}), and not in deps${this.#inspector.available ? '' : ' (this Node has no inspector, so the packer cannot see closures)'}`,
      `if it is a module-level binding or a local of an enclosing function, pass it in deps: { ${name} }`,
      isBase,
    );
  }

  #expectedBase(piece: FunctionPiece, resolved: ReadonlyMap<string, Resolution>): ExpectedBase {
    const superClass = piece.source.node['superClass'] as Node | null;
    if (superClass === null) return { kind: 'none' };
    if (superClass.type !== 'Identifier') return { kind: 'unknown' };
    const name = String(superClass['name']);
    const resolution = resolved.get(name);
    if (resolution === undefined) return { kind: 'unknown' };
    if (resolution.kind === 'runtime') return { kind: 'value', value: HOST_RUNTIME[name], label: name };
    if (resolution.kind === 'global') return { kind: 'value', value: (globalThis as Record<string, unknown>)[name], label: name };
    return { kind: 'value', value: resolution.piece.kind === 'function' ? resolution.piece.fn : resolution.piece.value, label: name };
  }

  #freeVariable(piece: FunctionPiece, name: string, positions: readonly TextPosition[], why: string, fix: string, isBase = false): PackError {
    // a variable the piece assigns: "pass it in deps" would only lead to that refusal, said at once
    const assigned = isBase ? undefined : piece.source.assignedFreeVariables.get(name);
    if (assigned !== undefined) return this.#assignedCapture(piece, name, assigned);
    const where = this.#where(piece, positions);
    if (isBase) {
      return new PackError('PACK_BASE_NOT_CAPTURED', `${piece.describe()} extends \`${name}\` (${where}), which is not captured: ${why}. Fix: ${fix.replace(/^pass it/, 'pass the base class')}`, {
        details: { name, location: where },
      });
    }
    const more = positions.length > 1 ? ` (and ${positions.length - 1} more use${positions.length > 2 ? 's' : ''})` : '';
    return new PackError('PACK_FREE_VARIABLE', `\`${name}\`, used by ${piece.describe()} at ${where}${more}, cannot travel: ${why}. Fix: ${fix}`, {
      details: { name, location: where },
    });
  }

  #assignedCapture(piece: FunctionPiece, name: string, positions: readonly TextPosition[]): PackError {
    const where = this.#where(piece, positions);
    return new PackError(
      'PACK_FREE_VARIABLE',
      `\`${name}\` is assigned by ${piece.describe()} at ${where}, but a captured variable travels as a constant copy: inside the isolate the assignment would throw (and could never be seen by the host or another instance). Fix: keep the state in the instance (\`this.${name}\`) or in a static field of the class, and capture only values that do not change`,
      { details: { name, location: where, reason: 'assigned' } },
    );
  }

  /** `file.ts:12:7` when the inspector knows the file; else the position inside the function's own text. */
  #where(piece: FunctionPiece, positions: readonly TextPosition[]): string {
    const at = positions[0] ?? { line: 0, column: 0 };
    if (piece.origin === undefined) {
      // only on the way to an error: the batch in run() finds the others at once
      const found = this.#inspector.origins([{ fn: piece.fn, text: piece.source.text }]).get(piece.fn);
      if (found !== undefined && found.url !== '') piece.origin = { file: displayPath(found.url), line: found.line, column: found.column };
    }
    const origin = piece.origin;
    if (origin === undefined) return `line ${at.line + 1}, column ${at.column + 1} of its source`;
    const column = (at.line === 0 ? origin.column + at.column : at.column) + 1;
    return `${origin.file}:${origin.line + at.line + 1}:${column}`;
  }

  #use(user: string, name: string): void {
    const set = this.#uses.get(user) ?? new Set<string>();
    set.add(name);
    this.#uses.set(user, set);
  }

  #summary(values: readonly ValuePiece[]): JsonObject {
    const pieces: JsonObject[] = [];
    for (const piece of this.#order) {
      pieces.push({
        name: piece.name || '(default export)',
        kind: piece.source.kind,
        bytes: Buffer.byteLength(piece.source.text, 'utf8'),
        ...(piece.origin ? { from: `${piece.origin.file}:${piece.origin.line + 1}` } : {}),
        uses: [...(this.#uses.get(piece.name) ?? [])].sort(),
      });
    }
    for (const value of values) {
      pieces.push({ name: value.name, kind: 'value', type: value.inlined.type, ...(value.inlined.note ? { note: value.inlined.note } : {}) });
    }
    const unused = [...this.#deps.keys()].filter((k) => !this.#pieces.has(k));
    return {
      kind: 'class',
      class: this.#rootName || '(anonymous)',
      pieces,
      runtime: [...this.#runtime].sort(),
      globals: [...this.#globals].sort(),
      ...(unused.length > 0 ? { unusedDeps: unused.sort() } : {}),
      closuresInspected: this.#inspector.available,
    };
  }
}

function toEmitted(piece: FunctionPiece): EmittedFunction {
  return { name: piece.name, source: piece.source, origin: piece.origin };
}

function isHeritageName(source: FunctionSource, name: string): boolean {
  const superClass = source.node['superClass'] as Node | null | undefined;
  return source.kind === 'class' && superClass?.type === 'Identifier' && superClass['name'] === name;
}

function scopeText(binding: ScopeBinding, piece: FunctionPiece): string {
  switch (binding.scope) {
    case 'closure':
      return `a local of the enclosing function ${binding.owner ? `\`${binding.owner}\`` : '(anonymous)'}`;
    case 'module':
      return `a module-level binding of ${piece.origin?.file ?? 'the module that defines it'}`;
    case 'block':
      return 'a binding of an enclosing block';
    case 'script':
      return 'a top-level binding of a script';
    default:
      return 'a binding of an enclosing scope';
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'function') {
    const text = Function.prototype.toString.call(value);
    const kind = text.startsWith('class') ? 'class' : 'function';
    return `${kind} ${(value as Function).name || '(anonymous)'}`;
  }
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

function preview(value: unknown): string {
  if (typeof value === 'function') return describeValue(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  const name = typeof proto?.constructor?.name === 'string' ? proto.constructor.name : '';
  return Array.isArray(value) ? `an array of ${value.length}` : name && name !== 'Object' ? `an instance of ${name}` : 'an object';
}

const RESERVED: ReadonlySet<string> = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof ' +
    'new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval'
  ).split(' '),
);
