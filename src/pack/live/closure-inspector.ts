import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';

/**
 * What `Function.prototype.toString` cannot tell: which bindings a live function closes over,
 * and where its source is. V8 knows both, and shows them to debuggers: each function's
 * `[[Scopes]]` (the closure, module and block scopes it can see, with their current values)
 * and its `[[FunctionLocation]]`. This reads them through an in-process `node:inspector`
 * session — the same view cloudpickle gets from `__closure__` and `__globals__` in Python.
 *
 * Everything here is best effort: when the inspector is unavailable (Node built without it, or
 * a protocol change), every query answers "unknown" and capture falls back to names only, with
 * less precise messages. Nothing here decides what is allowed.
 */

/** A binding found in one of a function's non-global scopes. */
export interface ScopeBinding {
  /** `closure` (an enclosing function's local), `module`, `block`, `script` (REPL/script top level), `other`. */
  readonly scope: 'closure' | 'module' | 'block' | 'script' | 'other';
  /** The enclosing function's name for a closure scope (`make` in "Closure (make)"), else ''. */
  readonly owner: string;
  /** False in the temporal dead zone (declared with let/const/class but not yet initialized). */
  readonly initialized: boolean;
  readonly value: unknown;
}

/** Where a function's source text starts, in the script V8 compiled it from. */
export interface FunctionOrigin {
  /** The script's URL (`file:///…`, `node:…`, or '' for eval'd code). */
  readonly url: string;
  /** 0-based line and column of the first character of the function's toString text. */
  readonly line: number;
  readonly column: number;
}

interface RemoteBinding {
  readonly scope: ScopeBinding['scope'];
  readonly owner: string;
  readonly remote: RemoteObject | undefined;
}

interface RemoteObject {
  readonly type: string;
  readonly subtype?: string;
  readonly value?: unknown;
  readonly unserializableValue?: string;
  readonly description?: string;
  readonly objectId?: string;
}

interface PropertyDescriptor {
  readonly name: string;
  readonly value?: RemoteObject;
}

interface InternalProperty {
  readonly name: string;
  readonly value?: RemoteObject & { value?: { scriptId: string; lineNumber: number; columnNumber: number } };
}

const OBJECT_GROUP = 'isoclass-capture';
const MAX_SCRIPT_BYTES = 32 * 1024 * 1024; // bytes of one script's source we are willing to search

export class ClosureInspector {
  readonly #session: Session | undefined;
  /** A global slot, random per inspector, through which values cross to and from the protocol. */
  readonly #slot = `__isoclass_capture_${randomBytes(8).toString('hex')}`;
  /** Per function: each visible binding with its protocol value, turned into a host value only when asked for. */
  readonly #scopes = new WeakMap<Function, Map<string, RemoteBinding> | undefined>();
  readonly #locations = new WeakMap<Function, { scriptId: string; line: number; column: number } | undefined>();

  private constructor(session: Session | undefined) {
    this.#session = session;
  }

  /** Opens an in-process session; without an inspector, one that knows nothing. */
  static open(): ClosureInspector {
    try {
      const session = new Session();
      session.connect();
      return new ClosureInspector(session);
    } catch {
      return new ClosureInspector(undefined);
    }
  }

  get available(): boolean {
    return this.#session !== undefined;
  }

