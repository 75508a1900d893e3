/**
 * The host survives every input: each source gets a verdict (violations, possibly a parse
 * refusal) and never an exception, a crash or a checker bug ("internal"). Inputs: every file of
 * the test262-parser-tests package (tc39's parser conformance corpus: pass/, pass-explicit/,
 * fail/, early/), arbitrary strings and mutated components from fast-check, and deep nesting of
 * every shape. And what the checker accepts, the isolate's V8 compiles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ivm from 'isolated-vm';
import { loadPolicy, type Policy } from '../../src/policy/policy.ts';
import { inspectSource, type Inspection } from '../../src/policy/validate.ts';
import { HOSTILE } from './fixtures/hostile.ts';
import { DIRECTORIES, EVERYTHING, test262Corpus } from './fixtures/test262.ts';
import { ORDINARY } from './fixtures/ordinary.ts';

const POLICIES = [loadPolicy('default'), loadPolicy('strict'), loadPolicy('sandbox-only'), EVERYTHING];


/** Inspects without letting anything escape: an exception or an "internal" violation fails the test. */
function verdict(source: string, policy: Policy, label: string): Inspection {
  let inspection: Inspection;
  try {
    inspection = inspectSource(source, policy);
  } catch (error) {
    assert.fail(`${label}: inspectSource threw ${String(error)}`);
  }
  const internal = inspection.violations.find((v) => v.rule === 'internal');
  assert.equal(internal, undefined, `${label}: ${internal?.message}`);
  for (const v of inspection.violations) assert.ok(Number.isInteger(v.line) && v.line >= 1 && Number.isInteger(v.column) && v.column >= 1, `${label}: position`);
  return inspection;
}

describe('robustness: test262-parser-tests', () => {
  const files = test262Corpus();

  it('reads the whole package (every directory, thousands of files)', () => {
    for (const dir of DIRECTORIES) assert.ok(files.some((f) => f.name.startsWith(`${dir}/`)), dir);
    assert.ok(files.length > 5000, `${files.length} files`);
  });

  it('gives every file a verdict or a parse refusal under every shipped policy, never an exception', () => {
    let refusedAsUnparseable = 0;
    for (const { name, source } of files) {
      for (const policy of POLICIES) {
        const { violations } = verdict(source, policy, `${name} (${policy.name})`);
        if (policy === EVERYTHING && violations.some((v) => v.rule === 'parse')) refusedAsUnparseable++;
      }
    }
    assert.ok(refusedAsUnparseable > 1000, 'the fail/ and early/ files are refused as unparseable');
  });

  it('refuses every fail/ file that is invalid as a module', () => {
    // fail/ files are invalid scripts; all but a handful are invalid modules too, and those the
    // checker must refuse (V8 does). The isolate test below covers the rest.
    const isolate = new ivm.Isolate({ memoryLimit: 64 });
    try {
      for (const { name, source } of files.filter((f) => f.name.startsWith('fail/') || f.name.startsWith('early/'))) {
        let compiles = true;
        try {
          isolate.compileModuleSync(source).release();
        } catch {
          compiles = false;
        }
        if (!compiles) assert.notEqual(verdict(source, EVERYTHING, name).violations.length, 0, `${name}: V8 refuses it as a module, the checker accepted it`);
      }
    } finally {
      isolate.dispose();
    }
  });

  it("accepts nothing the isolate's V8 cannot compile: same bytes, same module goal", () => {
    // the differentials this found are refused by the checker now: `<!--` in a module, a class
    // named eval or arguments, identifier characters newer than this engine's Unicode tables
    const isolate = new ivm.Isolate({ memoryLimit: 64 });
    let compiled = 0;
    try {
      for (const { name, source } of files) {
        if (verdict(source, EVERYTHING, name).violations.length > 0) continue;
        try {
          isolate.compileModuleSync(source).release();
          compiled++;
        } catch (error) {
          assert.fail(`${name}: accepted by the checker, refused by V8: ${(error as Error).message}\n${source.slice(0, 200)}`);
        }
      }
    } finally {
      isolate.dispose();
    }
    assert.ok(compiled > 3000, `${compiled} accepted files compiled`);
  });
});

describe('robustness: fast-check', () => {
  const seeds = [...ORDINARY.map((o) => o.source), ...HOSTILE.filter((h) => h.source.length < 10_000).map((h) => h.source)];
  const TOKENS = ['(', ')', '{', '}', '[', ']', '`', '${', "'", '"', '/', '*', '\\', '\\u0063', '<!--', '-->', '#', '@', '=>', '.', '?.', ';', '\n', '\u2028', 'class ', 'function ', 'yield ', 'await ', 'import', 'export ', 'new.target', 'super', '__proto__', 'constructor', 'eval', '0x', '1n', '/*', '*/', '//', 'static {', 'async ', '*', ','];

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 })), (text) => {
        for (const policy of POLICIES) verdict(text, policy, JSON.stringify(text));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated components (insert, delete, replace, duplicate)', () => {
    const mutation = fc.record({
      seed: fc.nat(seeds.length - 1),
      edits: fc.array(
        fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'replace', 'duplicate'), token: fc.constantFrom(...TOKENS), length: fc.nat(40) }),
        { minLength: 1, maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        let text = seeds[seed] ?? '';
        for (const { at, kind, token, length } of edits) {
          const i = text.length === 0 ? 0 : at % text.length;
          if (kind === 'insert') text = text.slice(0, i) + token + text.slice(i);
          else if (kind === 'delete') text = text.slice(0, i) + text.slice(i + length);
          else if (kind === 'replace') text = text.slice(0, i) + token + text.slice(i + token.length);
          else text = text.slice(0, i) + text.slice(i, i + length) + text.slice(i);
        }
        for (const policy of POLICIES) verdict(text, policy, JSON.stringify(text.slice(0, 300)));
      }),
      { numRuns: 400 },
    );
  });
});

