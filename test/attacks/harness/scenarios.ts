/**
 * Attack scenarios that cannot hurt the test process even if a defence regressed (no memory
 * bombs: those run in guarded children, see bombs.ts). Each is a component whose `run` method
 * attacks, and the outcome that proves the defence held: a typed error code, or a check of the
 * value the host got back.
 */
export interface Scenario {
  readonly name: string;
  /** What it attacks, for the test title. */
  readonly attack: string;
  /** The component module (imports from isoclass allowed). */
  readonly source: string;
  /** Method to call (default `run`), with arguments. */
  readonly method?: string;
  readonly args?: readonly unknown[];
  readonly sync?: boolean;
  /** The typed error the call must end in... */
  readonly code?: string;
  /** ...or a check of the result (throws on failure). */
  readonly check?: (result: unknown) => void;
}

const component = (body: string, imports = 'Component'): string =>
  `import { ${imports} } from 'isoclass';\nexport default class Attack extends Component {\n${body}\n}\n`;
const run = (body: string, imports?: string): string => component(`  run() {\n${body}\n  }`, imports);
const asyncRun = (body: string, imports?: string): string => component(`  async run() {\n${body}\n  }`, imports);

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** Walks everything reachable from the roots inside the isolate and reports what it found. */
const SCAN = `
    const roots = [globalThis, this, Component, log, artifact, sleep, this.params, Object.getPrototypeOf(this)];
    const seen = new Set();
    const stack = [...roots];
    const hostish = [];
    const unfrozen = [];
    const HOST_NAMES = ['derefInto', 'applySync', 'applySyncPromise', 'applyIgnored', 'copyInto', 'setSync', 'getSync', 'evalClosure', 'compileModule', 'createContext', 'ExternalCopy', 'Reference', 'Callback', 'Isolate', 'require', 'process', 'Buffer', 'module'];
    // what the component itself made (its class, prototype, methods, instance) may be mutable
    const mine = new Set([globalThis, this, Object.getPrototypeOf(this), Attack]);
    for (const key of Reflect.ownKeys(Attack.prototype)) mine.add(Attack.prototype[key]);
    while (stack.length > 0) {
      const value = stack.pop();
      if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) continue;
      seen.add(value);
      if (!mine.has(value) && !Object.isFrozen(value)) unfrozen.push(typeof value === 'function' ? 'function ' + value.name : Object.prototype.toString.call(value) + ' ' + Reflect.ownKeys(value).map(String).join(','));
      stack.push(Object.getPrototypeOf(value));
      for (const key of Reflect.ownKeys(value)) {
        if (typeof key === 'string' && HOST_NAMES.includes(key)) hostish.push(key);
        const desc = Reflect.getOwnPropertyDescriptor(value, key);
        if ('value' in desc) stack.push(desc.value); else stack.push(desc.get, desc.set);
      }
    }
    return { reached: seen.size, hostish, unfrozen, globals: Reflect.ownKeys(globalThis).filter(isPresent).map(String).sort() };
    // a global V8 would not let the prelude delete (an extension function a host flag put there) is emptied
    function isPresent(key) { return key === 'undefined' || globalThis[key] !== undefined || Reflect.getOwnPropertyDescriptor(globalThis, key).configurable; }`;

/**
 * The same walk from values that carry the hidden intrinsics (iterator, generator and segments
 * prototypes), as a component reaches them. %SegmentsPrototype% and %SegmentIteratorPrototype%
 * are frozen on the first call of Intl.Segmenter.prototype.segment (harden.ts), before the value
 * that carries them is returned: this scan is such a first call.
 */
const SCAN_HIDDEN = replaceOnce(
  replaceOnce(
    SCAN,
    'const roots = [globalThis, this, Component, log, artifact, sleep, this.params, Object.getPrototypeOf(this)];',
  `const segments = new Intl.Segmenter('en', { granularity: 'word' }).segment('hidden intrinsics');
    const generator = (function* () {})();
    const asyncGenerator = (async function* () {})();
    const roots = [
      segments, segments[Symbol.iterator](), segments.containing(0), [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](),
      ''[Symbol.iterator](), /a/g[Symbol.matchAll]('aa'), generator, asyncGenerator, (async () => {})(),
      [].values().map((x) => x), Iterator.from({ next() { return { done: true }; } }), new Uint8Array(1), Object.getOwnPropertyDescriptor(Function.prototype, 'caller').get,
    ];`,
  ),
  'const mine = new Set([globalThis, this, Object.getPrototypeOf(this), Attack]);',
  // the carriers themselves are the component's own values, free to change, and so are its generator
  // functions' prototypes; what they lead to is not
  'const mine = new Set([globalThis, this, Object.getPrototypeOf(this), Attack, ...roots.slice(0, -1), Object.getPrototypeOf(generator), Object.getPrototypeOf(asyncGenerator)]);',
);