  close(): void {
    if (this.#session === undefined) return;
    try {
      this.#post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
    } catch {
      // the session may already be gone
    }
    this.#session.disconnect();
  }

  /**
   * The binding named `name` that `fn`'s code sees, from the innermost non-global scope that
   * has it; `undefined` when no such scope has it (a global, or a binding V8 did not keep
   * because no function refers to it) or when the inspector cannot say.
   */
  lookup(fn: Function, name: string): ScopeBinding | undefined {
    let bindings = this.#scopes.get(fn);
    if (!this.#scopes.has(fn)) {
      bindings = this.#readScopes(fn);
      this.#scopes.set(fn, bindings);
    }
    const found = bindings?.get(name);
    if (found === undefined) return undefined;
    const { remote, ...binding } = found;
    try {
      return { ...binding, initialized: remote !== undefined, value: remote === undefined ? undefined : this.#valueOf(remote) };
    } catch {
      return undefined;
    }
  }

  /**
   * Where `fn`'s toString text starts. V8 gives the position of the parameter list (or of
   * `class`); the text starts at or before it, so it is searched for backwards from there in the
   * script's source.
   */
  origins(fns: readonly { fn: Function; text: string }[]): Map<Function, FunctionOrigin> {
    const out = new Map<Function, FunctionOrigin>();
    if (this.#session === undefined) return out;
    const wanted = new Map<string, { fn: Function; text: string; line: number; column: number }[]>();
    for (const { fn, text } of fns) {
      const location = this.#location(fn);
      if (location === undefined) continue;
      const list = wanted.get(location.scriptId) ?? [];
      list.push({ fn, text, line: location.line, column: location.column });
      wanted.set(location.scriptId, list);
    }
    if (wanted.size === 0) return out;
    const urls = new Map<string, string>();
    const onScript = (message: { params: { scriptId: string; url: string } }): void => {
      if (wanted.has(message.params.scriptId)) urls.set(message.params.scriptId, message.params.url);
    };
    this.#session.on('Debugger.scriptParsed', onScript);
    try {
      // Debugger is on only for these synchronous calls: no user code runs while it is, and
      // pauses are skipped, so a `debugger` statement elsewhere can never stall this thread.
      this.#post('Debugger.enable', {});
      this.#post('Debugger.setSkipAllPauses', { skip: true });
      for (const [scriptId, list] of wanted) {
        const source = String((this.#post('Debugger.getScriptSource', { scriptId }) as { scriptSource?: unknown }).scriptSource ?? '');
        if (source.length > MAX_SCRIPT_BYTES) continue;
        const lineStarts = lineStartOffsets(source);
        for (const item of list) {
          const at = (lineStarts[item.line] ?? -1) + item.column;
          if (at < 0) continue;
          const start = source.lastIndexOf(item.text, at);
          // the text must begin at or before V8's position and contain it
          if (start < 0 || start + item.text.length < at) continue;
          const position = positionOf(lineStarts, start);
          out.set(item.fn, { url: urls.get(scriptId) ?? '', line: position.line, column: position.column });
        }
      }
    } catch {
      // best effort: positions are for messages and source maps only
    } finally {
      try {
        this.#post('Debugger.disable', {});
      } catch {
        // ignore
      }
      this.#session.off('Debugger.scriptParsed', onScript);
    }
    return out;
  }

  #location(fn: Function): { scriptId: string; line: number; column: number } | undefined {
    if (this.#locations.has(fn)) return this.#locations.get(fn);
    let location: { scriptId: string; line: number; column: number } | undefined;
    try {
      const internal = this.#internalProperties(fn);
      const raw = internal.find((p) => p.name === '[[FunctionLocation]]')?.value?.value;
      if (raw !== undefined && typeof raw.scriptId === 'string') location = { scriptId: raw.scriptId, line: raw.lineNumber, column: raw.columnNumber };
    } catch {
      location = undefined;
    }
    this.#locations.set(fn, location);
    return location;
  }

  #readScopes(fn: Function): Map<string, RemoteBinding> | undefined {
    if (this.#session === undefined) return undefined;
    try {
      const internal = this.#internalProperties(fn);
      const list = internal.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
      if (list === undefined) return undefined;
      const bindings = new Map<string, RemoteBinding>();
      for (const entry of this.#properties(list)) {
        const scope = entry.value;
        if (scope?.objectId === undefined) continue;
        const label = scope.description ?? '';
        // the global object is not a closure: its names are globals, judged by the policy
        if (label === 'Global') continue;
        const kind = scopeKind(label);
        const owner = /^Closure \((.*)\)$/.exec(label)?.[1] ?? '';
        for (const variable of this.#properties(scope.objectId)) {
          // inner scopes first: the first binding found is the one the code sees
          if (bindings.has(variable.name)) continue;
          // no value in the descriptor: declared but not initialized (temporal dead zone)
          bindings.set(variable.name, { scope: kind, owner, remote: variable.value });
        }
      }
      return bindings;
    } catch {
      return undefined;
    }
  }

  #internalProperties(fn: Function): InternalProperty[] {
    const objectId = this.#remoteIdOf(fn);
    const answer = this.#post('Runtime.getProperties', { objectId, ownProperties: true }) as { internalProperties?: InternalProperty[] };
    return answer.internalProperties ?? [];
  }

  #properties(objectId: string): PropertyDescriptor[] {
    const answer = this.#post('Runtime.getProperties', { objectId, ownProperties: true }) as { result?: PropertyDescriptor[] };
    return answer.result ?? [];
  }

  /** A host value → its protocol object id, through the private global slot. */
  #remoteIdOf(value: unknown): string {
    const global = globalThis as Record<string, unknown>;
    Object.defineProperty(global, this.#slot, { value, configurable: true, writable: true, enumerable: false });
    try {
      const answer = this.#post('Runtime.evaluate', { expression: `globalThis[${JSON.stringify(this.#slot)}]`, objectGroup: OBJECT_GROUP, silent: true }) as {
        result?: RemoteObject;
      };
      const id = answer.result?.objectId;
      if (id === undefined) throw new Error('the inspector returned no object id');
      return id;
    } finally {
      delete global[this.#slot];
    }
  }

  /** A protocol value → the host value it denotes (objects and symbols by identity). */
  #valueOf(remote: RemoteObject): unknown {
    if (remote.type === 'undefined') return undefined;
    if (remote.unserializableValue !== undefined) return unserializable(remote.unserializableValue);
    if (remote.objectId === undefined) return remote.value;
    const global = globalThis as Record<string, unknown>;
    try {
      this.#post('Runtime.callFunctionOn', {
        objectId: remote.objectId,
        // strict, so a symbol arrives as itself, not boxed into a Symbol object
        functionDeclaration: `function () { 'use strict'; Object.defineProperty(globalThis, ${JSON.stringify(this.#slot)}, { value: this, configurable: true }); }`,
        silent: true,
      });
      return global[this.#slot];
    } finally {
      delete global[this.#slot];
    }
  }

  #post(method: string, params: object): unknown {
    const session = this.#session;
    if (session === undefined) throw new Error('no inspector session');
    let done = false;
    let failure: Error | null = null;
    let answer: unknown;
    // An in-process session answers synchronously; anything else is treated as unavailable.
    session.post(method, params, (error, result) => {
      done = true;
      failure = error;
      answer = result;
    });
    if (!done) throw new Error(`inspector ${method} did not answer synchronously`);
    if (failure !== null) throw failure;
    return answer;
  }
}

function scopeKind(label: string): ScopeBinding['scope'] {
  if (label.startsWith('Closure')) return 'closure';
  if (label === 'Module') return 'module';
  if (label === 'Block') return 'block';
  if (label === 'Script') return 'script';
  return 'other';
}

function unserializable(text: string): unknown {
  if (text === 'NaN') return Number.NaN;
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (text === '-0') return -0;
  if (/^-?\d+n$/.test(text)) return BigInt(text.slice(0, -1));
  return undefined;
}

function lineStartOffsets(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029 || (c === 13 && source.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

function positionOf(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, column: offset - (lineStarts[lo] ?? 0) };
}

/** A readable path for a script URL: relative to the working directory when inside it. */
export function displayPath(url: string, cwd: string = process.cwd()): string {
  if (!url.startsWith('file:')) return url;
  try {
    const path = fileURLToPath(url);
    return path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
  } catch {
    return url;
  }
}
