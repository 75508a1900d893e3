/**
 * Prelude fragment 1 (JavaScript, runs inside the isolate): the intrinsics the rest of the
 * prelude uses, captured before any of them is wrapped, replaced or frozen, so nothing a
 * component does later can change what the glue, the bounds and the encoder call.
 */
export const CAPTURE_SOURCE = String.raw`
const G = globalThis;
const ObjectCtor = Object;
const {
  freeze, getPrototypeOf, getOwnPropertyDescriptor, defineProperty, create,
  prototype: ObjectPrototype,
} = Object;
const hasOwn = Object.hasOwn;
const objectKeys = Object.keys;
const { apply, ownKeys, construct } = Reflect;
const ArrayCtor = Array;
const ArrayPrototype = Array.prototype;
const { isArray } = Array;
const JSONObject = JSON;
const { stringify } = JSON;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const ErrorCtor = Error;
const StringCtor = String;
const StringPrototype = String.prototype;
const NumberCtor = Number;
const { trunc, min, max } = Math;
const MAX_SAFE_INTEGER = 9007199254740991;
const SetCtor = Set;
const setHas = Set.prototype.has;
const setAdd = Set.prototype.add;
const setForEach = Set.prototype.forEach;
const WeakMapCtor = WeakMap;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;
const weakMapHas = WeakMap.prototype.has;
const WeakSetCtor = WeakSet;
const weakSetHas = WeakSet.prototype.has;
const weakSetAdd = WeakSet.prototype.add;
const weakSetDelete = WeakSet.prototype.delete;
const MapCtor = Map;
const mapForEach = Map.prototype.forEach;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapDelete = Map.prototype.delete;
const PromiseCtor = Promise;
const PromisePrototype = Promise.prototype;
const promiseThen = Promise.prototype.then;
const MapPrototype = Map.prototype;
const SetPrototype = Set.prototype;
const DatePrototype = Date.prototype;
const RegExpPrototype = RegExp.prototype;
const regexpExec = RegExp.prototype.exec;
const ArrayBufferCtor = ArrayBuffer;
const ArrayBufferPrototype = ArrayBuffer.prototype;
const dateGetTime = Date.prototype.getTime;
const bigintToString = BigInt.prototype.toString;
const stringSlice = String.prototype.slice;
const stringIndexOf = String.prototype.indexOf;
const stringCharCodeAt = String.prototype.charCodeAt;
const regexpSource = getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
const regexpFlags = getOwnPropertyDescriptor(RegExp.prototype, 'flags').get;
const isView = ArrayBuffer.isView;
const arrayBufferByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag).get;
const typedArrayBuffer = getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get;
const typedArrayOffset = getOwnPropertyDescriptor(TypedArrayPrototype, 'byteOffset').get;
const typedArrayByteLength = getOwnPropertyDescriptor(TypedArrayPrototype, 'byteLength').get;
const typedArrayLength = getOwnPropertyDescriptor(TypedArrayPrototype, 'length').get;
const dataViewBuffer = getOwnPropertyDescriptor(DataView.prototype, 'buffer').get;
const dataViewOffset = getOwnPropertyDescriptor(DataView.prototype, 'byteOffset').get;
const dataViewLength = getOwnPropertyDescriptor(DataView.prototype, 'byteLength').get;
const Uint8ArrayCtor = Uint8Array;
const NativeProxy = Proxy;
const nativeProxyRevocable = Proxy.revocable;
const SymbolIterator = Symbol.iterator;
const SymbolIsConcatSpreadable = Symbol.isConcatSpreadable;
const SymbolSpecies = Symbol.species;
const SymbolMatch = Symbol.match;
const SymbolReplace = Symbol.replace;
const NOT_CLONEABLE_PROTOTYPES = [
  Promise.prototype, WeakMap.prototype, WeakSet.prototype, WeakRef.prototype, FinalizationRegistry.prototype,
  Number.prototype, String.prototype, Boolean.prototype, Symbol.prototype, BigInt.prototype, Error.prototype,
];
`;