describe('robustness: nesting of every shape', () => {
  const SHAPES: [string, (n: number) => string][] = [
    ['arrays', (n) => `export const x = ${'['.repeat(n)}${']'.repeat(n)};`],
    ['parentheses', (n) => `export const x = ${'('.repeat(n)}1${')'.repeat(n)};`],
    ['blocks', (n) => `${'{'.repeat(n)}${'}'.repeat(n)}`],
    ['objects', (n) => `export const x = ${'{a:'.repeat(n)}1${'}'.repeat(n)};`],
    ['member chain', (n) => `const a = {};\nexport const x = a${'.b'.repeat(n)};`],
    ['call chain', (n) => `const f = () => f;\nexport const x = f${'()'.repeat(n)};`],
    ['assignments', (n) => `let a;\n${'a = '.repeat(n)}1;`],
    ['unary operators', (n) => `export const x = ${'!'.repeat(n)}1;`],
    ['binary operators', (n) => `export const x = 1${' + 1'.repeat(n)};`],
    ['conditionals', (n) => `const c = 1;\nexport const x = ${'c ? 1 : '.repeat(n)}0;`],
    ['arrow functions', (n) => `export const x = ${'() => '.repeat(n)}1;`],
    ['functions', (n) => `${'function f() { '.repeat(n)}${'}'.repeat(n)}`],
    ['classes', (n) => `export const x = ${'class { m() { return '.repeat(n)}1${'; } }'.repeat(n)};`],
    ['templates', (n) => `export const x = ${'`${'.repeat(n)}1${'}`'.repeat(n)};`],
    ['if statements', (n) => `const c = 1;\n${'if (c) '.repeat(n)};`],
    ['array patterns', (n) => `const ${'['.repeat(n)}a${']'.repeat(n)} = [];`],
    ['object patterns', (n) => `const ${'{a:'.repeat(n)}b${'}'.repeat(n)} = {};`],
    ['default parameters', (n) => `export const f = ${'(a = '.repeat(n)}1${') => a'.repeat(n)};`],
  ];
  /** How many tree levels one repetition of a shape adds (parentheses add none: acorn keeps no node for them). */
  const levelsPerUnit = (make: (n: number) => string): number =>
    inspectSource(make(21), EVERYTHING).usage.depth - inspectSource(make(20), EVERYTHING).usage.depth;

  for (const [shape, make] of SHAPES) {
    it(`${shape}: checked in full up to the deepest limit, refused beyond it, never an exception`, () => {
      const perUnit = levelsPerUnit(make);
      if (perUnit > 0) {
        // just inside the largest limit a policy may set: a real verdict, not a stack overflow
        const n = Math.floor((EVERYTHING.source.maxDepth - 10) / perUnit);
        const inside = verdict(make(n), EVERYTHING, `${shape} × ${n}`);
        assert.ok(inside.usage.depth <= EVERYTHING.source.maxDepth && inside.usage.depth > EVERYTHING.source.maxDepth - 10 - perUnit, `${shape}: depth ${inside.usage.depth}`);
        assert.deepEqual(inside.violations.map((v) => v.rule), [], `${shape} × ${n} is within the limit`);
      }
      for (const policy of POLICIES) {
        for (const n of [policy.source.maxDepth + 5, 20_000, 200_000]) {
          const { violations } = verdict(make(n), policy, `${shape} × ${n} (${policy.name})`);
          const rules = new Set(violations.map((v) => v.rule));
          const refusedForSize = rules.has('source-bytes') || rules.has('source-nodes');
          if ((perUnit > 0 || n >= 20_000) && !refusedForSize) {
            assert.ok(rules.has('source-depth') || rules.has('parse'), `${shape} × ${n} (${policy.name}) is deeper than ${policy.source.maxDepth}: ${[...rules].join(', ')}`);
          }
        }
      }
    });
  }

  it('caps the violations it reports and says so', () => {
    const source = Array.from({ length: 500 }, (_, i) => `eval(${i});`).join('\n');
    const { violations, truncated } = inspectSource(source, loadPolicy('default'));
    assert.equal(violations.length, 100);
    assert.equal(truncated, true);
    assert.equal(inspectSource(source, loadPolicy('default'), { maxViolations: 3 }).violations.length, 3);
  });

  it('shows a window of a very long (minified) line around the column', () => {
    const source = `export const x = [${'1,'.repeat(5000)}eval];`;
    const [v] = inspectSource(source, loadPolicy('default')).violations;
    assert.equal(v?.rule, 'global');
    const lines = (v?.frame ?? '').split('\n');
    assert.match(lines[0] ?? '', /eval/);
    assert.ok((lines[0]?.length ?? 0) < 200, 'the frame line is cut to a window');
    assert.equal(lines[1]?.indexOf('^'), (lines[0] ?? '').indexOf('eval'), 'the caret is under the name');
  });
});
