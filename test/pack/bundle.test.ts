/**
 * packFile: component files (TypeScript included) bundled with their relative imports — and
 * real npm packages when listed — then run in the isolate with the same results as the same
 * bundled code imported in the host.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadComponent } from '../../src/loader.ts';
import { PackError, type PackErrorCode } from '../../src/pack/errors.ts';
import { packFile } from '../../src/pack/pack.ts';
import { PolicyError } from '../../src/policy/errors.ts';
import { ROOT, tempDir, testKey, testTrust } from '../helpers.ts';
import { assertSameInHostAndIsolate, importInHost, type Call } from './harness.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures');

interface FileCase {
  readonly name: string;
  readonly file: string;
  readonly export?: string;
  readonly bundle?: string[];
  /** The policy it legitimately runs under, and why (see the fixture policy's description). */
  readonly policy: string;
  readonly params: Record<string, unknown>;
  readonly calls: readonly Call[];
  readonly files: readonly string[];
  readonly packages?: readonly string[];
}

const CASES: readonly FileCase[] = [
  {
    name: 'TypeScript: interfaces, generics, enums, relative imports, the default export',
    file: 'components/task-board.ts',
    policy: 'default',
    params: { capacity: 3 },
    calls: [['add', ['a', 'Low']], ['add', ['b', 'Urgent']], ['add', ['c', 'Normal']], ['pending', []], ['summary', []], ['next', []], ['add', ['d', 'Low']], ['add', ['e', 'Low']]],
    files: ['priority.ts', 'task-board.ts', 'typed-queue.ts'],
  },
  {
    name: 'TypeScript: a named export (--export TaskBoard)',
    file: 'components/task-board.ts',
    export: 'TaskBoard',
    policy: 'default', // an enum compiles to computed keys, which strict refuses
    params: { capacity: 1 },
    calls: [['add', ['a', 'Normal']], ['next', []], ['next', []], ['add', ['b', 'Low']], ['add', ['c', 'Low']]],
    files: ['priority.ts', 'task-board.ts', 'typed-queue.ts'],
  },
  {
    // quick-lru is plain modern ESM (a class extending Map, #private fields, generators): the default policy suffices
    name: 'npm: quick-lru (an LRU cache), under the default policy',
    file: 'packages/lru-cache.ts',
    bundle: ['quick-lru'],
    policy: 'default',
    params: { maxSize: 2 },
    calls: [['put', ['a', 1]], ['put', ['b', 2]], ['get', ['a']], ['put', ['c', 3]], ['get', ['b']], ['entries', []], ['keys', []], ['resize', [1]]],
    files: ['lru-cache.ts'],
    packages: ['quick-lru'],
  },
  {
    // mitt is a closure over a Map: the default policy suffices
    name: 'npm: mitt (an event emitter), under the default policy',
    file: 'packages/mitt-events.ts',
    bundle: ['mitt'],
    policy: 'default',
    params: {},
    calls: [['emit', ['order', { id: 'o1', total: 5 }]], ['emit', ['refund', { id: 'o1' }]], ['emit', ['order', { id: 'o2', total: 2.5 }]], ['clear', []]],
    files: ['mitt-events.ts'],
    packages: ['mitt'],
  },
  {
    // eventemitter3 is ES5 CommonJS: prototype assignments and esbuild's CJS interop need member
    // names the default policy denies as defence in depth (test/fixtures/policies/es5-library.json)
    name: 'npm: eventemitter3 (an ES5 CommonJS event emitter), under the es5-library fixture policy',
    file: 'packages/eventemitter3-events.ts',
    bundle: ['eventemitter3'],
    policy: join(FIXTURES, 'policies', 'es5-library.json'),
    params: {},
    calls: [['hit', ['/a']], ['hit', ['/a']], ['hit', ['/b']], ['listeners', []]],
    files: ['eventemitter3-events.ts'],
    packages: ['eventemitter3'],
  },
  {
    // smol-toml feature-detects Temporal through globalThis (test/fixtures/policies/feature-detecting-library.json)
    name: 'npm: smol-toml (a TOML parser), under the feature-detecting-library fixture policy',
    file: 'packages/toml-config.ts',
    bundle: ['smol-toml'],
    policy: join(FIXTURES, 'policies', 'feature-detecting-library.json'),
    params: {},
    calls: [
      ['read', ['title = "zoo"\n[owner]\nname = "Ann"\ntags = ["a", "b"]\n[[animals]]\nkind = "lynx"\ncount = 2\n']],
      ['write', [{ a: 1, t: { b: [1, 2], c: 'x' } }]],
      ['check', ['a = ']],
      ['check', ['a = 1\na = 2']],
    ],
    files: ['toml-config.ts'],
    packages: ['smol-toml'],
  },
];

