/**
 * Prelude fragment 2 (JavaScript, runs inside the isolate): bounded builtins.
 *
 * V8 stops a script (CPU timeout, memory limit, dispose) only at interrupt checks, which compiled
 * JavaScript has at function entries and loop back-edges but most native builtins do not have
 * inside their own loops. A builtin asked to walk a length that no memory backs
 * (`Array.prototype.indexOf.call({length: 2**53 - 1})`, `new Array(2**32 - 1).fill(1)`) or to build
 * a result far larger than the isolate's limit therefore runs on past every limit: measured, such
 * calls hung for minutes past a CPU timeout, grew the host past 1.5 GB, or aborted the whole
 * process (V8 CHECK failures on oversized arrays from `split`, `match`, `sort`). See
 * docs/sandbox-limits.md.
 *
 * Each wrapper below bounds its builtin by the component's memory budget before the native code
 * runs: at most `MAX_ELEMENTS` elements (what the memory limit could hold at 8 bytes each) and
 * `MAX_CHARS` characters per call. Past the budget the call throws a RangeError and marks the
 * component over budget, so the call ends as MEMORY_LIMIT even if the component catches it.
 * Receivers the native code could be lied to by (array-likes, regexps with own properties) run as
 * spec-shaped JavaScript instead, which reads each input once and has interrupt checks.
 *
 * A proxy can answer a check here and the native code after it differently (its handler is
 * component code, and can change between the two reads), so every proxy is recorded when it is
 * made (the Proxy constructor is wrapped; the native one is reachable from nowhere else) and never
 * goes to native code on the fast path. A genuine array that is not a proxy has `length` as an own
 * data property: the value checked here is the value the native code reads next, with no
 * component code running in between.
 */
