/**
 * Prelude fragment 3 (JavaScript, runs inside the isolate): how values leave the isolate.
 *
 * A result leaves as a string produced here, from own data properties only (a getter is refused,
 * never invoked), with its size counted as it is built; the host rebuilds it with
 * defineProperty (../wire.ts). A thrown value leaves as its name, message and stack, clipped.
 * Nothing the host receives can run code or carry a prototype.
 */
export const ENCODE_SOURCE = String.raw`
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
      const length = isDataView ? apply(dataViewLength, value, []) : apply(typedArrayByteLength, value, []);
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
const isPromise = (function isPromise(value) {
  if (value === null || typeof value !== 'object') return false;
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) if (p === PromisePrototype) return true;
  return false;
});
const deepFreeze = (function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    freeze(value);
    const keys = ownKeys(value);
    for (let i = 0; i < keys.length; i++) deepFreeze(value[keys[i]]);
  }
  return value;
});
`;
