/**
 * The script that runs first in every component context, before any component code:
 *
 *  1. captures the intrinsics the glue needs, so nothing a component does later can change them;
 *  2. removes run-time code generation (eval, the Function constructor and its hidden async,
 *     generator and async-generator cousins) and the shared-memory and WebAssembly globals;
 *  3. freezes every intrinsic reachable from the global object and the hidden intrinsics, so a
 *     component cannot change what other code in the isolate (the glue, the runtime) relies on;
 *  4. returns the glue: `setup` (installs the runtime module's exports), `instantiate` (builds
 *     the component and returns a method caller) — held only by the host as References.
 *
 * Values leave the isolate only as strings produced by `encode` below, which reads own data
 * properties without invoking getters and refuses anything it cannot copy faithfully; the host
 * decodes them into fresh host objects (wire.ts).
 *
 * Outcome strings: 'v' + JSON value | 't' + JSON thrown | 'e' + JSON encode failure |
 * 'm' + method name (no such method) | 'x' + typeof (export is not a class).
 *
 * Written as plain JavaScript: it runs inside the isolate, not in Node.
 */
export const PRELUDE_FILENAME = 'isoclass:prelude';
export const RUNTIME_FILENAME = 'isoclass:runtime';
export const RUNTIME_HANDOFF = '__isoclass_runtime_handoff__';