export const BOUNDS_SOURCE = String.raw`
const MEMORY_BYTES = +config.memoryBytes;
// elements one builtin call may touch or create; 2**24 also keeps every result far below V8's
// FixedArray maximum (about 2**27), past which V8 aborts the process instead of throwing
const MAX_ELEMENTS = min(trunc(MEMORY_BYTES / 8), 16777216);
// characters one builtin call may read or build (a longer string cannot be flattened in budget)
const MAX_CHARS = min(MEMORY_BYTES, 67108864);
if (!(MAX_ELEMENTS > 0 && MAX_CHARS > 0)) throw new TypeErrorCtor('isoclass prelude: bad memory budget');

let poisoned = '';
/** Marks the component over its memory budget (the call ends as MEMORY_LIMIT) and throws. */
function overBudget(what) {
  if (poisoned === '') poisoned = what;
  throw new RangeErrorCtor('isoclass: ' + what + ' exceeds the memory limit of this component');
}
function toIntegerOrInfinity(value) {
  const n = +value;
  if (n !== n || n === 0) return 0;
  return trunc(n);
}
function toLength(value) {
  const n = toIntegerOrInfinity(value);
  return n <= 0 ? 0 : min(n, MAX_SAFE_INTEGER);
}
function toStr(value) {
  if (typeof value === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
  return StringCtor(value);
}
function toObject(value, what) {
  if (value === null || value === undefined) throw new TypeErrorCtor(what + ' called on null or undefined');
  return ObjectCtor(value);
}
function thisString(value, what) {
  if (value === null || value === undefined) throw new TypeErrorCtor(what + ' called on null or undefined');
  const S = toStr(value);
  if (S.length > MAX_CHARS) overBudget(what + ' on a string of ' + S.length + ' characters');
  return S;
}
function relativeIndex(value, len, whenUndefined) {
  const r = value === undefined ? whenUndefined : toIntegerOrInfinity(value);
  return r < 0 ? max(len + r, 0) : min(r, len);
}
function callable(fn, what) {
  if (typeof fn !== 'function') throw new TypeErrorCtor(what + ': ' + (fn === null ? 'null' : typeof fn) + ' is not a function');
  return fn;
}
/** CreateDataPropertyOrThrow. */
function put(target, key, value) {
  defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
function lengthOf(O, what) {
  const len = toLength(O.length);
  if (len > MAX_ELEMENTS) overBudget(what + ' over ' + len + ' elements');
  return len;
}
function checkCount(n, what) {
  if (n > MAX_ELEMENTS) overBudget(what + ' of ' + n + ' elements');
}
/** splice's and toSpliced's count of elements removed: all from start with one argument, none with none. */
function spliceSkipCount(args, len, start) {
  return args.length === 0 ? 0 : args.length === 1 ? len - start : min(max(toIntegerOrInfinity(args[1]), 0), len - start);
}
/** padStart and padEnd: a string padded past the budget is refused before the native builds it. */
function boundPad(thisValue, maxLength, fillString, native, what) {
  const S = thisString(thisValue, what);
  const target = toLength(maxLength);
  const filler = fillString === undefined ? ' ' : toStr(fillString);
  if (target > MAX_CHARS && target > S.length && filler !== '') overBudget(what + ' to ' + target + ' characters');
  return apply(native, S, [target, filler]);
}
/** An array's new length, refused past 2^53 - 1 (the spec) and past the memory budget. */
function checkedNewLength(newLength, what) {
  if (newLength > MAX_SAFE_INTEGER) throw new TypeErrorCtor(what + ': the result is too long');
  checkCount(newLength, what);
  return newLength;
}
function NoopConstructor() {}
function isConstructor(C) {
  if (typeof C !== 'function') return false;
  try {
    construct(NoopConstructor, [], C);
    return true;
  } catch (e) {
    return false;
  }
}
/** ArraySpeciesCreate. */
function speciesCreate(O, n, what) {
  checkCount(n, what);
  if (!isArray(O)) return new ArrayCtor(n);
  let C = O.constructor;
  if ((typeof C === 'object' && C !== null) || typeof C === 'function') {
    C = C[SymbolSpecies];
    if (C === null) C = undefined;
  }
  if (C === undefined) return new ArrayCtor(n);
  if (!isConstructor(C)) throw new TypeErrorCtor(what + ': object.constructor[Symbol.species] is not a constructor');
  return construct(C, [n]);
}
function closeIterator(iterator) {
  try {
    const close = iterator.return;
    if (close !== undefined && close !== null) apply(close, iterator, []);
  } catch (e) {
    // the error that made us close wins (IteratorClose with a throw completion)
  }
}
/**
 * Installs a wrapper with the builtin's property attributes and its length. (A wrapper written with
 * the builtin's length keeps its own: redefining it gives the wrapper a map of its own, and another
 * when it is frozen, in every isolate.)
 */
const install = (function isoclassSetupInstall(target, key, wrapper, length) {
  if (wrapper.length !== length) defineProperty(wrapper, 'length', { value: length, writable: false, enumerable: false, configurable: true });
  defineProperty(target, key, { value: wrapper, writable: true, enumerable: false, configurable: true });
});

// ---- proxies, recorded when made -----------------------------------------------------------
const proxyTargets = new WeakMapCtor();
const isProxy = (function isProxy(value) {
  return ((typeof value === 'object' && value !== null) || typeof value === 'function') && apply(weakMapHas, proxyTargets, [value]);
});
/** The object behind any number of proxies. */
function unwrapProxy(value) {
  while (isProxy(value)) value = apply(weakMapGet, proxyTargets, [value]);
  return value;
}
// a function expression, not a declaration (a declaration named Proxy would shadow the global)
const BoundedProxy = function Proxy(target, handler) {
  if (new.target === undefined) throw new TypeErrorCtor("Constructor Proxy requires 'new'");
  const proxy = new NativeProxy(target, handler);
  apply(weakMapSet, proxyTargets, [proxy, target]);
  return proxy;
};
// like the native Proxy: no prototype, so it cannot be extended
BoundedProxy.prototype = undefined;
install(BoundedProxy, 'revocable', {
  revocable(target, handler) {
    const result = apply(nativeProxyRevocable, NativeProxy, [target, handler]);
    apply(weakMapSet, proxyTargets, [result.proxy, target]);
    return result;
  },
}.revocable, 2);
defineProperty(G, 'Proxy', { value: BoundedProxy, writable: true, enumerable: false, configurable: true });
/** A genuine array that is not a proxy: its length is an own data property no component code can change mid-call. */
const isGenuineArray = (function isGenuineArray(value) {
  return isArray(value) && !isProxy(value);
});

// ---- sorting (stable merge sort; the comparator is component code, called from JavaScript) ----
function compareValues(x, y, comparefn) {
  if (x === undefined) return y === undefined ? 0 : 1;
  if (y === undefined) return -1;
  if (comparefn !== undefined) {
    const v = +apply(comparefn, undefined, [x, y]);
    return v !== v ? 0 : v;
  }
  const xs = toStr(x);
  const ys = toStr(y);
  return xs < ys ? -1 : xs > ys ? 1 : 0;
}
function sortValues(items, comparefn) {
  const n = items.length;
  let from = items;
  let to = new ArrayCtor(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = min(lo + width, n);
      const hi = min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) to[k++] = compareValues(from[j], from[i], comparefn) < 0 ? from[j++] : from[i++];
      while (i < mid) to[k++] = from[i++];
      while (j < hi) to[k++] = from[j++];
    }
    const swap = from;
    from = to;
    to = swap;
  }
  return from;
}

// ---- Array.prototype on array-likes: spec-shaped JavaScript (O = ToObject(this), len checked) ----
const genericArray = create(null);
genericArray.copyWithin = function (O, len, args) {
  let to = relativeIndex(args[0], len, 0);
  let from = relativeIndex(args[1], len, 0);
  const final = relativeIndex(args[2], len, len);
  let count = min(final - from, len - to);
  let direction = 1;
  if (from < to && to < from + count) {
    direction = -1;
    from += count - 1;
    to += count - 1;
  }
  for (; count > 0; count--, from += direction, to += direction) {
    if (from in O) O[to] = O[from];
    else delete O[to];
  }
  return O;
};
genericArray.every = function (O, len, args) {
  const fn = callable(args[0], 'Array.prototype.every');
  for (let k = 0; k < len; k++) if (k in O && !apply(fn, args[1], [O[k], k, O])) return false;
  return true;
};
genericArray.some = function (O, len, args) {
  const fn = callable(args[0], 'Array.prototype.some');
  for (let k = 0; k < len; k++) if (k in O && apply(fn, args[1], [O[k], k, O])) return true;
  return false;
};
genericArray.forEach = function (O, len, args) {
  const fn = callable(args[0], 'Array.prototype.forEach');
  for (let k = 0; k < len; k++) if (k in O) apply(fn, args[1], [O[k], k, O]);
  return undefined;
};
genericArray.map = function (O, len, args) {
  const fn = callable(args[0], 'Array.prototype.map');
  const A = speciesCreate(O, len, 'Array.prototype.map');
  for (let k = 0; k < len; k++) if (k in O) put(A, k, apply(fn, args[1], [O[k], k, O]));
  return A;
};
genericArray.filter = function (O, len, args) {
  const fn = callable(args[0], 'Array.prototype.filter');
  const A = speciesCreate(O, 0, 'Array.prototype.filter');
  let to = 0;
  for (let k = 0; k < len; k++) {
    if (!(k in O)) continue;
    const value = O[k];
    if (apply(fn, args[1], [value, k, O])) put(A, to++, value);
  }
  return A;
};
function findFrom(O, len, args, what, fromEnd, wantIndex) {
  const fn = callable(args[0], what);
  for (let i = 0; i < len; i++) {
    const k = fromEnd ? len - 1 - i : i;
    const value = O[k];
    if (apply(fn, args[1], [value, k, O])) return wantIndex ? k : value;
  }
  return wantIndex ? -1 : undefined;
}
genericArray.find = (O, len, args) => findFrom(O, len, args, 'Array.prototype.find', false, false);
genericArray.findIndex = (O, len, args) => findFrom(O, len, args, 'Array.prototype.findIndex', false, true);
genericArray.findLast = (O, len, args) => findFrom(O, len, args, 'Array.prototype.findLast', true, false);
genericArray.findLastIndex = (O, len, args) => findFrom(O, len, args, 'Array.prototype.findLastIndex', true, true);
function reduceFrom(O, len, args, what, fromEnd) {
  const fn = callable(args[0], what);
  let i = 0;
  let accumulator;
  if (args.length >= 2) {
    accumulator = args[1];
  } else {
    for (; i < len; i++) {
      const k = fromEnd ? len - 1 - i : i;
      if (k in O) {
        accumulator = O[k];
        break;
      }
    }
    if (i === len) throw new TypeErrorCtor(what + ' of empty array with no initial value');
    i++;
  }
  for (; i < len; i++) {
    const k = fromEnd ? len - 1 - i : i;
    if (k in O) accumulator = apply(fn, undefined, [accumulator, O[k], k, O]);
  }
  return accumulator;
}
genericArray.reduce = (O, len, args) => reduceFrom(O, len, args, 'Array.prototype.reduce', false);
genericArray.reduceRight = (O, len, args) => reduceFrom(O, len, args, 'Array.prototype.reduceRight', true);
genericArray.fill = function (O, len, args) {
  const value = args[0];
  let k = relativeIndex(args[1], len, 0);
  const final = relativeIndex(args[2], len, len);
  for (; k < final; k++) O[k] = value;
  return O;
};
genericArray.includes = function (O, len, args) {
  if (len === 0) return false;
  const n = toIntegerOrInfinity(args[1]);
  if (n === 1 / 0) return false;
  const x = args[0];
  for (let k = n >= 0 ? n : max(len + n, 0); k < len; k++) {
    const e = O[k];
    if (e === x || (e !== e && x !== x)) return true;
  }
  return false;
};
genericArray.indexOf = function (O, len, args) {
  if (len === 0) return -1;
  const n = toIntegerOrInfinity(args[1]);
  if (n === 1 / 0) return -1;
  const x = args[0];
  for (let k = n >= 0 ? n : max(len + n, 0); k < len; k++) if (k in O && O[k] === x) return k;
  return -1;
};
genericArray.lastIndexOf = function (O, len, args) {
  if (len === 0) return -1;
  const n = args.length > 1 ? toIntegerOrInfinity(args[1]) : len - 1;
  if (n === -1 / 0) return -1;
  const x = args[0];
  for (let k = n >= 0 ? min(n, len - 1) : len + n; k >= 0; k--) if (k in O && O[k] === x) return k;
  return -1;
};
function joinFrom(O, len, separator, what, locale) {
  let R = '';
  for (let k = 0; k < len; k++) {
    if (k > 0) R += separator;
    const e = O[k];
    if (e !== undefined && e !== null) R += locale ? toStr(apply(e.toLocaleString, e, [])) : toStr(e);
    if (R.length > MAX_CHARS) overBudget(what + ' into more than ' + MAX_CHARS + ' characters');
  }
  return R;
}
genericArray.join = (O, len, args) => joinFrom(O, len, args[0] === undefined ? ',' : toStr(args[0]), 'Array.prototype.join', false);
genericArray.toLocaleString = (O, len) => joinFrom(O, len, ',', 'Array.prototype.toLocaleString', true);
genericArray.reverse = function (O, len) {
  const middle = trunc(len / 2);
  for (let lower = 0; lower !== middle; lower++) {
    const upper = len - lower - 1;
    const lowerExists = lower in O;
    const lowerValue = lowerExists ? O[lower] : undefined;
    const upperExists = upper in O;
    const upperValue = upperExists ? O[upper] : undefined;
    if (upperExists) O[lower] = upperValue;
    else if (lowerExists) delete O[lower];
    if (lowerExists) O[upper] = lowerValue;
    else if (upperExists) delete O[upper];
  }
  return O;
};
genericArray.shift = function (O, len) {
  if (len === 0) {
    O.length = 0;
    return undefined;
  }
  const first = O[0];
  for (let k = 1; k < len; k++) {
    if (k in O) O[k - 1] = O[k];
    else delete O[k - 1];
  }
  delete O[len - 1];
  O.length = len - 1;
  return first;
};
genericArray.unshift = function (O, len, items) {
  const count = items.length;
  if (count > 0) {
    checkedNewLength(len + count, 'Array.prototype.unshift');
    for (let k = len; k > 0; k--) {
      const from = k - 1;
      const to = k + count - 1;
      if (from in O) O[to] = O[from];
      else delete O[to];
    }
    for (let j = 0; j < count; j++) O[j] = items[j];
  }
  O.length = len + count;
  return len + count;
};
genericArray.slice = function (O, len, args) {
  let k = relativeIndex(args[0], len, 0);
  const final = relativeIndex(args[1], len, len);
  const A = speciesCreate(O, max(final - k, 0), 'Array.prototype.slice');
  let n = 0;
  for (; k < final; k++, n++) if (k in O) put(A, n, O[k]);
  A.length = n;
  return A;
};
genericArray.splice = function (O, len, args) {
  const start = relativeIndex(args[0], len, 0);
  const itemCount = args.length > 2 ? args.length - 2 : 0;
  const deleteCount = spliceSkipCount(args, len, start);
  const newLength = checkedNewLength(len + itemCount - deleteCount, 'Array.prototype.splice');
  const A = speciesCreate(O, deleteCount, 'Array.prototype.splice');
  for (let k = 0; k < deleteCount; k++) if (start + k in O) put(A, k, O[start + k]);
  A.length = deleteCount;
  if (itemCount < deleteCount) {
    for (let k = start; k < len - deleteCount; k++) {
      const from = k + deleteCount;
      const to = k + itemCount;
      if (from in O) O[to] = O[from];
      else delete O[to];
    }
    for (let k = len; k > newLength; k--) delete O[k - 1];
  } else if (itemCount > deleteCount) {
    for (let k = len - deleteCount; k > start; k--) {
      const from = k + deleteCount - 1;
      const to = k + itemCount - 1;
      if (from in O) O[to] = O[from];
      else delete O[to];
    }
  }
  for (let i = 0; i < itemCount; i++) O[start + i] = args[i + 2];
  O.length = newLength;
  return A;
};
genericArray.sort = function (O, len, args) {
  const comparefn = args[0];
  if (comparefn !== undefined) callable(comparefn, 'Array.prototype.sort');
  const items = [];
  for (let k = 0; k < len; k++) if (k in O) items[items.length] = O[k];
  const sorted = sortValues(items, comparefn);
  const count = sorted.length;
  for (let j = 0; j < count; j++) O[j] = sorted[j];
  for (let j = count; j < len; j++) delete O[j];
  return O;
};
genericArray.toReversed = function (O, len) {
  const A = new ArrayCtor(len);
  for (let k = 0; k < len; k++) put(A, k, O[len - 1 - k]);
  return A;
};
genericArray.toSorted = function (O, len, args) {
  const comparefn = args[0];
  if (comparefn !== undefined) callable(comparefn, 'Array.prototype.toSorted');
  const items = new ArrayCtor(len);
  for (let k = 0; k < len; k++) put(items, k, O[k]);
  return sortValues(items, comparefn);
};
genericArray.toSpliced = function (O, len, args) {
  const start = relativeIndex(args[0], len, 0);
  const insertCount = args.length > 2 ? args.length - 2 : 0;
  const skipCount = spliceSkipCount(args, len, start);
  const newLength = checkedNewLength(len + insertCount - skipCount, 'Array.prototype.toSpliced');
  const A = new ArrayCtor(newLength);
  let i = 0;
  for (let k = 0; k < start; k++) put(A, i++, O[k]);
  for (let j = 0; j < insertCount; j++) put(A, i++, args[j + 2]);
  for (let k = start + skipCount; k < len; k++) put(A, i++, O[k]);
  return A;
};
genericArray.with = function (O, len, args) {
  const relative = toIntegerOrInfinity(args[0]);
  const actual = relative >= 0 ? relative : len + relative;
  if (actual >= len || actual < 0) throw new RangeErrorCtor('Invalid index : ' + StringCtor(relative));
  const A = new ArrayCtor(len);
  for (let k = 0; k < len; k++) put(A, k, k === actual ? args[1] : O[k]);
  return A;
};

// a genuine array goes to the native builtin after its length is checked; anything else to the
// JavaScript above. (One parameter, the length of most of these builtins; the arguments are passed
// on as they came.)
const boundArrayMethod = (function isoclassSetupBoundArrayMethod(name) {
  const native = ArrayPrototype[name];
  const generic = genericArray[name];
  const what = 'Array.prototype.' + name;
  const wrapper = {
    [name](_) {
      if (isGenuineArray(this)) {
        const len = this.length;
        if (len > MAX_ELEMENTS) overBudget(what + ' over ' + len + ' elements');
        return apply(native, this, arguments);
      }
      const O = toObject(this, what);
      return generic(O, lengthOf(O, what), arguments);
    },
  }[name];
  install(ArrayPrototype, name, wrapper, native.length);
});
for (const name of ownKeys(genericArray)) boundArrayMethod(name);

function isConcatSpreadable(E) {
  if ((typeof E !== 'object' && typeof E !== 'function') || E === null) return false;
  const spreadable = E[SymbolIsConcatSpreadable];
  return spreadable !== undefined ? !!spreadable : isArray(E);
}
// the native runs no component code only when every operand is a primitive or a plain genuine
// array (no own constructor or isConcatSpreadable to run a getter between checks)
function isPlainArray(E) {
  return isGenuineArray(E) && getPrototypeOf(E) === ArrayPrototype && !hasOwn(E, 'constructor') && !hasOwn(E, SymbolIsConcatSpreadable);
}
const nativeConcat = ArrayPrototype.concat;
const nativeArrayFrom = ArrayCtor.from;
function FlattenIntoArray(target, source, sourceLen, start, depth, mapper, thisArg) {
  let targetIndex = start;
  for (let k = 0; k < sourceLen; k++) {
    if (!(k in source)) continue;
    let element = source[k];
    if (mapper !== undefined) element = apply(mapper, thisArg, [element, k, source]);
    if (depth > 0 && isArray(element)) {
      targetIndex = FlattenIntoArray(target, element, lengthOf(element, 'Array.prototype.flat'), targetIndex, depth - 1, undefined, undefined);
    } else {
      checkCount(targetIndex + 1, 'Array.prototype.flat');
      put(target, targetIndex++, element);
    }
  }
  return targetIndex;
}
const arrayStatics = {
  from(items, mapfn, thisArg) {
    const C = this;
    // the frozen intrinsic array iterator over a plain genuine array, into a plain Array, with no
    // component code to grow the array while the native copies it
    if (C === ArrayCtor && mapfn === undefined && isPlainArray(items) && !hasOwn(items, SymbolIterator)) {
      if (items.length > MAX_ELEMENTS) overBudget('Array.from over ' + items.length + ' elements');
      return apply(nativeArrayFrom, C, [items]);
    }
    if (mapfn !== undefined) callable(mapfn, 'Array.from');
    if (items === null || items === undefined) throw new TypeErrorCtor('Array.from: ' + items + ' is not iterable');
    const usingIterator = items[SymbolIterator];
    if (usingIterator !== undefined && usingIterator !== null) {
      callable(usingIterator, 'Array.from');
      const A = isConstructor(C) ? construct(C, []) : new ArrayCtor(0);
      const iterator = apply(usingIterator, items, []);
      if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) throw new TypeErrorCtor('Result of the Symbol.iterator method is not an object');
      const next = iterator.next;
      for (let k = 0; ; k++) {
        if (k >= MAX_ELEMENTS) {
          closeIterator(iterator);
          overBudget('Array.from of more than ' + MAX_ELEMENTS + ' elements');
        }
        const step = apply(next, iterator, []);
        if ((typeof step !== 'object' && typeof step !== 'function') || step === null) throw new TypeErrorCtor('Iterator result ' + step + ' is not an object');
        if (step.done) {
          A.length = k;
          return A;
        }
        let value = step.value;
        try {
          if (mapfn !== undefined) value = apply(mapfn, thisArg, [value, k]);
          put(A, k, value);
        } catch (e) {
          closeIterator(iterator);
          throw e;
        }
      }
    }
    const arrayLike = ObjectCtor(items);
    const len = lengthOf(arrayLike, 'Array.from');
    const A = isConstructor(C) ? construct(C, [len]) : new ArrayCtor(len);
    for (let k = 0; k < len; k++) {
      let value = arrayLike[k];
      if (mapfn !== undefined) value = apply(mapfn, thisArg, [value, k]);
      put(A, k, value);
    }
    A.length = len;
    return A;
  },
};
install(ArrayCtor, 'from', arrayStatics.from, 1);
// Array.fromAsync awaits an array-like's elements in native code (an unbounded length with no
// interrupt check between elements): not offered
delete ArrayCtor.fromAsync;

const arrayMethods = {
  concat(...items) {
    const O = toObject(this, 'Array.prototype.concat');
    if (isPlainArray(O)) {
      let total = O.length;
      let plain = true;
      for (let i = 0; i < items.length && plain; i++) {
        const E = items[i];
        if (isPlainArray(E)) total += E.length;
        else if ((typeof E === 'object' && E !== null) || typeof E === 'function') plain = false;
        else total += 1;
      }
      if (plain) {
        if (total > MAX_ELEMENTS) overBudget('Array.prototype.concat of ' + total + ' elements');
        return apply(nativeConcat, O, items);
      }
    }
    const A = speciesCreate(O, 0, 'Array.prototype.concat');
    let n = 0;
    for (let i = -1; i < items.length; i++) {
      const E = i < 0 ? O : items[i];
      if (isConcatSpreadable(E)) {
        const len = toLength(E.length);
        checkedNewLength(n + len, 'Array.prototype.concat');
        for (let k = 0; k < len; k++, n++) if (k in E) put(A, n, E[k]);
      } else {
        checkCount(n + 1, 'Array.prototype.concat');
        put(A, n++, E);
      }
    }
    A.length = n;
    return A;
  },
  // nested arrays are walked in JavaScript: a nested sparse array's length is checked when reached
  flat(depth) {
    const O = toObject(this, 'Array.prototype.flat');
    const len = lengthOf(O, 'Array.prototype.flat');
    let depthNum = 1;
    if (depth !== undefined) {
      depthNum = toIntegerOrInfinity(depth);
      if (depthNum < 0) depthNum = 0;
    }
    const A = speciesCreate(O, 0, 'Array.prototype.flat');
    FlattenIntoArray(A, O, len, 0, depthNum, undefined, undefined);
    return A;
  },
  flatMap(mapper, thisArg) {
    const O = toObject(this, 'Array.prototype.flatMap');
    const len = lengthOf(O, 'Array.prototype.flatMap');
    callable(mapper, 'Array.prototype.flatMap');
    const A = speciesCreate(O, 0, 'Array.prototype.flatMap');
    FlattenIntoArray(A, O, len, 0, 1, mapper, thisArg);
    return A;
  },
};
install(ArrayPrototype, 'concat', arrayMethods.concat, 1);
install(ArrayPrototype, 'flat', arrayMethods.flat, 0);
install(ArrayPrototype, 'flatMap', arrayMethods.flatMap, 1);

// ---- strings and regular expressions -----------------------------------------------------
function isGenuineRegExp(value) {
  if (value === RegExpPrototype) return false;
  try {
    apply(regexpSource, value, []);
    return true;
  } catch (e) {
    return false;
  }
}
// a regexp the native code may run on: intrinsic prototype, no own property but lastIndex, so its
// flags and exec are the frozen intrinsics and no component code runs inside the native loop
function isPristineRegExp(rx) {
  if (getPrototypeOf(rx) !== RegExpPrototype || !isGenuineRegExp(rx)) return false;
  const keys = ownKeys(rx);
  return keys.length === 1 && keys[0] === 'lastIndex' && typeof rx.lastIndex === 'number';
}
function stringIncludes(S, c) {
  return apply(stringIndexOf, S, [c]) !== -1;
}
function advanceStringIndex(S, index, unicode) {
  if (!unicode || index + 1 >= S.length) return index + 1;
  const c = apply(stringCharCodeAt, S, [index]);
  if (c < 0xd800 || c > 0xdbff) return index + 1;
  const d = apply(stringCharCodeAt, S, [index + 1]);
  return d >= 0xdc00 && d <= 0xdfff ? index + 2 : index + 1;
}
function regExpExec(R, S) {
  const exec = R.exec;
  if (typeof exec === 'function') {
    const result = apply(exec, R, [S]);
    if (result !== null && typeof result !== 'object') throw new TypeErrorCtor('exec result must be an object or null');
    return result;
  }
  return apply(regexpExec, R, [S]);
}
function isDigit(c) {
  return c >= 48 && c <= 57;
}
/** GetSubstitution, in JavaScript. */
function getSubstitution(matched, str, position, captures, namedCaptures, replacement) {
  const m = captures.length;
  const tailPos = position + matched.length;
  let result = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = apply(stringCharCodeAt, replacement, [i]);
    if (c !== 36 || i + 1 >= replacement.length) {
      result += replacement[i];
      continue;
    }
    const d = apply(stringCharCodeAt, replacement, [i + 1]);
    if (d === 36) {
      result += '$';
      i++;
    } else if (d === 38) {
      result += matched;
      i++;
    } else if (d === 96) {
      result += apply(stringSlice, str, [0, position]);
      i++;
    } else if (d === 39) {
      if (tailPos < str.length) result += apply(stringSlice, str, [tailPos]);
      i++;
    } else if (isDigit(d)) {
      let digits = 1;
      let index = d - 48;
      if (i + 2 < replacement.length) {
        const e = apply(stringCharCodeAt, replacement, [i + 2]);
        if (isDigit(e) && index * 10 + (e - 48) >= 1 && index * 10 + (e - 48) <= m) {
          index = index * 10 + (e - 48);
          digits = 2;
        }
      }
      if (index >= 1 && index <= m) {
        const capture = captures[index - 1];
        if (capture !== undefined) result += capture;
        i += digits;
      } else {
        result += '$';
      }
    } else if (d === 60 && namedCaptures !== undefined) {
      const close = apply(stringIndexOf, replacement, ['>', i + 2]);
      if (close === -1) {
        result += '$<';
        i++;
      } else {
        const capture = namedCaptures[apply(stringSlice, replacement, [i + 2, close])];
        if (capture !== undefined) result += toStr(capture);
        i = close;
      }
    } else {
      result += '$';
    }
    if (result.length > MAX_CHARS) overBudget('a replacement of more than ' + MAX_CHARS + ' characters');
  }
  return result;
}
/** The most characters a global replace with a string replacement can build. */
function replacementBound(length, matches, replacement) {
  let perMatch = replacement.length;
  for (let i = apply(stringIndexOf, replacement, ['$']); i !== -1; i = apply(stringIndexOf, replacement, ['$', i + 1])) perMatch += length;
  return length + matches * perMatch;
}
const nativeRegExpMatch = RegExpPrototype[SymbolMatch];
const nativeRegExpReplace = RegExpPrototype[SymbolReplace];
const nativeSplit = StringPrototype.split;
const nativeRepeat = StringPrototype.repeat;
const nativePadStart = StringPrototype.padStart;
const nativePadEnd = StringPrototype.padEnd;
const nativeNormalize = StringPrototype.normalize;
function regExpMatchAll(rx, S) {
  const flags = toStr(rx.flags);
  if (!stringIncludes(flags, 'g')) return regExpExec(rx, S);
  const fullUnicode = stringIncludes(flags, 'u') || stringIncludes(flags, 'v');
  rx.lastIndex = 0;
  const A = [];
  for (let n = 0; ; n++) {
    const result = regExpExec(rx, S);
    if (result === null) return n === 0 ? null : A;
    checkCount(n + 1, 'RegExp.prototype[Symbol.match]');
    const matchStr = toStr(result[0]);
    put(A, n, matchStr);
    if (matchStr === '') rx.lastIndex = advanceStringIndex(S, toLength(rx.lastIndex), fullUnicode);
  }
}
function regExpReplaceAll(rx, S, replaceValue) {
  const functional = typeof replaceValue === 'function';
  const flags = toStr(rx.flags);
  const global = stringIncludes(flags, 'g');
  let fullUnicode = false;
  if (global) {
    fullUnicode = stringIncludes(flags, 'u') || stringIncludes(flags, 'v');
    rx.lastIndex = 0;
  }
  const results = [];
  for (;;) {
    const result = regExpExec(rx, S);
    if (result === null) break;
    checkCount(results.length + 1, 'RegExp.prototype[Symbol.replace]');
    results[results.length] = result;
    if (!global) break;
    if (toStr(result[0]) === '') rx.lastIndex = advanceStringIndex(S, toLength(rx.lastIndex), fullUnicode);
  }
  let accumulated = '';
  let nextSourcePosition = 0;
  for (let r = 0; r < results.length; r++) {
    const result = results[r];
    const resultLength = toLength(result.length);
    const nCaptures = max(resultLength - 1, 0);
    const matched = toStr(result[0]);
    const position = max(min(toIntegerOrInfinity(result.index), S.length), 0);
    const captures = [];
    for (let n = 1; n <= nCaptures; n++) {
      const capN = result[n];
      captures[n - 1] = capN === undefined ? undefined : toStr(capN);
    }
    let namedCaptures = result.groups;
    let replacement;
    if (functional) {
      const replacerArgs = [matched];
      for (let n = 0; n < captures.length; n++) replacerArgs[replacerArgs.length] = captures[n];
      replacerArgs[replacerArgs.length] = position;
      replacerArgs[replacerArgs.length] = S;
      if (namedCaptures !== undefined) replacerArgs[replacerArgs.length] = namedCaptures;
      replacement = toStr(apply(replaceValue, undefined, replacerArgs));
    } else {
      if (namedCaptures !== undefined) namedCaptures = ObjectCtor(namedCaptures);
      replacement = getSubstitution(matched, S, position, captures, namedCaptures, replaceValue);
    }
    if (position >= nextSourcePosition) {
      accumulated += apply(stringSlice, S, [nextSourcePosition, position]) + replacement;
      nextSourcePosition = position + matched.length;
    }
    if (accumulated.length > MAX_CHARS) overBudget('RegExp.prototype[Symbol.replace] into more than ' + MAX_CHARS + ' characters');
  }
  if (nextSourcePosition >= S.length) return accumulated;
  return accumulated + apply(stringSlice, S, [nextSourcePosition]);
}
const regexpMethods = {
  [SymbolMatch](string) {
    const rx = this;
    if ((typeof rx !== 'object' && typeof rx !== 'function') || rx === null) throw new TypeErrorCtor('RegExp.prototype[Symbol.match] called on a non-object');
    const S = thisString(string, 'RegExp.prototype[Symbol.match]');
    // at most one match per character: a short string cannot produce more matches than the budget
    if (S.length < MAX_ELEMENTS && isPristineRegExp(rx)) return apply(nativeRegExpMatch, rx, [S]);
    return regExpMatchAll(rx, S);
  },
  [SymbolReplace](string, replaceValue) {
    const rx = this;
    if ((typeof rx !== 'object' && typeof rx !== 'function') || rx === null) throw new TypeErrorCtor('RegExp.prototype[Symbol.replace] called on a non-object');
    const S = thisString(string, 'RegExp.prototype[Symbol.replace]');
    const replacement = typeof replaceValue === 'function' ? replaceValue : toStr(replaceValue);
    // every conversion that can run component code is done; the check holds for the native call
    if (S.length < MAX_ELEMENTS && isPristineRegExp(rx)) {
      if (typeof replacement === 'string' && rx.global && replacementBound(S.length, S.length + 1, replacement) > MAX_CHARS) {
        return regExpReplaceAll(rx, S, replacement);
      }
      return apply(nativeRegExpReplace, rx, [S, replacement]);
    }
    return regExpReplaceAll(rx, S, replacement);
  },
};
install(RegExpPrototype, SymbolMatch, regexpMethods[SymbolMatch], 1);
install(RegExpPrototype, SymbolReplace, regexpMethods[SymbolReplace], 2);

const stringMethods = {
  split(separator, limit) {
    // V8 aborts the process on a split into more parts than its FixedArray maximum: the native
    // split never gets a limit past the budget
    const lim = limit === undefined ? 4294967295 : limit >>> 0;
    if (lim <= MAX_ELEMENTS) return apply(nativeSplit, this, [separator, lim]);
    const result = apply(nativeSplit, this, [separator, MAX_ELEMENTS + 1]);
    if (isArray(result) && result.length > MAX_ELEMENTS) overBudget('String.prototype.split into more than ' + MAX_ELEMENTS + ' parts');
    return result;
  },
  repeat(count) {
    const S = thisString(this, 'String.prototype.repeat');
    const n = toIntegerOrInfinity(count);
    if (n > 0 && n !== 1 / 0 && S.length * n > MAX_CHARS) overBudget('String.prototype.repeat into ' + S.length * n + ' characters');
    return apply(nativeRepeat, S, [n]);
  },
  padStart(maxLength, fillString) {
    return boundPad(this, maxLength, fillString, nativePadStart, 'String.prototype.padStart');
  },
  padEnd(maxLength, fillString) {
    return boundPad(this, maxLength, fillString, nativePadEnd, 'String.prototype.padEnd');
  },
  normalize(form) {
    const S = thisString(this, 'String.prototype.normalize');
    const f = form === undefined ? 'NFC' : toStr(form);
    // ICU builds the result outside the V8 heap: worst-case expansion is 18x (NFKC/NFKD), 4x otherwise
    const expansion = f === 'NFKC' || f === 'NFKD' ? 18 : 4;
    if (S.length * expansion > MAX_CHARS) overBudget('String.prototype.normalize of ' + S.length + ' characters');
    return apply(nativeNormalize, S, [f]);
  },
  replaceAll(searchValue, replaceValue) {
    if (this === null || this === undefined) throw new TypeErrorCtor('String.prototype.replaceAll called on null or undefined');
    if (searchValue !== null && searchValue !== undefined) {
      const matcher = (typeof searchValue === 'object' || typeof searchValue === 'function') ? searchValue[SymbolMatch] : undefined;
      const isRegExp = matcher !== undefined ? !!matcher : isGenuineRegExp(searchValue);
      if (isRegExp) {
        const flags = searchValue.flags;
        if (flags === null || flags === undefined || !stringIncludes(toStr(flags), 'g')) throw new TypeErrorCtor('replaceAll must be called with a global RegExp');
      }
      const replacer = searchValue[SymbolReplace];
      if (replacer !== undefined && replacer !== null) return apply(callable(replacer, 'String.prototype.replaceAll'), searchValue, [this, replaceValue]);
    }
    const S = thisString(this, 'String.prototype.replaceAll');
    const searchString = toStr(searchValue);
    const functional = typeof replaceValue === 'function';
    const replacement = functional ? '' : toStr(replaceValue);
    const advanceBy = max(1, searchString.length);
    let result = '';
    let endOfLastMatch = 0;
    for (let p = apply(stringIndexOf, S, [searchString, 0]); p !== -1; p = p + advanceBy > S.length ? -1 : apply(stringIndexOf, S, [searchString, p + advanceBy])) {
      const piece = functional ? toStr(apply(replaceValue, undefined, [searchString, p, S])) : getSubstitution(searchString, S, p, [], undefined, replacement);
      result += apply(stringSlice, S, [endOfLastMatch, p]) + piece;
      endOfLastMatch = p + searchString.length;
      if (result.length > MAX_CHARS) overBudget('String.prototype.replaceAll into more than ' + MAX_CHARS + ' characters');
    }
    if (endOfLastMatch < S.length) result += apply(stringSlice, S, [endOfLastMatch]);
    return result;
  },
};
install(StringPrototype, 'split', stringMethods.split, 2);
install(StringPrototype, 'repeat', stringMethods.repeat, 1);
install(StringPrototype, 'padStart', stringMethods.padStart, 1);
install(StringPrototype, 'padEnd', stringMethods.padEnd, 1);
install(StringPrototype, 'normalize', stringMethods.normalize, 0);
install(StringPrototype, 'replaceAll', stringMethods.replaceAll, 2);

// ---- collections of keys ------------------------------------------------------------------
// Object.keys and friends on a typed array or a string create one key per index in native code
// with no interrupt check (measured: seconds and hundreds of MB past a 16 MB limit)
function indexedCount(alleged) {
  const value = unwrapProxy(alleged);
  if (typeof value === 'string') return value.length;
  // the TypedArray toStringTag getter is a brand check: undefined for a DataView or anything else
  if (isView(value) && apply(typedArrayTag, value, []) !== undefined) return apply(typedArrayLength, value, []);
  return 0;
}
const boundKeysFunction = (function isoclassSetupBoundKeysFunction(target, name) {
  const native = target[name];
  const what = (target === ReflectObject ? 'Reflect.' : 'Object.') + name;
  // (each of these builtins has length 1)
  const wrapper = {
    [name](value) {
      const n = indexedCount(value);
      if (n > MAX_ELEMENTS) overBudget(what + ' of ' + n + ' indexed properties');
      return apply(native, target, arguments);
    },
  }[name];
  install(target, name, wrapper, native.length);
});
const ReflectObject = Reflect;
for (const name of ['keys', 'values', 'entries', 'getOwnPropertyNames', 'getOwnPropertyDescriptors']) boundKeysFunction(ObjectCtor, name);
boundKeysFunction(ReflectObject, 'ownKeys');
const nativeAssign = ObjectCtor.assign;
install(ObjectCtor, 'assign', {
  assign(target, ...sources) {
    for (let i = 0; i < sources.length; i++) {
      const n = indexedCount(sources[i]);
      if (n > MAX_ELEMENTS) overBudget('Object.assign of ' + n + ' indexed properties');
    }
    return apply(nativeAssign, ObjectCtor, [target, ...sources]);
  },
}.assign, 2);

// ---- JSON.stringify ----------------------------------------------------------------------
// The native serializer walks an array's length with no interrupt check (a sparse array of 1e8
// holes grew the host past 1.5 GB). A replacer function makes it call back into JavaScript for
// every value, where an array's length is checked before the serializer walks it.
function checkJsonValue(value) {
  if (isProxy(value)) return jsonSnapshot(value);
  if (isArray(value) && value.length > MAX_ELEMENTS) overBudget('JSON.stringify of an array of ' + value.length + ' elements');
  return value;
}
// A proxy is read once, in JavaScript, as the serializer would read it; the serializer gets the copy.
function jsonSnapshot(proxy) {
  if (isArray(proxy)) {
    const len = lengthOf(proxy, 'JSON.stringify');
    const copy = new ArrayCtor(len);
    for (let k = 0; k < len; k++) put(copy, k, proxy[k]);
    return copy;
  }
  const keys = apply(objectKeys, ObjectCtor, [proxy]);
  checkCount(keys.length, 'JSON.stringify');
  const copy = create(null);
  for (let i = 0; i < keys.length; i++) put(copy, keys[i], proxy[keys[i]]);
  return copy;
}
const nativeStringify = stringify;
install(JSONObject, 'stringify', {
  stringify(value, replacer, space) {
    let inner;
    if (typeof replacer === 'function') {
      inner = function (key, v) {
        return checkJsonValue(apply(replacer, this, [key, v]));
      };
    } else if (isArray(replacer)) {
      // the property list, applied as the spec does: listed keys only, in list order
      const list = [];
      const seen = new SetCtor();
      const len = lengthOf(replacer, 'JSON.stringify');
      for (let k = 0; k < len; k++) {
        const v = replacer[k];
        let item;
        if (typeof v === 'string') item = v;
        else if (typeof v === 'number') item = toStr(v);
        else if (typeof v === 'object' && v !== null && (getPrototypeOf(v) === StringPrototype || getPrototypeOf(v) === NumberCtor.prototype)) item = toStr(v);
        if (item !== undefined && !apply(setHas, seen, [item])) {
          apply(setAdd, seen, [item]);
          list[list.length] = item;
        }
      }
      inner = function (key, v) {
        if ((typeof v === 'object' && v !== null) && !isArray(v)) {
          const picked = create(null);
          for (let i = 0; i < list.length; i++) {
            const item = list[i];
            const field = v[item];
            if (field !== undefined) picked[item] = field;
          }
          return picked;
        }
        return checkJsonValue(v);
      };
    } else {
      inner = function (key, v) {
        return checkJsonValue(v);
      };
    }
    return apply(nativeStringify, JSONObject, [value, inner, space]);
  },
}.stringify, 3);

// ---- ArrayBuffer: no resizable buffers ----------------------------------------------------
// A resizable ArrayBuffer commits memory through V8's page allocator, not the isolate's limited
// allocator: measured, 64 of them grew the host past 1.5 GB under a 16 MB limit.
const NativeArrayBuffer = ArrayBufferCtor;
// (not named ArrayBuffer here: a function declaration would shadow the global for the whole prelude)
function BoundedArrayBuffer(length, options) {
  if (new.target === undefined) throw new TypeErrorCtor("Constructor ArrayBuffer requires 'new'");
  if ((typeof options === 'object' && options !== null) || typeof options === 'function') {
    if (options.maxByteLength !== undefined) throw new TypeErrorCtor('resizable ArrayBuffers (maxByteLength) are not available to isoclass components');
  }
  return construct(NativeArrayBuffer, [length], new.target);
}
for (const key of ownKeys(NativeArrayBuffer)) {
  if (key === 'prototype') continue;
  defineProperty(BoundedArrayBuffer, key, getOwnPropertyDescriptor(NativeArrayBuffer, key));
}
defineProperty(BoundedArrayBuffer, 'prototype', { value: ArrayBufferPrototype, writable: false, enumerable: false, configurable: false });
defineProperty(ArrayBufferPrototype, 'constructor', { value: BoundedArrayBuffer, writable: true, enumerable: false, configurable: true });
defineProperty(G, 'ArrayBuffer', { value: BoundedArrayBuffer, writable: true, enumerable: false, configurable: true });
`;
