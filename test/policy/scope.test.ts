/**
 * Scope analysis: the globals a program reaches are its free variables, found by resolving
 * every reference through real scopes (blocks, functions, parameters, catch, loops, classes,
 * modules) — never by matching text. Checked against a table of the cases that decide it, and
 * against eslint-scope (the analyser ESLint uses) on the test262 corpus and on generated
 * programs: the free variables must be the same names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as acorn from 'acorn';
import { analyze } from 'eslint-scope';
import fc from 'fast-check';
import { inspectSource } from '../../src/policy/validate.ts';
import { EVERYTHING, test262Corpus } from './fixtures/test262.ts';

function freeByChecker(source: string): string[] {
  const { violations, usage } = inspectSource(source, EVERYTHING);
  assert.deepEqual(violations.map((v) => v.message), [], 'the source parses and passes a policy that allows everything');
  return [...usage.globals].sort();
}

function freeByEslintScope(source: string): string[] {
  const ast = acorn.parse(source, { ecmaVersion: 2025, sourceType: 'module', ranges: true });
  const manager = analyze(ast as unknown as Parameters<typeof analyze>[0], { ecmaVersion: 2022, sourceType: 'module', impliedStrict: true, optimistic: true });
  return [...new Set((manager.globalScope?.through ?? []).map((r) => r.identifier.name))].sort();
}

/**
 * The checker's free variables are eslint-scope's, on a source both read as a module; false when
 * they do not compare it (eslint-scope cannot parse it — a generated redeclaration, a script —, or
 * the checker refuses it where V8 does: robustness.test.ts tests those refusals).
 */
function agreesWithEslintScope(source: string, label: string): boolean {
  let expected: string[];
  try {
    expected = freeByEslintScope(source);
  } catch {
    return false;
  }
  const { usage, violations } = inspectSource(source, EVERYTHING);
  if (violations.some((v) => v.rule === 'parse')) return false;
  assert.deepEqual([...usage.globals].sort(), expected, label);
  return true;
}

/** [what it shows, source, the free variables, and why eslint-scope is not consulted, if it is not] */
const CASES: [string, string, string[], string?][] = [
  ['a reference to an undeclared name is free', 'x;', ['x']],
  ['a let declared later in the same scope binds it', 'x; let x;', []],
  ['a function declaration is hoisted', 'f(); function f() {}', []],
  ['var in a nested block belongs to the function', 'function f() { { var v; } return v; }', []],
  ['a block-scoped function does not leak (strict code)', '{ function g() {} } g();', ['g']],
  ['let in a block does not leak', '{ let b; } b;', ['b']],
  ['class declarations are block-scoped', '{ class C {} } C;', ['C']],
  ['a catch parameter is local to the catch', 'try {} catch (e) { e; } e;', ['e']],
  ['a catch pattern binds its names', 'try {} catch ({ message }) { message; }', []],
  ['a for-let head is local to the loop', 'for (let i = 0; i < 1; i++) i; i;', ['i']],
  ['a for-of let head is local, including the right-hand side (dead zone)', 'for (const x of x) x;', []],
  ['a for-in var head belongs to the function', 'for (var k in {}) ; k;', []],
  ['a switch case let is local to the switch', 'switch (1) { case 1: let s; } s;', ['s']],
  ['a named function expression binds its name only inside', 'const f = function g() { return g; }; g;', ['g']],
  ['a class expression binds its name only inside', 'const K = class C { m() { return C; } }; C;', ['C']],
  ['parameters bind in the body', 'function f(a, { b }, [c], ...d) { return a + b + c + d; }', []],
  ['a parameter default cannot see the body’s var', 'function f(a = Function) { var Function; }', ['Function']],
  ['a parameter default sees earlier parameters', 'function f(a, b = a) {}', []],
  ['a parameter default sees the function’s own name', 'const f = function g(a = g) {};', []],
  ['arguments is bound in functions', 'function f() { return arguments; }', []],
  ['arguments is not bound in arrows at module level', 'const f = () => arguments;', ['arguments']],
  ['arrows see their enclosing function’s arguments', 'function f() { return () => arguments; }', []],
  // eslint-scope resolves this one to the global (its parameter-default rule also skips implicit
  // variables); the spec binds the arguments object before parameters are initialised
  ['arguments in a parameter default is the function’s own', 'function f(a = arguments) { return a; }', [], 'eslint-scope differs'],
  ['labels are not variables', 'l: for (;;) { break l; }', []],
  ['property keys are not variables', 'const o = { a: 1 }; o.b; ({ c: o });', []],
  ['shorthand properties read variables', '({ d });', ['d']],
  ['computed keys read variables', '({ [k]: 1 }); o2[k2];', ['k', 'k2', 'o2']],
  ['class member keys are not variables, computed ones are', 'class A { m() {} [n]() {} static p = q; }', ['n', 'q']],
  ['class heritage is read in the class scope', 'class A extends B {}', ['B']],
  ['assignment targets are references', 'x = 1; [y, { z }] = [];', ['x', 'y', 'z']],
  ['imports bind in the module', "import { Component } from 'isoclass'; Component;", []],
  ['export { x as z } reads the local x, not a global z', 'let x; export { x as z };', []],
  ['export default function binds its name', 'export default function f() {} f;', []],
  ['static blocks have their own var scope', 'class A { static { var s; } } s;', ['s']],
  ['private names are not variables', 'class A { #p; m(o) { return #p in o && this.#p; } }', []],
  ['meta properties are not variables', 'function f() { return new.target; }', []],
  ['a local shadows a global of the same name', 'const eval2 = 1, process = 2; eval2 + process;', []],
  ['typeof of an undeclared name is still a reference', 'typeof undeclared;', ['undeclared']],
];

