import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULE_IDS } from '../../src/policy/diagnostics.ts';
import { PolicyError } from '../../src/policy/errors.ts';
import { NameSet } from '../../src/policy/name-set.ts';
import { loadPolicy, type Policy } from '../../src/policy/policy.ts';
import { inspectSource, validateSource } from '../../src/policy/validate.ts';
import { HOSTILE } from './fixtures/hostile.ts';
import { STRICT_REFUSES } from './fixtures/strict.ts';

describe('rules: each one is pinned by a test', () => {
  it('every rule id is the expected refusal of at least one hostile source (so removing any rule fails a row)', () => {
    const pinned = new Set([...HOSTILE, ...STRICT_REFUSES].flatMap((h) => h.rules));
    for (const rule of RULE_IDS) {
      if (rule === 'internal') continue; // no input should reach it; pinned by the test below
      assert.ok(pinned.has(rule), `no hostile source expects rule ${rule}`);
    }
  });

  it('a checker failure refuses the source with rule "internal" and a typed error, never an exception', () => {
    const broken: Policy = {
      ...loadPolicy('default'),
      deniedMembers: {
        has(): boolean {
          throw new TypeError('simulated checker bug');
        },
      } as unknown as ReadonlySet<string>,
    };
    const source = 'const o = {};\nexport const v = o.x;';
    const { violations } = inspectSource(source, broken);
    assert.deepEqual(violations.map((v) => v.rule), ['internal']);
    assert.match(violations[0]?.message ?? '', /simulated checker bug.*refused — please report this/);
    assert.throws(() => validateSource(source, broken), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_VIOLATION');
  });
});

describe('sandbox-only: parse and limits, but still the imports allowlist', () => {
  it('allows any syntax, global and member name', () => {
    const source = "export const F = globalThis.eval ?? (() => {}).constructor;\nexport const m = import('isoclass');";
    assert.deepEqual(inspectSource(source, loadPolicy('sandbox-only')).violations, []);
  });

  it('holds import() to the imports allowlist, and refuses a specifier computed at run time', () => {
    const { violations } = inspectSource("import('node:fs');\nconst m = 'isoclass';\nimport(m);", loadPolicy('sandbox-only'));
    assert.deepEqual(violations.map((v) => [v.rule, v.line]), [['import', 1], ['import', 3]]);
  });
});

describe('NameSet: the immutable lists a policy is made of', () => {
  it('answers has() for every name, including __proto__ and constructor, and cannot grow', () => {
    const set = new NameSet(['__proto__', 'constructor', 'a', 'a']);
    assert.equal(set.size, 3);
    assert.ok(set.has('__proto__') && set.has('constructor') && set.has('a'));
    assert.ok(!set.has('toString') && !set.has('hasOwnProperty') && !set.has('valueOf'));
    assert.deepEqual([...set], ['__proto__', 'constructor', 'a']);
    assert.ok(Object.isFrozen(set));
    assert.equal((set as unknown as { add?: unknown }).add, undefined);
  });
});

describe('import(): where a policy allows the syntax', () => {
  const policy = loadPolicy('sandbox-only');
  const rulesOf = (source: string): string[] => inspectSource(source, policy).violations.map((v) => `${v.rule}: ${v.message}`);

  it('holds a literal specifier to the imports allowlist, like a static import', () => {
    assert.deepEqual(rulesOf("export const m = import('fs');"), ['import: import of "fs" is not allowed by policy "sandbox-only"; components may import only "isoclass"']);
    assert.deepEqual(rulesOf('export const m = import(`node:fs`);'), ['import: import of "node:fs" is not allowed by policy "sandbox-only"; components may import only "isoclass"']);
    assert.deepEqual(rulesOf("export const m = import('isoclass');"), []);
  });

  it('refuses a specifier computed at run time', () => {
    assert.deepEqual(rulesOf("const s = 'f' + 's';\nexport const m = import(s);"), ['import: import() with a specifier computed at run time cannot be checked against policy "sandbox-only"; import statically']);
  });
});