describe('packFile: bundled components run in the isolate as the same bundle does in the host', () => {
  for (const c of CASES) {
    it(c.name, async (t) => {
      const { envelope, record } = await packFile(join(FIXTURES, c.file), {
        keys: [testKey().seed],
        tenant: 'zoo',
        params: c.params,
        policy: c.policy,
        ...(c.export ? { export: c.export } : {}),
        ...(c.bundle ? { bundle: c.bundle } : {}),
      });
      assert.deepEqual(record.capture?.['files'], c.files);
      const packages = (record.capture?.['packages'] ?? []) as { name: string; version: string }[];
      assert.deepEqual(packages.map((p) => p.name), c.packages ?? []);
      for (const p of packages) assert.match(p.version, /^\d+\.\d+\.\d+/, `${p.name} has its installed version`);
      assert.doesNotMatch(record.code.source, /from\s*["'](?!isoclass["'])/, 'the only import left is isoclass');
      const sources = (JSON.parse(record.code.sourceMap ?? '{}') as { sources: string[] }).sources;
      assert.ok(sources.every((s) => !s.startsWith('/')), `source map paths are relative to the component file: ${sources.join(', ')}`);

      const hostModule = await importInHost(record.code.source, tempDir(t));
      const HostClass = hostModule[c.export ?? 'default'] as new (params: unknown) => object;
      const component = await loadComponent(envelope, { trust: testTrust(), tenant: 'zoo', policy: c.policy });
      try {
        await assertSameInHostAndIsolate(new HostClass(c.params), component, c.calls);
      } finally {
        component.dispose();
      }
    });
  }

  it('maps a TypeScript component throw back to its .ts file and line', async () => {
    const { envelope } = await packFile(join(FIXTURES, 'components', 'task-board.ts'), { keys: [testKey().seed], params: { capacity: 0 } });
    const component = await loadComponent(envelope, { trust: testTrust() });
    try {
      await assert.rejects(component.call('add', ['x', 'Low']), (error: unknown) => {
        const stack = String((error as { componentStack?: unknown }).componentStack);
        assert.match(stack, /at SummaryBoard\.add \(component:default\/task-board@1\/task-board\.ts:25:13\)/);
        assert.match(String((error as { details?: { bundleStack?: unknown } }).details?.bundleStack), /component:default\/task-board@1\.js:\d+:\d+/, 'the bundle position is kept in details');
        return true;
      });
    } finally {
      component.dispose();
    }
  });

  it('replaces process.env.NODE_ENV with "production" (libraries branch on it; the isolate has no process)', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'env.ts'), `import { Component } from 'isoclass';\nexport default class Env extends Component {\n  mode(): string { return process.env.NODE_ENV === 'production' ? 'prod' : 'dev'; }\n}\n`);
    const { envelope, record } = await packFile(join(dir, 'env.ts'), { keys: [testKey().seed] });
    assert.doesNotMatch(record.code.source, /process/);
    const component = await loadComponent(envelope, { trust: testTrust() });
    try {
      assert.equal(await component.call('mode'), 'prod');
    } finally {
      component.dispose();
    }
  });
});

interface RefusalCase {
  readonly name: string;
  /** Files to write into a fresh folder; the first is the component. */
  readonly files: Readonly<Record<string, string>>;
  readonly bundle?: string[];
  readonly export?: string;
  readonly code: PackErrorCode;
  readonly message: RegExp;
}

const COMPONENT = (body: string, imports = ''): string => `import { Component } from 'isoclass';\n${imports}\nexport default class C extends Component {\n${body}\n}\n`;