describe('scope analysis: free variables', () => {
  for (const [what, source, free, eslintScopeDiffers] of CASES) {
    it(what, () => {
      assert.deepEqual(freeByChecker(source), free);
      if (eslintScopeDiffers === undefined) assert.deepEqual(freeByEslintScope(source), free, 'eslint-scope agrees');
    });
  }

  it('agrees with eslint-scope on every test262 file that parses as a module', () => {
    let compared = 0;
    for (const { name, source } of test262Corpus()) if (agreesWithEslintScope(source, name)) compared++;
    assert.ok(compared > 3000, `${compared} files compared`);
  });

  it('agrees with eslint-scope on generated programs full of shadowing', () => {
    // not `arguments`: eslint-scope resolves it wrongly in parameter defaults (see the table)
    const name = fc.constantFrom('a', 'b', 'c', 'Function', 'eval2');
    const binding = fc.constantFrom('a', 'b', 'c', 'Function', 'eval2');
    const program = fc.letrec((tie) => ({
      expression: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        name,
        fc.tuple(fc.array(binding, { maxLength: 2 }), tie('expression')).map(([ps, body]) => `((${ps.join(', ')}) => ${String(body)})`),
        fc.tuple(binding, tie('expression'), tie('block')).map(([p, d, body]) => `(function (${p} = ${String(d)}) ${String(body)})`),
        fc.tuple(binding, tie('block')).map(([n, body]) => `(function ${n}() ${String(body)})`),
        fc.tuple(binding, tie('expression')).map(([n, e]) => `(class ${n} { m() { return ${String(e)}; } static { ${n}; } })`),
        fc.tuple(binding, tie('expression')).map(([k, e]) => `({ ${k}: ${String(e)}, [${k}]: 1 })`),
      ),
      statement: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tie('expression').map((e) => `${String(e)};`),
        fc.tuple(fc.constantFrom('var', 'let', 'const'), binding, tie('expression')).map(([k, n, e]) => `${k} ${n} = ${String(e)};`),
        fc.tuple(binding, tie('block')).map(([n, body]) => `function ${n}() ${String(body)}`),
        fc.tuple(binding, tie('expression')).map(([n, e]) => `class ${n} extends (${String(e)}) {}`),
        tie('block'),
        fc.tuple(binding, tie('block')).map(([n, body]) => `try {} catch (${n}) ${String(body)}`),
        fc.tuple(binding, tie('expression'), tie('statement')).map(([n, e, s]) => `for (let ${n} of ${String(e)}) ${String(s)}`),
        fc.tuple(binding, tie('statement')).map(([n, s]) => `for (var ${n} in {}) ${String(s)}`),
        fc.tuple(binding, tie('statement')).map(([n, s]) => `switch (0) { case 0: let ${n}; ${String(s)} }`),
      ),
      block: fc.array(tie('statement'), { maxLength: 4 }).map((list) => `{ ${list.join(' ')} }`),
    }));
    fc.assert(
      fc.property(fc.array(program.statement, { minLength: 1, maxLength: 5 }), (statements) => {
        const source = statements.join('\n');
        agreesWithEslintScope(source, source);
      }),
      { numRuns: 1500 },
    );
  });
});
