import { RUNTIME_HANDOFF } from './names.ts';

/**
 * The globals a component's context keeps (and the runtime module's one-shot handoff): V8 13.6's
 * ECMAScript globals but eval, WebAssembly, SharedArrayBuffer, Atomics and FinalizationRegistry
 * (harden.ts says why), with `Function` replaced by a throwing one. A test compares it with a
 * plain context's globals, so a V8 that adds one fails it rather than losing it in silence.
 */
export const STANDARD_GLOBAL_NAMES: readonly string[] = Object.freeze([
  'AggregateError', 'Array', 'ArrayBuffer', 'AsyncDisposableStack', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'Boolean',
  'DataView', 'Date', 'DisposableStack', 'Error', 'EvalError', 'Float16Array', 'Float32Array', 'Float64Array', 'Function',
  'Infinity', 'Int16Array', 'Int32Array', 'Int8Array', 'Intl', 'Iterator', 'JSON', 'Map', 'Math', 'NaN', 'Number', 'Object',
  'Promise', 'Proxy', 'RangeError', 'ReferenceError', 'Reflect', 'RegExp', 'Set', 'String', 'SuppressedError', 'Symbol',
  'SyntaxError', 'TypeError', 'URIError', 'Uint16Array', 'Uint32Array', 'Uint8Array', 'Uint8ClampedArray', 'WeakMap',
  'WeakRef', 'WeakSet', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'globalThis',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'undefined', 'unescape',
]);
/** Globals of a plain context that a component's context does not keep. */
export const REMOVED_GLOBAL_NAMES: readonly string[] = Object.freeze(['eval', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'console']);

/**
 * Prelude fragment 5 (JavaScript, runs inside the isolate): the hardened realm.
 *
 *  - no run-time code generation: eval is deleted; the Function constructor and its hidden async,
 *    generator and async-generator cousins are replaced by throwing ones on their prototypes;
 *  - the global object cut down to STANDARD_GLOBAL_NAMES (see REMOVED_GLOBAL_NAMES, and why below);
 *  - every intrinsic reachable from the global object or a hidden intrinsic frozen, so nothing a
 *    component does to Object.prototype, Array.prototype, ... is seen by the glue or the runtime.
 */