const REFUSALS: readonly RefusalCase[] = [
  {
    name: 'a package import that is not listed',
    files: { 'comp.ts': COMPONENT('  f() { return new QuickLRU({ maxSize: 1 }); }', "import QuickLRU from 'quick-lru';") },
    code: 'PACK_IMPORT_NOT_ALLOWED',
    message: /comp\.ts:2:\d+: import of package "quick-lru" \(imported by comp\.ts\) is not allowed: a component may import only "isoclass" and files by relative path\. To bundle the package's published files into the component, list it: bundle: \['quick-lru'\] \(isoclass pack --bundle quick-lru\)/,
  },
  {
    name: 'a Node built-in, even when listed',
    files: { 'comp.ts': COMPONENT('  f() { return readFileSync; }', "import { readFileSync } from 'node:fs';") },
    code: 'PACK_IMPORT_NOT_ALLOWED',
    message: /import of the Node built-in "node:fs" \(imported by comp\.ts\) is not allowed: a component runs in an isolate without Node's APIs/,
  },
  {
    name: 'a package imported by a listed package, itself not listed',
    files: {
      'comp.ts': COMPONENT('  f() { return outer(); }', "import outer from 'outer';"),
      'node_modules/outer/package.json': JSON.stringify({ name: 'outer', version: '1.0.0', type: 'module', main: 'index.js' }),
      'node_modules/outer/index.js': "import inner from 'inner';\nexport default function outer() { return inner(); }\n",
      'node_modules/inner/package.json': JSON.stringify({ name: 'inner', version: '2.0.0', type: 'module', main: 'index.js' }),
      'node_modules/inner/index.js': 'export default function inner() { return 1; }\n',
    },
    bundle: ['outer'],
    code: 'PACK_IMPORT_NOT_ALLOWED',
    message: /import of package "inner" \(imported by node_modules\/outer\/index\.js\) is not allowed: .*bundle: \['inner'\]/,
  },
  {
    name: 'a listed package that imports a Node built-in',
    files: {
      'comp.ts': COMPONENT('  f() { return hash(); }', "import hash from 'hasher';"),
      'node_modules/hasher/package.json': JSON.stringify({ name: 'hasher', version: '1.0.0', type: 'module', main: 'index.js' }),
      'node_modules/hasher/index.js': "import { createHash } from 'crypto';\nexport default function hash() { return createHash('sha256'); }\n",
    },
    bundle: ['hasher'],
    code: 'PACK_IMPORT_NOT_ALLOWED',
    message: /import of the Node built-in "crypto" \(imported by node_modules\/hasher\/index\.js\) is not allowed/,
  },
  { name: 'a bundle entry that is not a package name', files: { 'comp.ts': COMPONENT('') }, bundle: ['../evil'], code: 'PACK_OPTIONS_INVALID', message: /bundle\[0\] is "\.\.\/evil", not an npm package name/ },
  { name: 'bundling the runtime module', files: { 'comp.ts': COMPONENT('') }, bundle: ['isoclass'], code: 'PACK_OPTIONS_INVALID', message: /bundle\[0\] is "isoclass", which cannot be bundled: the runtime module is provided by the loader/ },
  { name: 'bundling a Node built-in', files: { 'comp.ts': COMPONENT('') }, bundle: ['fs'], code: 'PACK_OPTIONS_INVALID', message: /bundle\[0\] is "fs", which cannot be bundled: it is one of Node's built-in modules/ },
  { name: 'a syntax error, with its file and line', files: { 'comp.ts': COMPONENT('  f() { return 1 +; }') }, code: 'PACK_BUNDLE_FAILED', message: /cannot bundle .*comp\.ts: .*comp\.ts:4:\d+: Unexpected ";"/ },
  { name: 'a missing relative import', files: { 'comp.ts': COMPONENT('  f() { return x; }', "import { x } from './missing.ts';") }, code: 'PACK_BUNDLE_FAILED', message: /Could not resolve "\.\/missing\.ts"/ },
  { name: 'no class at the requested export', files: { 'comp.ts': COMPONENT('') }, export: 'Nope', code: 'PACK_EXPORT_NOT_FOUND', message: /the module has no class exported as "Nope"; export the class as default or name it with --export/ },
];

describe('packFile refuses what cannot be bundled', () => {
  for (const c of REFUSALS) {
    it(`${c.name} (${c.code})`, async (t) => {
      const dir = tempDir(t);
      for (const [name, text] of Object.entries(c.files)) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      const entry = join(dir, Object.keys(c.files)[0] as string);
      await assert.rejects(packFile(entry, { keys: [testKey().seed], ...(c.bundle ? { bundle: c.bundle } : {}), ...(c.export ? { export: c.export } : {}) }), (error: unknown) => {
        assert.ok(error instanceof PackError, String(error));
        assert.equal(error.code, c.code, error.message);
        assert.match(error.message, c.message);
        return true;
      });
    });
  }

  it('a missing file (PACK_FILE_NOT_FOUND)', async () => {
    await assert.rejects(packFile('/nonexistent/comp.ts', { keys: [testKey().seed] }), (e: unknown) => e instanceof PackError && e.code === 'PACK_FILE_NOT_FOUND' && /\/nonexistent\/comp\.ts does not exist/.test(e.message));
  });

  it('a policy violation, reported at the TypeScript file, line and column (POLICY_VIOLATION)', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'helper.ts'), 'export function run(code: string): unknown {\n  // a comment so lines differ from the bundle\n  return eval(code);\n}\n');
    writeFileSync(join(dir, 'comp.ts'), COMPONENT('  f(code: string) { return run(code); }', "import { run } from './helper.ts';"));
    await assert.rejects(packFile(join(dir, 'comp.ts'), { keys: [testKey().seed] }), (error: unknown) => {
      assert.ok(error instanceof PolicyError);
      const violation = error.violations[0] as { file?: string; line: number; column: number; frame: string };
      assert.deepEqual([violation.file, violation.line, violation.column], ['helper.ts', 3, 10]);
      assert.match(violation.frame, /> 3 \|   return eval\(code\);/, 'the frame shows the original TypeScript line');
      assert.match(error.message, /helper\.ts:3:10 global: global "eval" is not allowed/);
      return true;
    });
  });

  it('a CommonJS package under the default policy: violations at the package files and at the bundler helpers, with what to do', async () => {
    // the zoo's eventemitter3 component, without the fixture policy written for it
    await assert.rejects(packFile(join(FIXTURES, 'packages', 'eventemitter3-events.ts'), { keys: [testKey().seed], bundle: ['eventemitter3'] }), (error: unknown) => {
      assert.ok(error instanceof PolicyError, String(error));
      const files = new Set(error.violations.map((v) => (v as { file?: string }).file));
      assert.ok(files.has('(bundler-generated code)'), [...files].join(', '));
      assert.ok([...files].some((f) => f !== undefined && /node_modules\/eventemitter3\/index\.js$/.test(f)), [...files].join(', '));
      assert.match(error.message, /in code the bundler generated, not in any file: esbuild's helpers for a CommonJS package .* Bundle a package that ships an ES-module build, or pack under a policy written for it/);
      return true;
    });
  });

  it('a loader whose policy refuses a packed component reports the writer\'s file and line, through the signed source map', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'helper.ts'), 'export function run(code: string): unknown {\n  // a comment so lines differ from the bundle\n  return eval(code);\n}\n');
    writeFileSync(join(dir, 'comp.ts'), COMPONENT('  f(code: string) { return run(code); }', "import { run } from './helper.ts';"));
    const key = testKey();
    // packed under a policy that allows it; loaded where the default policy is in force
    const { envelope } = await packFile(join(dir, 'comp.ts'), { keys: [key.seed], policy: 'sandbox-only' });
    await assert.rejects(loadComponent(envelope, { trust: testTrust(key) }), (error: unknown) => {
      assert.ok(error instanceof PolicyError, String(error));
      const violation = error.violations[0] as { file?: string; line: number; column: number; frame: string };
      assert.deepEqual([violation.file, violation.line, violation.column], ['helper.ts', 3, 10]);
      assert.match(violation.frame, /> 3 \|   return eval\(code\);/);
      assert.match(error.message, /helper\.ts:3:10 global: global "eval" is not allowed.*through the signed source map/);
      return true;
    });
  });

  it('a constructor that throws with the given params, with the .ts line (PACK_ROUND_TRIP_FAILED)', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'comp.ts'), `import { Component } from 'isoclass';\n\nexport default class Strict extends Component<{ n?: number }> {\n  constructor(params: { n?: number }) {\n    super(params);\n    if (this.params.n === undefined) throw new RangeError('params.n is required');\n  }\n}\n`);
    await assert.rejects(packFile(join(dir, 'comp.ts'), { keys: [testKey().seed] }), (error: unknown) => {
      assert.ok(error instanceof PackError);
      assert.equal(error.code, 'PACK_ROUND_TRIP_FAILED');
      assert.match(error.message, /component threw RangeError: params\.n is required\n {4}at new Strict \(component:default\/comp@1\/comp\.ts:6:44\)/);
      return true;
    });
  });
});