/** `text` with `what` replaced, which must be there exactly once (else the scan would quietly stay the plain one). */
function replaceOnce(text: string, what: string, by: string): string {
  if (text.split(what).length !== 2) throw new Error(`scan template: expected one ${JSON.stringify(what.slice(0, 40))}`);
  return text.replace(what, () => by);
}

const ECMASCRIPT_GLOBALS = [
  'AggregateError', 'Array', 'ArrayBuffer', 'AsyncDisposableStack', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'Boolean', 'DataView', 'Date',
  'DisposableStack', 'Error', 'EvalError', 'Float16Array', 'Float32Array', 'Float64Array', 'Function', 'Infinity',
  'Int16Array', 'Int32Array', 'Int8Array', 'Intl', 'Iterator', 'JSON', 'Map', 'Math', 'NaN', 'Number', 'Object', 'Promise', 'Proxy',
  'RangeError', 'ReferenceError', 'Reflect', 'RegExp', 'Set', 'String', 'SuppressedError', 'Symbol', 'SyntaxError', 'TypeError', 'URIError',
  'Uint16Array', 'Uint32Array', 'Uint8Array', 'Uint8ClampedArray', 'WeakMap', 'WeakRef', 'WeakSet', 'decodeURI', 'decodeURIComponent',
  'encodeURI', 'encodeURIComponent', 'escape', 'globalThis', 'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'undefined', 'unescape',
];

/** Every route to compiling a string or bytes at run time; each must be absent or throw. */
const CODEGEN_ROUTES: Readonly<Record<string, string>> = {
  'direct eval': "eval('1 + 1')",
  'indirect eval': "(0, globalThis.eval)('1 + 1')",
  'Function()': "Function('return 1')()",
  'new Function()': "new Function('return 1')()",
  'Function.prototype.constructor': "Function.prototype.constructor('return 1')()",
  'arrow function constructor': "(() => 1).constructor('return 1')()",
  'class constructor chain': "(class {}).constructor('return 1')()",
  'object constructor chain': "({}).constructor.constructor('return 1')()",
  'array constructor chain': "[].constructor.constructor('return 1')()",
  'string constructor chain': "''.constructor.constructor('return 1')()",
  'Reflect.construct(Function)': "Reflect.construct(Function, ['return 1'])()",
  'Function.bind': "Function.bind(null, 'return 1')()()",
  'Function.call': "Function.call(null, 'return 1')()",
  'AsyncFunction': "Object.getPrototypeOf(async function () {}).constructor('return 1')",
  'async arrow constructor': "(async () => 1).constructor('return 1')",
  'GeneratorFunction': "Object.getPrototypeOf(function* () {}).constructor('yield 1')",
  'AsyncGeneratorFunction': "Object.getPrototypeOf(async function* () {}).constructor('yield 1')",
  'generator object constructor chain': "(function* () {})().constructor.constructor('yield 1')",
  'bound method constructor': "[].map.bind([]).constructor('return 1')()",
  'Symbol.prototype constructor chain': "Symbol().constructor.constructor('return 1')()",
  'setTimeout with a string': "setTimeout('1', 0)",
  'setInterval with a string': "setInterval('1', 0)",
  'WebAssembly.compile': 'WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))',
  'WebAssembly.Module': 'new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))',
  'ShadowRealm.evaluate': "new ShadowRealm().evaluate('1')",
  'SharedArrayBuffer': 'new SharedArrayBuffer(8)',
  'Atomics.wait': 'Atomics.wait(new Int32Array(4), 0, 0, 1)',
  'console.log': "console.log('x')",
};

const codegenProbe = `
    const routes = ${JSON.stringify(CODEGEN_ROUTES)};
    const outcomes = {};
    for (const [name, expression] of Object.entries(routes)) {
      // each route as its own function so a ReferenceError for an absent global is per route
      let fn;
      try { fn = routeFunctions[name]; } catch (e) { outcomes[name] = 'blocked'; continue; }
      try { fn(); outcomes[name] = 'ALIVE'; } catch (e) { outcomes[name] = 'blocked: ' + e.name; }
    }
    return outcomes;`;