export const HARDEN_SOURCE = String.raw`
// All of it in a function of its own, run once: the walk below loops long enough for V8 to
// compile the function it runs in, and that code would stay in every isolate for as long as the
// prelude's script lives (~60 KB for the whole prelude's function). Named isoclassSetup..., which
// the process's V8 flags keep from Sparkplug (v8-flags.ts); it is not optimised further (measured).
(function isoclassSetupHarden() {
// ---- no code generation at run time --------------------------------------------------------
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
// Every global not in STANDARD_GLOBAL_NAMES goes, by an allowlist: eval compiles strings;
// WebAssembly compiles bytes; SharedArrayBuffer and Atomics give shared memory and
// high-resolution timers (Spectre-class side channels); FinalizationRegistry runs its cleanup
// callbacks whenever V8 collects, outside any call: no CPU limit, no deadline (a loop there spins
// the isolate's thread until something disposes it); console is a host-ish object no component
// needs. And V8 flags are process-wide: a host started with --expose-gc, --expose-gc-as=<any
// name>, --expose-externalize-string or --expose-trigger-failure (which crashes the process) has
// V8 put its extension functions in every context, under names no denylist can foresee. What
// cannot be deleted is emptied; what can be neither stops the context from being used.
const STANDARD_GLOBALS = new SetCtor(${JSON.stringify([...STANDARD_GLOBAL_NAMES, RUNTIME_HANDOFF])});
// (the names kept are the walk's roots below: the global object's keys are read once)
const keptGlobals = [];
const presentGlobals = ownKeys(G);
for (let i = 0; i < presentGlobals.length; i++) {
  const name = presentGlobals[i];
  if (apply(setHas, STANDARD_GLOBALS, [name])) {
    keptGlobals.push(name);
    continue;
  }
  try {
    delete G[name];
  } catch (e) {
    try {
      G[name] = undefined;
    } catch (e2) {
      // (reported below)
    }
    if (G[name] !== undefined) throw new TypeErrorCtor('isoclass: the global ' + StringCtor(name) + ' can be neither deleted nor emptied: a V8 flag of this process puts it in every context');
  }
}

// ---- let code assign own properties that shadow frozen intrinsic ones -------------------
// Freezing turns "obj.toString = f" and "this.name = 'MyError'" into TypeErrors (the override
// mistake). These accessors keep such assignments working on the instance, never the intrinsic.
const enableOverride = (function isoclassSetupEnableOverride(object, key) {
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
});
for (const key of ['toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'constructor']) {
  enableOverride(ObjectPrototype, key);
}
for (const E of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]) {
  for (const key of ['name', 'message', 'toString', 'constructor']) enableOverride(E.prototype, key);
}
enableOverride(Function.prototype, 'toString');
enableOverride(ArrayPrototype, 'toString');

// ---- freeze the intrinsics --------------------------------------------------------------
// Prototype pollution: nothing a component does to Object.prototype, Array.prototype, ... is
// seen by the glue, the runtime or (in a shared isolate) any other component.
const ArrayIteratorPrototype = getPrototypeOf([][SymbolIterator]());
const roots = [
  ...hiddenRoots,
  ArrayIteratorPrototype,
  getPrototypeOf(ArrayIteratorPrototype),
  getPrototypeOf(new MapCtor()[SymbolIterator]()),
  getPrototypeOf(new SetCtor()[SymbolIterator]()),
  getPrototypeOf(''[SymbolIterator]()),
  getPrototypeOf(/a/[Symbol.matchAll]('')),
  getPrototypeOf((function* () {})()),
  getPrototypeOf(getPrototypeOf((async function* () {})())),
  getPrototypeOf(Uint8Array),
  getOwnPropertyDescriptor(Function.prototype, 'caller').get,
  // the global object stays extensible (a component's globals are its own), its prototype does not
  getPrototypeOf(G),
];
if (typeof Iterator === 'function' && typeof Iterator.from === 'function') {
  roots.push(getPrototypeOf([].values().map((x) => x)));
  roots.push(getPrototypeOf(Iterator.from({ next() { return { done: true }; } })));
}
// %SegmentsPrototype% and %SegmentIteratorPrototype% are reachable only from what
// Intl.Segmenter.prototype.segment returns (and the iterator that makes). Making a segmenter here
// to reach them would keep ICU break iterators in every isolate (~40 KB resident, measured), so
// segment is wrapped instead: its first call freezes both, and everything they hold, before
// anything it made is returned. The native segment is held here only, so no code reaches either
// prototype before that. Everything else reachable from them is frozen by then (by the walk
// below), so being frozen marks what is done.
const lookupGetter = ObjectPrototype.__lookupGetter__;
const lookupSetter = ObjectPrototype.__lookupSetter__;
if (typeof Intl === 'object' && typeof Intl.Segmenter === 'function') {
  const SegmenterPrototype = Intl.Segmenter.prototype;
  const nativeSegment = SegmenterPrototype.segment;
  const isFrozen = ObjectCtor.isFrozen;
  const freezeHidden = function (value) {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || isFrozen(value)) return;
    freeze(value);
    freezeHidden(getPrototypeOf(value));
    const keys = ownKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const get = apply(lookupGetter, value, [keys[i]]);
      const set = apply(lookupSetter, value, [keys[i]]);
      if (get === undefined && set === undefined) {
        freezeHidden(value[keys[i]]);
      } else {
        freezeHidden(get);
        freezeHidden(set);
      }
    }
  };
  let segmentsFrozen = false;
  install(SegmenterPrototype, 'segment', {
    segment(string) {
      const segments = apply(nativeSegment, this, [string]);
      if (!segmentsFrozen) {
        const SegmentsPrototype = getPrototypeOf(segments);
        freezeHidden(SegmentsPrototype);
        freezeHidden(getPrototypeOf(apply(SegmentsPrototype[SymbolIterator], segments, [])));
        segmentsFrozen = true;
      }
      return segments;
    },
  }.segment, nativeSegment.length);
}
// Every global value is a root. Their bindings stay writable: a component that reassigns a global
// changes only its own context (the glue and the runtime hold the intrinsics they captured), and
// Function, the one binding that matters, is fixed above. (Read without a descriptor object per
// global: an accessor's functions come from __lookupGetter__ and __lookupSetter__, a data
// property's value is read directly.)
const FunctionPrototype = getPrototypeOf(function () {});
for (let i = 0; i < keptGlobals.length; i++) {
  const key = keptGlobals[i];
  const get = lookupGetter.call(G, key);
  const set = lookupSetter.call(G, key);
  if (get === undefined && set === undefined) roots.push(G[key]);
  else roots.push(get, set);
}
// One walk over every object reachable from the roots through prototypes and own properties.
// A function with no own "prototype" (a builtin method, a getter, a wrapper) has only its name
// and length, primitives: it is frozen where it is found, without its keys being read or its going
// through the stack (most of what the walk meets is such methods). Function.prototype, callable
// but full of methods, is the exception. (The attack tests walk the whole graph and check every
// object is frozen.)
// What the walk allocates stays resident in every isolate, so it allocates little: no descriptor
// object per property (an accessor's functions come from __lookupGetter__ and __lookupSetter__,
// which stop at the own property; a data property is then read directly, invoking nothing), and
// the seen set is asked through its own methods, one lookup per object, with no argument arrays.
// No component code has run yet: every builtin called here is still the native one. (The checks
// are written out rather than put in a helper: a small hot function gets optimised, which costs
// an isolate more memory than the walk saves.)
const seen = new SetCtor();
const stack = roots;
while (stack.length > 0) {
  const value = stack.pop();
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || value === G) continue;
  const size = seen.size;
  seen.add(value);
  if (seen.size === size) continue;
  freeze(value);
  if (typeof value === 'function' && value !== FunctionPrototype && !hasOwn(value, 'prototype')) continue;
  stack.push(getPrototypeOf(value));
  const keys = ownKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === 'length' || key === 'name') {
      if (typeof value === 'function') continue;
    }
    const get = lookupGetter.call(value, key);
    const set = lookupSetter.call(value, key);
    if (get === undefined && set === undefined) {
      // a data property (or an accessor with neither function, which reads as undefined)
      const v = value[key];
      if (typeof v === 'function' && v !== FunctionPrototype && !hasOwn(v, 'prototype')) freeze(v);
      else if ((typeof v === 'object' && v !== null) || typeof v === 'function') stack.push(v);
    } else {
      if (typeof get === 'function' && !hasOwn(get, 'prototype')) freeze(get);
      else stack.push(get);
      if (typeof set === 'function' && !hasOwn(set, 'prototype')) freeze(set);
      else stack.push(set);
    }
  }
}
})();
`;
