/**
 * Memory and CPU bombs: every shape that escaped the isolate's limits in the probes of issue 5
 * (.tmp/memprobe, summarised in docs/sandbox-limits.md), each as a component method `run`, with
 * the typed error it must end in. Run only through run-guarded.ts: in a child process whose
 * resident memory and wall time are watched, so a regression kills the child, not the machine.
 */
export type Expected = 'MEMORY_LIMIT' | 'TIMEOUT' | 'COMPONENT_THREW';

export interface Bomb {
  readonly name: string;
  /** What the probes saw without the defence. */
  readonly escaped: string;
  /** Body of `run()`. */
  readonly body: string;
  /** The typed error it ends in (either of two when the race between them depends on machine speed). */
  readonly expect: Expected | readonly [Expected, Expected];
}

export function expectedCodes(bomb: Bomb): readonly string[] {
  return typeof bomb.expect === 'string' ? [bomb.expect] : bomb.expect;
}

// Optimise the loop first (discard what it makes), then retain: the deterministic worst case.
const warm = (expr: string, pre = ''): string => `${pre}\nconst a = []; for (let i = 0; ; i++) { a.push(${expr}); if (i < 20000) a.length = 0; }`;
const doubled = "let s = 'x'; for (let i = 0; i < 27; i++) s += s;";

/** The escapes through optimised loops with no interrupt check (fixed by the V8 flag, v8-flags.ts). */
export const LOOP_BOMBS: readonly Bomb[] = [
  { name: 'the report: push(new Array(1000).fill(1)) forever', escaped: 'host grew to 15 GB', body: 'const a = []; for (;;) a.push(new Array(1000).fill(1));', expect: 'MEMORY_LIMIT' },
  { name: 'push(new Array(1000).fill(1.5)) (double elements)', escaped: 'RSS > 1.5 GB', body: 'const a = []; for (;;) a.push(new Array(1000).fill(1.5));', expect: 'MEMORY_LIMIT' },
  { name: 'push(new Array(1000).fill({})) (object elements)', escaped: 'RSS > 1.5 GB', body: 'const a = []; for (;;) a.push(new Array(1000).fill({}));', expect: 'MEMORY_LIMIT' },
  { name: 'warmed loop of new Array(1000) (holey, no fill)', escaped: 'RSS > 1.5 GB', body: warm('new Array(1000)'), expect: 'MEMORY_LIMIT' },
  { name: 'warmed loop of new Array(17)', escaped: 'RSS > 1.5 GB', body: warm('new Array(17)'), expect: 'MEMORY_LIMIT' },
  { name: 'warmed loop of new Array(10 * 100) (constant-folded)', escaped: 'RSS > 1.5 GB', body: warm('new Array(10 * 100)'), expect: 'MEMORY_LIMIT' },
  { name: 'warmed loop through an inlined callee mk(1000)', escaped: 'RSS > 1.5 GB', body: warm('mk(1000)', 'const mk = (n) => new Array(n);'), expect: 'MEMORY_LIMIT' },
  { name: 'warmed loop of [...new Array(1000)]', escaped: 'RSS > 1.5 GB', body: warm('[...new Array(1000)]'), expect: 'MEMORY_LIMIT' },
  { name: 'warmed loop of ({ b: new Array(1000) })', escaped: 'RSS > 1.5 GB', body: warm('({ b: new Array(1000) })'), expect: 'MEMORY_LIMIT' },
  { name: 'non-retaining loop of new Array(1000) (CPU only)', escaped: 'ignored the CPU timeout forever', body: 'for (;;) globalThis.sink = new Array(1000);', expect: 'TIMEOUT' },
];