export const PRELUDE_SOURCE = String.raw`(function () {
'use strict';
const G = globalThis;
const {
  freeze, getPrototypeOf, getOwnPropertyDescriptor, getOwnPropertyDescriptors, defineProperty, create,
  prototype: ObjectPrototype,
} = Object;
const { apply, ownKeys, construct } = Reflect;
const { isArray } = Array;
const { stringify } = JSON;
const TypeErrorCtor = TypeError;
const StringCtor = String;
const WeakSetCtor = WeakSet;
const weakSetHas = WeakSet.prototype.has;
const weakSetAdd = WeakSet.prototype.add;
const weakSetDelete = WeakSet.prototype.delete;
const mapForEach = Map.prototype.forEach;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapDelete = Map.prototype.delete;
const MapCtor = Map;
const PromiseCtor = Promise;
const ErrorCtor = Error;
const setForEach = Set.prototype.forEach;
const MapPrototype = Map.prototype;
const SetPrototype = Set.prototype;
const DatePrototype = Date.prototype;
const RegExpPrototype = RegExp.prototype;
const ArrayBufferPrototype = ArrayBuffer.prototype;
const PromisePrototype = Promise.prototype;
const dateGetTime = Date.prototype.getTime;
const promiseThen = Promise.prototype.then;
const bigintToString = BigInt.prototype.toString;
const stringSlice = String.prototype.slice;
const stringCharCodeAt = String.prototype.charCodeAt;
const fromCharCode = String.fromCharCode;
const regexpSource = getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
const regexpFlags = getOwnPropertyDescriptor(RegExp.prototype, 'flags').get;
const isView = ArrayBuffer.isView;
const arrayBufferByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag).get;
const typedArrayBuffer = getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get;
const typedArrayOffset = getOwnPropertyDescriptor(TypedArrayPrototype, 'byteOffset').get;
const typedArrayLength = getOwnPropertyDescriptor(TypedArrayPrototype, 'byteLength').get;
const dataViewBuffer = getOwnPropertyDescriptor(DataView.prototype, 'buffer').get;
const dataViewOffset = getOwnPropertyDescriptor(DataView.prototype, 'byteOffset').get;
const dataViewLength = getOwnPropertyDescriptor(DataView.prototype, 'byteLength').get;
const Uint8ArrayCtor = Uint8Array;
const NOT_CLONEABLE_PROTOTYPES = [
  Promise.prototype, WeakMap.prototype, WeakSet.prototype, WeakRef.prototype, FinalizationRegistry.prototype,
  Number.prototype, String.prototype, Boolean.prototype, Symbol.prototype, BigInt.prototype, Error.prototype,
];

// ---- 1. no code generation at run time --------------------------------------------------
// Without this the static policy means nothing: x[k] with k = "constructor" would reach
// Function and compile any string. Each constructor is replaced, on its prototype, by one that
// throws; instanceof keeps working because the replacement shares the prototype.
const hiddenConstructors = [
  ['Function', Function],
  ['AsyncFunction', getPrototypeOf(async function () {}).constructor],
  ['GeneratorFunction', getPrototypeOf(function* () {}).constructor],
  ['AsyncGeneratorFunction', getPrototypeOf(async function* () {}).constructor],
];
const hiddenRoots = [];
let tamedFunction;
for (const [name, Ctor] of hiddenConstructors) {
  const proto = Ctor.prototype;
  const tamed = function () {
    throw new TypeErrorCtor(name + ' constructor is disabled: isoclass components cannot generate code at run time');
  };
  defineProperty(tamed, 'name', { value: name });
  defineProperty(tamed, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  defineProperty(proto, 'constructor', { value: tamed, writable: false, enumerable: false, configurable: false });
  if (name === 'Function') tamedFunction = tamed;
  hiddenRoots.push(tamed, proto, Ctor);
}
defineProperty(G, 'Function', { value: tamedFunction, writable: false, enumerable: false, configurable: false });
// eval compiles strings; WebAssembly compiles bytes; SharedArrayBuffer and Atomics give shared
// memory and high-resolution timers (Spectre-class side channels).
for (const name of ['eval', 'WebAssembly', 'SharedArrayBuffer', 'Atomics']) delete G[name];

// ---- 2. let code assign own properties that shadow frozen intrinsic ones -------------------
// Freezing turns "obj.toString = f" and "this.name = 'MyError'" into TypeErrors (the override
// mistake). These accessors keep such assignments working on the instance, never the intrinsic.
function enableOverride(object, key) {
  const desc = getOwnPropertyDescriptor(object, key);
  if (desc === undefined || !('value' in desc) || !desc.configurable) return;
  const value = desc.value;
  defineProperty(object, key, {
    get() { return value; },
    set(newValue) {
      if (this === object) throw new TypeErrorCtor('Cannot assign to ' + StringCtor(key) + ' of a frozen intrinsic');
      defineProperty(this, key, { value: newValue, writable: true, enumerable: true, configurable: true });
    },
    enumerable: desc.enumerable,
    configurable: false,
  });
}
for (const key of ['toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']) {
  enableOverride(ObjectPrototype, key);
}
for (const E of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]) {
  for (const key of ['name', 'message', 'toString']) enableOverride(E.prototype, key);
}
enableOverride(Function.prototype, 'toString');
enableOverride(Array.prototype, 'toString');

// ---- 3. freeze the intrinsics --------------------------------------------------------------
// Prototype pollution: nothing a component does to Object.prototype, Array.prototype, ... is
// seen by the glue, the runtime or (in a shared isolate) any other component.
const ArrayIteratorPrototype = getPrototypeOf([][Symbol.iterator]());
const roots = [
  ...hiddenRoots,
  ArrayIteratorPrototype,
  getPrototypeOf(ArrayIteratorPrototype),
  getPrototypeOf(new Map()[Symbol.iterator]()),
  getPrototypeOf(new Set()[Symbol.iterator]()),
  getPrototypeOf(''[Symbol.iterator]()),
  getPrototypeOf(/a/[Symbol.matchAll]('')),
  getPrototypeOf((function* () {})()),
  getPrototypeOf(getPrototypeOf((async function* () {})())),
  getPrototypeOf(Uint8Array),
  getOwnPropertyDescriptor(Function.prototype, 'caller').get,
];
if (typeof Iterator === 'function' && typeof Iterator.from === 'function') {
  roots.push(getPrototypeOf([].values().map((x) => x)));
  roots.push(getPrototypeOf(Iterator.from({ next() { return { done: true }; } })));
}
if (typeof Intl === 'object' && typeof Intl.Segmenter === 'function') {
  const segments = new Intl.Segmenter().segment('');
  roots.push(getPrototypeOf(segments), getPrototypeOf(segments[Symbol.iterator]()));
}
const globalDescriptors = getOwnPropertyDescriptors(G);
for (const key of ownKeys(globalDescriptors)) {
  const desc = globalDescriptors[key];
  if ('value' in desc) {
    roots.push(desc.value);
    // the intrinsics' names stay bound to the intrinsics
    if (desc.configurable) defineProperty(G, key, { value: desc.value, writable: false, enumerable: desc.enumerable, configurable: false });
  } else {
    roots.push(desc.get, desc.set);
  }
}
const hardened = new WeakSetCtor();
function harden(start) {
  const stack = [start];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) continue;
    if (value === G || apply(weakSetHas, hardened, [value])) continue;
    apply(weakSetAdd, hardened, [value]);
    freeze(value);
    stack.push(getPrototypeOf(value));
    const descs = getOwnPropertyDescriptors(value);
    for (const key of ownKeys(descs)) {
      const desc = descs[key];
      if ('value' in desc) stack.push(desc.value);
      else stack.push(desc.get, desc.set);
    }
  }
}
for (const root of roots) harden(root);

// ---- 4. copying values out ---------------------------------------------------------------
const MAX_DEPTH = 200;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
class EncodeFailure {
  constructor(code, message) { this.code = code; this.message = message; }
}
function fail(code, message) { throw new EncodeFailure(code, message); }
function base64(bytes) {
  let out = '';
  const n = bytes.length;
  for (let i = 0; i < n; i += 3) {
    const a = bytes[i], b = i + 1 < n ? bytes[i + 1] : 0, c = i + 2 < n ? bytes[i + 2] : 0;
    out += BASE64[a >> 2] + BASE64[((a & 3) << 4) | (b >> 4)] +
      (i + 1 < n ? BASE64[((b & 15) << 2) | (c >> 6)] : '=') + (i + 2 < n ? BASE64[c & 63] : '=');
  }
  return out;
}
function tag(name, value) {
  const out = create(null);
  out.$ = name;
  if (value !== undefined) out.v = value;
  return out;
}
function encodeTree(value, path, depth, state) {
  switch (typeof value) {
    case 'string':
      state.size += value.length + 2;
      if (state.size > state.max) fail('RESULT_TOO_LARGE', 'value is larger than ' + state.max + ' characters when encoded');
      return value;
    case 'number':
      state.size += 8;
      if (value !== value) return tag('NaN');
      if (value === 1 / 0) return tag('Infinity');
      if (value === -1 / 0) return tag('-Infinity');
      if (value === 0 && 1 / value < 0) return tag('-0');
      return value;
    case 'boolean':
      state.size += 5;
      return value;
    case 'undefined':
      state.size += 8;
      return tag('undefined');
    case 'bigint':
      state.size += 16;
      return tag('bigint', apply(bigintToString, value, []));
    case 'symbol':
      return fail('RESULT_NOT_CLONEABLE', path + ' is a symbol');
    case 'function':
      return fail('RESULT_NOT_CLONEABLE', path + ' is a function');
  }
  if (value === null) { state.size += 4; return null; }
  if (depth > MAX_DEPTH) fail('RESULT_NOT_CLONEABLE', path + ' is nested deeper than ' + MAX_DEPTH + ' levels');
  if (apply(weakSetHas, state.open, [value])) fail('RESULT_NOT_CLONEABLE', path + ' is a circular reference');
  apply(weakSetAdd, state.open, [value]);
  state.size += 2;
  let out;
  if (isArray(value)) {
    const length = value.length;
    out = [];
    for (let i = 0; i < length; i++) {
      const desc = getOwnPropertyDescriptor(value, i);
      if (desc === undefined) { out[i] = tag('undefined'); continue; }
      if (!('value' in desc)) fail('RESULT_NOT_CLONEABLE', path + '[' + i + '] is a getter/setter; return plain data');
      out[i] = encodeTree(desc.value, path + '[' + i + ']', depth + 1, state);
    }
  } else {
    const proto = getPrototypeOf(value);
    if (proto === DatePrototype) {
      const time = apply(dateGetTime, value, []);
      out = tag('Date', time === time ? time : null);
    } else if (proto === RegExpPrototype) {
      out = tag('RegExp', [apply(regexpSource, value, []), apply(regexpFlags, value, [])]);
    } else if (proto === MapPrototype) {
      const entries = [];
      let i = 0;
      apply(mapForEach, value, [(v, k) => {
        entries[i] = [encodeTree(k, path + '.<key ' + i + '>', depth + 1, state), encodeTree(v, path + '.<value ' + i + '>', depth + 1, state)];
        i++;
      }]);
      out = tag('Map', entries);
    } else if (proto === SetPrototype) {
      const items = [];
      let i = 0;
      apply(setForEach, value, [(v) => { items[i] = encodeTree(v, path + '.<item ' + i + '>', depth + 1, state); i++; }]);
      out = tag('Set', items);
    } else if (proto === ArrayBufferPrototype) {
      const length = apply(arrayBufferByteLength, value, []);
      state.size += length * 4 / 3;
      if (state.size > state.max) fail('RESULT_TOO_LARGE', 'value is larger than ' + state.max + ' characters when encoded');
      out = tag('ArrayBuffer', base64(new Uint8ArrayCtor(value, 0, length)));
    } else if (isView(value)) {
      const kind = apply(typedArrayTag, value, []);
      const isDataView = kind === undefined;
      const buffer = isDataView ? apply(dataViewBuffer, value, []) : apply(typedArrayBuffer, value, []);
      const offset = isDataView ? apply(dataViewOffset, value, []) : apply(typedArrayOffset, value, []);
      const length = isDataView ? apply(dataViewLength, value, []) : apply(typedArrayLength, value, []);
      state.size += length * 4 / 3 + 16;
      if (state.size > state.max) fail('RESULT_TOO_LARGE', 'value is larger than ' + state.max + ' characters when encoded');
      out = tag(isDataView ? 'DataView' : kind, base64(new Uint8ArrayCtor(buffer, offset, length)));
    } else {
      for (let i = 0; i < NOT_CLONEABLE_PROTOTYPES.length; i++) {
        if (proto === NOT_CLONEABLE_PROTOTYPES[i]) fail('RESULT_NOT_CLONEABLE', path + ' is not plain data (a Promise, weak collection, boxed primitive or Error); return plain data');
      }
      // other objects copy as their own enumerable data properties, as structured clone does
      out = create(null);
      const keys = ownKeys(value);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (typeof key !== 'string') continue;
        const desc = getOwnPropertyDescriptor(value, key);
        if (desc === undefined || !desc.enumerable) continue;
        if (!('value' in desc)) fail('RESULT_NOT_CLONEABLE', path + '.' + key + ' is a getter/setter; return plain data');
        state.size += key.length + 4;
        out[key.length > 0 && key[0] === '$' ? '$' + key : key] = encodeTree(desc.value, path + '.' + key, depth + 1, state);
      }
    }
  }
  apply(weakSetDelete, state.open, [value]);
  return out;
}
function encode(value, max, root) {
  const state = { size: 0, max, open: new WeakSetCtor() };
  const text = stringify(encodeTree(value, root, 0, state));
  if (text.length > max) fail('RESULT_TOO_LARGE', root + ' is ' + text.length + ' characters when encoded, over the limit of ' + max);
  return text;
}
function clip(value, max) {
  return typeof value === 'string' ? (value.length > max ? apply(stringSlice, value, [0, max]) + '...' : value) : '';
}
function describeThrown(thrown) {
  let name = '(non-error value)', message = '', stack = '';
  try {
    if ((typeof thrown === 'object' && thrown !== null) || typeof thrown === 'function') {
      name = clip(thrown.name, 200) || 'Error';
      message = clip(thrown.message, 4000);
      stack = clip(thrown.stack, 16000);
    } else if (typeof thrown === 'symbol') {
      message = 'a symbol';
    } else {
      message = clip(StringCtor(thrown), 4000);
    }
  } catch (e) {
    message = message || '(the thrown value could not be described)';
  }
  return stringify({ name, message, stack });
}
function encodeOutcome(value, max) {
  try {
    return 'v' + encode(value, max, 'result');
  } catch (e) {
    if (e instanceof EncodeFailure) return 'e' + stringify({ code: e.code, message: e.message });
    return 't' + describeThrown(e);
  }
}
function isPromise(value) {
  if (value === null || typeof value !== 'object') return false;
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) if (p === PromisePrototype) return true;
  return false;
}
function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    freeze(value);
    const keys = ownKeys(value);
    for (let i = 0; i < keys.length; i++) deepFreeze(value[keys[i]]);
  }
  return value;
}

// ---- 5. the runtime module's exports and the glue the host holds --------------------------
let meta = freeze({ identifier: '', version: 0, tenant: '' });
class Component {
  constructor(params) {
    defineProperty(this, 'params', { value: deepFreeze(params === undefined ? {} : params), enumerable: true });
  }
  get identifier() { return meta.identifier; }
  get version() { return meta.version; }
  get tenant() { return meta.tenant; }
}
freeze(Component.prototype);
freeze(Component);

// Host capabilities arrive as ivm Callbacks. They are never exposed directly: each is wrapped
// in a frozen function of this realm that checks its arguments, and a host callback never
// throws into the isolate (a host Error would carry host file paths): it returns [ok, value].
const sleepers = new MapCtor();
let nextSleeper = 1;
function setup(allegedMeta, hostLog, hostArtifact, hostSleep, maxLogChars) {
  meta = freeze({ identifier: StringCtor(allegedMeta.identifier), version: +allegedMeta.version, tenant: StringCtor(allegedMeta.tenant) });
  const exports = create(null);
  exports.Component = Component;
  if (hostLog !== undefined) {
    exports.log = freeze(function log(...values) {
      let line = '';
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        let text;
        try { text = typeof v === 'string' ? v : encode(v, maxLogChars, 'log[' + i + ']'); } catch (e) { text = '[unprintable]'; }
        line += (i > 0 ? ' ' : '') + text;
        if (line.length > maxLogChars) break;
      }
      hostLog(clip(line, maxLogChars));
    });
  }
  if (hostArtifact !== undefined) {
    exports.artifact = freeze(function artifact(name) {
      if (typeof name !== 'string') throw new TypeErrorCtor('artifact(name) takes the artifact name as a string');
      const outcome = hostArtifact(name);
      if (outcome[0] !== true) throw new ErrorCtor(StringCtor(outcome[1]));
      return outcome[1];
    });
  }
  if (hostSleep !== undefined) {
    exports.sleep = freeze(function sleep(ms) {
      if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeErrorCtor('sleep(ms) takes a non-negative number of milliseconds');
      const id = nextSleeper++;
      return new PromiseCtor((resolve) => {
        apply(mapSet, sleepers, [id, resolve]);
        hostSleep(id, ms);
      });
    });
  }
  // read once by the runtime module, which deletes it before any component code runs
  defineProperty(G, '${RUNTIME_HANDOFF}', { value: freeze(exports), configurable: true });
}

/** Called by the host when a sleep's timer fires. */
function wake(id) {
  const resolve = apply(mapGet, sleepers, [id]);
  if (resolve === undefined) return;
  apply(mapDelete, sleepers, [id]);
  resolve();
}

// Only methods the component's own classes define are callable: not Object.prototype's
// (toString, __defineGetter__, ...), not the constructor, and no getter is invoked to find one.
function findMethod(instance, name) {
  if (typeof name !== 'string' || name === 'constructor') return undefined;
  for (let p = instance; p !== null && p !== ObjectPrototype && p !== Component.prototype; p = getPrototypeOf(p)) {
    const desc = getOwnPropertyDescriptor(p, name);
    if (desc !== undefined) return 'value' in desc && typeof desc.value === 'function' ? desc.value : undefined;
  }
  return undefined;
}

function instantiate(exported, params, maxResultChars) {
  if (typeof exported !== 'function') return 'x' + typeof exported;
  let instance;
  try {
    instance = construct(exported, [deepFreeze(params)]);
  } catch (e) {
    return 't' + describeThrown(e);
  }
  const onValue = (value) => encodeOutcome(value, maxResultChars);
  const onThrow = (thrown) => 't' + describeThrown(thrown);
  return function call(method, args) {
    let result;
    try {
      const fn = findMethod(instance, method);
      if (fn === undefined) return 'm' + method;
      result = apply(fn, instance, args);
    } catch (e) {
      return onThrow(e);
    }
    return isPromise(result) ? apply(promiseThen, result, [onValue, onThrow]) : onValue(result);
  };
}

return freeze({ setup, instantiate, wake });
})()`;