const routeFunctions = `const routeFunctions = {\n${Object.entries(CODEGEN_ROUTES)
  .map(([name, expression]) => `  ${JSON.stringify(name)}: () => ${expression},`)
  .join('\n')}\n};\n`;

export const SCENARIOS: readonly Scenario[] = [
  // ---- host objects -----------------------------------------------------------------------
  {
    name: 'nothing of the host is reachable, and every intrinsic is frozen',
    attack: 'searching the global object and every reachable prototype for host objects',
    source: component(`  run() {${SCAN}\n  }`, 'Component, log, artifact, sleep'),
    check: (result) => {
      const r = result as { reached: number; hostish: string[]; unfrozen: string[]; globals: string[] };
      if (r.reached < 500) throw new Error(`the scan reached only ${r.reached} objects`);
      expectEqual(r.hostish, [], 'host-object property names found');
      expectEqual(r.unfrozen, [], 'intrinsics left unfrozen');
      expectEqual(r.globals, ECMASCRIPT_GLOBALS, 'global names');
    },
  },
  {
    name: 'every hidden intrinsic is frozen when reached, those made on first use included',
    attack: 'polluting the prototypes only an iterator, a generator or a segmenter leads to',
    source: component(`  run() {${SCAN_HIDDEN}\n  }`, 'Component, log, artifact, sleep'),
    check: (result) => {
      const r = result as { reached: number; hostish: string[]; unfrozen: string[] };
      if (r.reached < 100) throw new Error(`the scan reached only ${r.reached} objects`);
      expectEqual(r.hostish, [], 'host-object property names found');
      expectEqual(r.unfrozen, [], 'intrinsics left unfrozen');
    },
  },
  // ---- run-time code generation -------------------------------------------------------------
  {
    name: 'every route to run-time code generation is absent or throws',
    attack: 'eval, Function and its hidden async/generator cousins, timers, WebAssembly, ShadowRealm',
    source: `${routeFunctions}${run(codegenProbe)}`,
    check: (result) => {
      const alive = Object.entries(result as Record<string, string>).filter(([, v]) => v === 'ALIVE');
      expectEqual(alive, [], 'routes that compiled code');
      expectEqual(Object.keys(result as object).length, Object.keys(CODEGEN_ROUTES).length, 'routes tried');
    },
  },
  {
    name: 'no code runs outside a call when V8 collects',
    attack: 'a FinalizationRegistry cleanup callback that loops (it would run at the next collection, with no CPU limit)',
    source: run(`
    const spin = () => { for (;;) {} };
    const attempts = [
      () => new FinalizationRegistry(spin).register({}, 1),
      () => new globalThis['Finalization' + 'Registry'](spin).register({}, 1),
    ];
    return attempts.map((attempt) => { try { attempt(); return 'ALIVE'; } catch (e) { return e.name; } });`),
    check: (result) => expectEqual(result, ['ReferenceError', 'TypeError'], 'FinalizationRegistry'),
  },
  {
    name: 'dynamic import() loads nothing',
    attack: 'import() at run time, of the one specifier every policy lets through (data: URLs and other specifiers are refused statically)',
    // every policy refuses other specifiers statically; the isolate is tested with the one they allow
    source: asyncRun(`
    try { await import('isoclass'); return 'ALIVE'; } catch (e) { return 'blocked'; }`),
    check: (result) => expectEqual(result, 'blocked', 'dynamic import'),
  },
  {
    name: 'the tamed constructors cannot be put back',
    attack: 'redefining Function.prototype.constructor and the Function global',
    source: run(`
    const attempts = [
      () => { Function.prototype.constructor = function () { return 1; }; },
      () => Object.defineProperty(Function.prototype, 'constructor', { value: 1 }),
      () => { globalThis.Function = function () {}; },
      () => Object.defineProperty(Object.getPrototypeOf(async () => {}), 'constructor', { value: 1 }),
    ];
    const outcomes = attempts.map((attempt) => { try { attempt(); return 'ALIVE'; } catch (e) { return e.name; } });
    // a function the component names eval is just a function: only the intrinsic eval compiles code
    globalThis.eval = (s) => s;
    outcomes.push(eval('1 + 1'));
    return outcomes;`),
    check: (result) => expectEqual(result, ['TypeError', 'TypeError', 'TypeError', 'TypeError', '1 + 1'], 'attempts'),
  },
  // ---- stack tricks -------------------------------------------------------------------------
  {
    name: 'Error.prepareStackTrace and stackTraceLimit cannot be set; stacks name no host file',
    attack: 'Error.prepareStackTrace to get CallSite objects (getThis, getFunction), stack contents',
    source: run(`
    const outcomes = [];
    try { Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getFunction()); outcomes.push('ALIVE'); } catch (e) { outcomes.push(e.name); }
    try { Error.stackTraceLimit = Infinity; outcomes.push('ALIVE'); } catch (e) { outcomes.push(e.name); }
    const holder = {};
    Error.captureStackTrace(holder);
    const stacks = [new Error('x').stack, holder.stack].join('\\n');
    outcomes.push(/\\/work\\/|node:|file:\\/\\/|\\.ts:|node_modules/.test(stacks) ? 'HOST PATH' : 'clean');
    return outcomes;`),
    check: (result) => expectEqual(result, ['TypeError', 'TypeError', 'clean'], 'stack tricks'),
  },
  {
    name: 'a thrown error is a ComponentError whose stack points into the component',
    attack: 'an error thrown from nested component functions',
    source: run(`
    const inner = () => { throw new TypeError('bad input'); };
    const outer = () => inner();
    outer();`),
    code: 'COMPONENT_THREW',
  },
  {
    name: 'a thrown value with hostile getters ends typed',
    attack: 'name, message and stack getters that throw or return objects',
    source: run(`
    const e = {};
    Object.defineProperty(e, 'name', { get() { throw new Error('no'); } });
    Object.defineProperty(e, 'message', { get() { return { toString() { return 'x'; } }; } });
    Object.defineProperty(e, 'stack', { get() { return 42; } });
    throw e;`),
    code: 'COMPONENT_THREW',
  },
  // ---- values the host copies out -----------------------------------------------------------
  {
    name: 'a getter in the result is refused, never invoked on the host',
    attack: 'a result object with an accessor property',
    source: run(`return { get secret() { return 1; } };`),
    code: 'RESULT_NOT_CLONEABLE',
  },
  {
    name: 'a proxy result is read once inside the isolate, as plain data',
    attack: 'a Proxy whose traps would run on the host',
    source: run(`return new Proxy({}, { ownKeys: () => ['a'], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true, writable: true }) });`),
    check: (result) => expectEqual(result, { a: 1 }, 'proxy result'),
  },
  {
    name: 'a proxy result with an accessor descriptor is refused',
    attack: 'a Proxy answering getOwnPropertyDescriptor with a getter',
    source: run(`return new Proxy({}, { ownKeys: () => ['a'], getOwnPropertyDescriptor: () => ({ get() { return 1; }, enumerable: true, configurable: true }) });`),
    code: 'RESULT_NOT_CLONEABLE',
  },
  {
    name: 'a proxy result whose ownKeys trap never returns ends in TIMEOUT',
    attack: 'a Proxy trap looping forever while the result is copied',
    source: run(`return new Proxy({}, { ownKeys() { for (;;) {} } });`),
    code: 'TIMEOUT',
  },
  {
    name: 'a thenable result is refused (its then never runs on the host)',
    attack: 'a result with a then method',
    source: run(`return { then(resolve) { resolve(1); } };`),
    code: 'RESULT_NOT_CLONEABLE',
  },
  {
    name: 'toJSON is not called: the result is its own data properties',
    attack: 'a class instance with toJSON',
    source: `import { Component } from 'isoclass';\nclass Money { constructor() { this.cents = 5; } toJSON() { return 'HOSTILE'; } }\nexport default class Attack extends Component { run() { return new Money(); } }\n`,
    check: (result) => expectEqual(result, { cents: 5 }, 'result'),
  },
  {
    name: 'a "__proto__" key stays an own property on the host',
    attack: 'prototype pollution of the host through a copied-out object',
    source: run(`return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');`),
    check: (result) => {
      if (({} as Record<string, unknown>)['polluted'] !== undefined) throw new Error('the host Object.prototype was polluted');
      const r = result as object;
      if (Object.getPrototypeOf(r) !== Object.prototype) throw new Error('the result has another prototype');
      if (!Object.hasOwn(r, '__proto__')) throw new Error('__proto__ was not kept as an own key');
    },
  },
  { name: 'a function in the result is refused', attack: 'non-cloneable result (function)', source: run('return { f() {} };'), code: 'RESULT_NOT_CLONEABLE' },
  { name: 'a symbol in the result is refused', attack: 'non-cloneable result (symbol)', source: run('return [Symbol("s")];'), code: 'RESULT_NOT_CLONEABLE' },
  { name: 'a WeakMap in the result is refused', attack: 'non-cloneable result (WeakMap)', source: run('return new WeakMap();'), code: 'RESULT_NOT_CLONEABLE' },
  { name: 'a cycle in the result is refused', attack: 'non-cloneable result (cycle)', source: run('const a = {}; a.self = a; return a;'), code: 'RESULT_NOT_CLONEABLE' },
  { name: 'a result nested 10000 deep is refused', attack: 'deep nesting to exhaust the host parser', source: run('let v = 1; for (let i = 0; i < 10000; i++) v = [v]; return v;'), code: 'RESULT_NOT_CLONEABLE' },
  { name: 'a huge string result is refused', attack: 'a huge result', source: run("return 'x'.repeat(1 << 20);"), code: 'RESULT_TOO_LARGE' },
  { name: 'a huge object result is refused', attack: 'a huge result', source: run('return Array.from({ length: 20000 }, (_, i) => ({ i }));'), code: 'RESULT_TOO_LARGE' },
  { name: 'a huge ArrayBuffer result is refused', attack: 'a huge result', source: run('return new Uint8Array(1 << 20);'), code: 'RESULT_TOO_LARGE' },
  {
    name: 'plain data of every kind round-trips',
    attack: '(control)',
    source: run(`return { n: -0, big: 10n, d: new Date(5), r: /a+/gi, m: new Map([[1, 'a']]), s: new Set([2]), u8: new Uint8Array([1, 2]), nan: NaN, u: undefined, nested: [[1], { x: null }] };`),
    check: (result) => {
      const r = result as Record<string, unknown>;
      if (!Object.is(r['n'], -0) || r['big'] !== 10n || !(r['d'] instanceof Date) || !(r['r'] instanceof RegExp) || !(r['m'] instanceof Map) || !(r['u8'] instanceof Uint8Array)) {
        throw new Error(`round trip lost types: ${String(Object.keys(r))}`);
      }
    },
  },
  // ---- loops, promises, recursion ----------------------------------------------------------
  { name: 'a synchronous infinite loop ends in TIMEOUT', attack: 'sync infinite loop', source: run('for (;;) {}'), code: 'TIMEOUT' },
  { name: 'a synchronous infinite loop through callSync ends in TIMEOUT', attack: 'sync infinite loop on the calling thread', source: run('for (;;) {}'), sync: true, code: 'TIMEOUT' },
  { name: 'an infinite loop after an await ends in TIMEOUT', attack: 'async infinite loop (microtask continuation)', source: asyncRun('await null; for (;;) {}'), code: 'TIMEOUT' },
  {
    name: 'sleeps past the pending limit are refused',
    attack: 'host timer flooding (each sleep is a host timer, outside the heap limit)',
    source: run("let started = 0; try { for (let i = 0; i < 100000; i++) { sleep(60000); started++; } } catch (e) { return [started, e.name, e.message]; } return [started];", 'Component, sleep'),
    check: (result) => {
      const [started, name, message] = result as [number, string?, string?];
      expectEqual([started, name], [1000, 'RangeError'], 'sleeps started before the refusal');
      if (!/sleeps are already pending/.test(message ?? '')) throw new Error(`unexpected refusal: ${message}`);
    },
  },
  { name: 'an infinite loop after a sleep ends in TIMEOUT', attack: 'async infinite loop (timer continuation)', source: asyncRun('await sleep(1); for (;;) {}', 'Component, sleep'), code: 'TIMEOUT' },
  { name: 'an endless chain of microtasks ends in TIMEOUT', attack: 'microtask infinite loop', source: run('const f = () => { Promise.resolve().then(f); }; f(); return 1;'), code: 'TIMEOUT' },
  { name: 'a promise that never settles ends in WALL_TIMEOUT', attack: 'a promise that never settles', source: run('return new Promise(() => {});'), code: 'WALL_TIMEOUT' },
  { name: 'a sleep longer than the deadline ends in WALL_TIMEOUT', attack: 'a timer past the wall-clock deadline', source: asyncRun('await sleep(60000); return 1;', 'Component, sleep'), code: 'WALL_TIMEOUT' },
  { name: 'a promise returned to callSync is refused', attack: 'an async method called synchronously', source: asyncRun('return 1;'), sync: true, code: 'RESULT_NOT_CLONEABLE' },
  { name: 'deep recursion is the component\'s own RangeError', attack: 'deep recursion', source: run('const f = (n) => f(n + 1) + 1; return f(0);'), code: 'COMPONENT_THREW' },
  // ---- unhandled rejections -----------------------------------------------------------------
  {
    name: 'an unhandled rejection does not replace the call\'s result',
    attack: 'a stray rejected promise in a synchronous call',
    source: run("Promise.reject(new Error('Script execution timed out.')); return 7;"),
    check: (result) => expectEqual(result, 7, 'result'),
  },
  {
    name: 'an unhandled rejection does not replace a synchronous call\'s result (callSync)',
    attack: 'a stray rejected promise that claims to be a timeout, on the calling thread',
    source: run("Promise.reject(new Error('Script execution timed out.')); return 7;"),
    sync: true,
    check: (result) => expectEqual(result, 7, 'result'),
  },
  {
    name: 'an unhandled rejection in an async call does not replace its result',
    attack: 'a stray rejected promise in an async call',
    source: asyncRun("Promise.reject(new Error('Isolate was disposed during execution due to memory limit')); await null; return 8;"),
    check: (result) => expectEqual(result, 8, 'result'),
  },
  // ---- capabilities -------------------------------------------------------------------------
  {
    name: 'artifact() hands out a fresh read-only copy each time',
    attack: 'changing the bytes of an artifact for later readers',
    source: run("const a = artifact('data'); a[0] = 99; const b = artifact('data'); return [a[0], b[0], b.length];", 'Component, artifact'),
    check: (result) => expectEqual(result, [99, 1, 3], 'artifact bytes'),
  },
  {
    name: 'artifact() refuses names the record does not list',
    attack: 'reading outside the record (path traversal)',
    source: run("try { artifact('../../etc/passwd'); return 'ALIVE'; } catch (e) { return /no artifact named/.test(e.message) && !/\\/etc\\//.test(e.stack.split('\\n').slice(1).join('')) ? 'refused' : e.message; }", 'Component, artifact'),
    check: (result) => expectEqual(result, 'refused', 'artifact outside the record'),
  },
  {
    name: 'a flood of log() lines does not fail the call',
    attack: '(control: the rate limit itself is checked in scenarios.test.ts)',
    source: run("for (let i = 0; i < 5000; i++) log('line', i, { i }); return 1;", 'Component, log'),
    check: (result) => expectEqual(result, 1, 'result'),
  },
  // ---- prototype pollution ------------------------------------------------------------------
  {
    name: 'changing an intrinsic fails',
    attack: 'prototype pollution of Object.prototype and Array.prototype',
    source: run(`
    const attempts = [
      () => { Object.prototype.polluted = 1; },
      () => { Array.prototype.push = () => 0; },
      () => { delete Array.prototype.map; },
      () => Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'x' }),
      () => Object.setPrototypeOf(Array.prototype, null),
      () => { JSON.parse = () => 1; },
      () => { Promise.prototype.then = () => 1; },
    ];
    return attempts.map((attempt) => { try { attempt(); return 'ALIVE'; } catch (e) { return e.name; } });`),
    check: (result) => expectEqual(result, ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'], 'pollution attempts'),
  },
  {
    name: 'overriding an inherited method on an instance still works',
    attack: '(control: the override mistake is tamed)',
    source: run("const o = {}; o.toString = () => 'own'; class E extends Error {} const e = new E('m'); e.name = 'Mine'; function F() {} F.prototype.constructor = F; return [String(o), e.name, F.prototype.constructor === F];"),
    check: (result) => expectEqual(result, ['own', 'Mine', true], 'overrides'),
  },
];

/** A pollution attempt in one tenant, checked from another tenant's component (and the same tenant's next one). */
export const POLLUTER = run(`
    for (const attempt of [() => { Object.prototype.polluted = 1; }, () => { Array.prototype.includes = () => true; }, () => { globalThis.shared = 'from the polluter'; }]) {
      try { attempt(); } catch (e) {}
    }
    return 1;`);
export const POLLUTION_CHECK = run(`return [({}).polluted, [].includes(1), typeof globalThis.shared];`);