/** The escapes through one native builtin call (fixed by the bounded builtins, prelude/bounds.ts). */
export const BUILTIN_BOMBS: readonly Bomb[] = [
  { name: 'new Array(2**32 - 1).fill(1)', escaped: 'process aborted (V8 out of memory)', body: 'return new Array(2 ** 32 - 1).fill(1);', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.fill.call({ length: 1e9 }, 1)', escaped: 'RSS > 1.5 GB', body: 'return Array.prototype.fill.call({ length: 1e9 }, 1);', expect: 'MEMORY_LIMIT' },
  { name: 'Array.from({ length: 1e9 })', escaped: 'process aborted (V8 out of memory)', body: 'return Array.from({ length: 1e9 });', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.map.call({ length: 1e9 }, f)', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.map.call({ length: 1e9 }, (x) => x);', expect: 'MEMORY_LIMIT' },
  { name: 'Array(1e8).toSorted()', escaped: 'ran 11 s past the timeout, 1.2 GB', body: 'return Array(1e8).toSorted();', expect: 'MEMORY_LIMIT' },
  { name: 'Array(1e8).toReversed()', escaped: 'ignored the CPU timeout, 1.2 GB', body: 'return Array(1e8).toReversed();', expect: 'MEMORY_LIMIT' },
  { name: 'Array(1e8).with(0, 1)', escaped: 'ignored the CPU timeout, 1.2 GB', body: 'return Array(1e8).with(0, 1);', expect: 'MEMORY_LIMIT' },
  { name: 'new Array(1e8).copyWithin(0, 1)', escaped: 'ignored the CPU timeout, 1.4 GB', body: 'return new Array(1e8).copyWithin(0, 1);', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.copyWithin.call({ length: 1e9 }, 0, 1)', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.copyWithin.call({ length: 1e9 }, 0, 1);', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.sort.call({ length: 1e9 })', escaped: 'process aborted at once', body: 'return Array.prototype.sort.call({ length: 1e9 });', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.indexOf.call({ length: 2**53 - 1 }, 1)', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.indexOf.call({ length: 2 ** 53 - 1 }, 1);', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.lastIndexOf.call({ length: 2**53 - 1 }, 1)', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.lastIndexOf.call({ length: 2 ** 53 - 1 }, 1);', expect: 'MEMORY_LIMIT' },
  { name: 'new Array(2**32 - 1).indexOf(1)', escaped: 'ignored the CPU timeout', body: 'return new Array(2 ** 32 - 1).indexOf(1);', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.shift.call({ length: 1e9 })', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.shift.call({ length: 1e9 });', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.reverse.call({ length: 1e9 })', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.reverse.call({ length: 1e9 });', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.splice.call({ length: 1e9 }, 0, 1)', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.splice.call({ length: 1e9 }, 0, 1);', expect: 'MEMORY_LIMIT' },
  { name: 'new Array(2**32 - 1).forEach(f)', escaped: 'ignored the CPU timeout', body: 'return new Array(2 ** 32 - 1).forEach((x) => x);', expect: 'MEMORY_LIMIT' },
  { name: 'new Array(2**32 - 1).some(f)', escaped: 'ignored the CPU timeout', body: 'return new Array(2 ** 32 - 1).some((x) => x);', expect: 'MEMORY_LIMIT' },
  { name: 'new Array(2**32 - 1).reduce(f, 0)', escaped: 'ignored the CPU timeout', body: 'return new Array(2 ** 32 - 1).reduce((a) => a, 0);', expect: 'MEMORY_LIMIT' },
  { name: 'new Array(2**32 - 1).filter(f)', escaped: 'ignored the CPU timeout', body: 'return new Array(2 ** 32 - 1).filter((x) => x);', expect: 'MEMORY_LIMIT' },
  { name: '[new Array(2**32 - 1)].flat()', escaped: 'ignored the CPU timeout', body: 'return [new Array(2 ** 32 - 1)].flat();', expect: 'MEMORY_LIMIT' },
  { name: 'Array.prototype.toString.call({ length: 1e9, join })', escaped: 'ignored the CPU timeout', body: 'return Array.prototype.toString.call({ length: 1e9, join: Array.prototype.join });', expect: 'MEMORY_LIMIT' },
  { name: 'JSON.stringify(new Array(1e8))', escaped: 'RSS > 1.5 GB', body: 'return JSON.stringify(new Array(1e8)).length;', expect: 'MEMORY_LIMIT' },
  { name: 'a proxy that lies about its length to JSON.stringify', escaped: '(no probe: the proxy variant of the above)', body: 'const t = new Array(2 ** 32 - 1); const h = { get(o, k) { delete h.get; return k === "length" ? 1 : o[k]; } }; return JSON.stringify(new Proxy(t, h)).length;', expect: 'MEMORY_LIMIT' },
  { name: '"ab".repeat(2**27).split("")', escaped: 'process aborted (V8 CHECK)', body: 'return "ab".repeat(2 ** 27).split("").length;', expect: 'MEMORY_LIMIT' },
  { name: 'a doubled 2**27-character string .split("")', escaped: 'process aborted (V8 CHECK)', body: `${doubled} return s.split('').length;`, expect: 'MEMORY_LIMIT' },
  { name: '"a".repeat(2**28).match(/a/g)', escaped: 'process aborted (V8 CHECK)', body: 'return "a".repeat(2 ** 28).match(/a/g).length;', expect: 'MEMORY_LIMIT' },
  { name: 'a doubled 2**27-character string .match(/x/g)', escaped: 'process aborted (V8 CHECK)', body: `${doubled} return s.match(/x/g).length;`, expect: 'MEMORY_LIMIT' },
  { name: '"a".repeat(2**27).replaceAll("a", "bb")', escaped: 'RSS > 1.5 GB', body: 'return "a".repeat(2 ** 27).replaceAll("a", "bb").length;', expect: 'MEMORY_LIMIT' },
  { name: 'a doubled string .replace(/x/g, "$\'") (quadratic)', escaped: '(no probe: the quadratic replacement)', body: "let s = 'x'; for (let i = 0; i < 20; i++) s += s; return s.replace(/x/g, \"$'\").length;", expect: 'MEMORY_LIMIT' },
  { name: '"x".repeat(2**29 - 24) (one allocation 32x the limit)', escaped: 'completed, 565 MB resident under a 16 MB limit', body: 'return "x".repeat(2 ** 29 - 24).length;', expect: 'MEMORY_LIMIT' },
  { name: '"".padEnd(2**29 - 24, "ab")', escaped: 'completed, 565 MB resident under a 16 MB limit', body: 'return "".padEnd(2 ** 29 - 24, "ab").length;', expect: 'MEMORY_LIMIT' },
  { name: '"\\uFDFA".repeat(2**24).normalize("NFKD")', escaped: '1.25 GB outside the V8 heap (ICU)', body: 'return "\\uFDFA".repeat(2 ** 24).normalize("NFKD").length;', expect: 'MEMORY_LIMIT' },
  { name: 'Object.keys of a 15 MB typed array', escaped: 'ignored the CPU timeout, 500 MB', body: 'return Object.keys(new Uint8Array(15e6)).length;', expect: 'MEMORY_LIMIT' },
  { name: 'Object.keys of a doubled 2**27-character string', escaped: 'ignored the CPU timeout, 800 MB', body: `${doubled} return Object.keys(s).length;`, expect: 'MEMORY_LIMIT' },
  { name: 'Object.assign({}, doubled string)', escaped: 'ignored the CPU timeout, 800 MB', body: `${doubled} return Object.keys(Object.assign({}, s)).length;`, expect: 'MEMORY_LIMIT' },
  { name: '64 resizable ArrayBuffers of 256 MB', escaped: 'RSS > 1.5 GB (the page allocator is not limited)', body: 'const a = []; for (let i = 0; i < 64; i++) { const b = new ArrayBuffer(0, { maxByteLength: 2 ** 28 }); b.resize(2 ** 28); new Uint8Array(b).fill(1); a.push(b); } return a.length;', expect: 'COMPONENT_THREW' },
  { name: 'new ArrayBuffer(2**31)', escaped: '(refused by the allocator; must end typed)', body: 'return new ArrayBuffer(2 ** 31).byteLength;', expect: 'MEMORY_LIMIT' },
  { name: 'a budget error caught and ignored', escaped: '(the component swallows the RangeError)', body: 'try { new Array(2 ** 32 - 1).fill(0); } catch (e) {} return 1;', expect: 'MEMORY_LIMIT' },
  { name: 'string concat with flattening (quadratic CPU)', escaped: 'hung past 10 s with no timeout', body: "let s = ''; let c = 0; for (let i = 0; ; i++) { s += 'abcdefghij' + i; c += s.charCodeAt(s.length >> 1); }", expect: 'TIMEOUT' },
  { name: 'catastrophic regexp backtracking', escaped: '(stopped by the timeout: a regression check)', body: 'return /(a+)+$/.test("a".repeat(40) + "b");', expect: 'TIMEOUT' },
];

/**
 * Heap bombs whose hash tables grow by doubling: V8 fails the table's allocation fatally
 * (CALL_AND_RETRY_LAST) before isolated-vm's graceful limit is reached. Contained by the
 * catastrophic-error handler (isolate-host.ts): the process lives, the isolate is written off.
 * On a loaded machine the 500 ms CPU budget can end them before the heap fills (seen in CI-like
 * runs): either ending is contained, and an abort still fails the test.
 */
const HEAP_OR_CPU: readonly [Expected, Expected] = ['MEMORY_LIMIT', 'TIMEOUT'];
export const HASH_TABLE_BOMBS: readonly Bomb[] = [
  { name: 'heap bomb: objects in a Map', escaped: 'process aborted (V8 out of memory, CALL_AND_RETRY_LAST)', body: 'const m = new Map(); for (let i = 0; ; i++) m.set(i, { i, s: "x" + i });', expect: HEAP_OR_CPU },
  { name: 'heap bomb: properties of one object', escaped: 'process aborted (V8 out of memory, CALL_AND_RETRY_LAST)', body: 'const o = {}; for (let i = 0; ; i++) o["k" + i] = i;', expect: HEAP_OR_CPU },
  { name: 'heap bomb: strings in a Set', escaped: 'process aborted (V8 out of memory, CALL_AND_RETRY_LAST)', body: 'const m = new Set(); for (let i = 0; ; i++) m.add("x" + i);', expect: HEAP_OR_CPU },
];

/** The heap and ArrayBuffer bombs run in every mode. */
export const CORE_BOMBS: readonly Bomb[] = [
  LOOP_BOMBS[0] as Bomb,
  HASH_TABLE_BOMBS[0] as Bomb,
  { name: 'heap bomb: small objects in an array', escaped: '(a regression check)', body: 'const a = []; for (let i = 0; ; i++) a.push({ i, s: "x" + i });', expect: ['MEMORY_LIMIT', 'TIMEOUT'] },
  { name: 'ArrayBuffer bomb: 1 MB buffers kept', escaped: '(a regression check)', body: 'const a = []; for (;;) a.push(new ArrayBuffer(1 << 20));', expect: 'MEMORY_LIMIT' },
  BUILTIN_BOMBS[0] as Bomb,
];

export function bombSource(bomb: Bomb): string {
  return `import { Component } from 'isoclass';\nexport default class Bomb extends Component {\n  run() {\n${bomb.body}\n  }\n}\n`;
}
