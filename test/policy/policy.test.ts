import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PolicyError, type PolicyErrorCode } from '../../src/policy/errors.ts';
import { NODE_TYPES } from '../../src/policy/language.ts';
import { POLICY_SCHEMA_URL } from '../../src/policy/policy-file.ts';
import { POLICIES_DIR, SHIPPED_POLICIES, loadPolicy, resolvePolicy, withRuntimeLimits } from '../../src/policy/policy.ts';
import { inspectSource } from '../../src/policy/validate.ts';
import { tempDir } from '../helpers.ts';

const MINIMAL = { version: 1, name: 'p', syntax: { allow: ['Program'] } };

/** Asserts a PolicyError with this code whose message names `path` and matches `message`. */
function assertPolicyError(run: () => unknown, code: PolicyErrorCode, path: string, message?: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof PolicyError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(path), `"${e.message}" names ${path}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** [what is wrong, the alleged policy, the key path named, what the message says] */
const INVALID: [string, unknown, string, RegExp][] = [
  ['not an object', [], 'policy', /must be an object, not an array/],
  ['null', null, 'policy', /must be an object, not null/],
  ['an unknown top-level key, with a suggestion', { ...MINIMAL, globalz: 'any' }, 'policy.globalz', /is not a known key; did you mean "globals"\?/],
  ['an unknown key inside a section', { ...MINIMAL, syntax: { allow: ['Program'], deny: ['WithStatement'] } }, 'policy.syntax.deny', /is not a known key/],
  ['an unknown capability', { ...MINIMAL, capabilities: { network: true } }, 'policy.capabilities.network', /is not a known key/],
  ['a missing name', { version: 1, syntax: { allow: ['Program'] } }, 'policy.name', /is required/],
  ['a missing version', { name: 'p', syntax: { allow: ['Program'] } }, 'policy.version', /is required/],
  ['another format version', { ...MINIMAL, version: 2 }, 'policy.version', /must be 1/],
  ['a name with spaces', { ...MINIMAL, name: 'my policy' }, 'policy.name', /not a valid policy name/],
  ['a string where a number goes', { ...MINIMAL, runtime: { memoryMb: '64' } }, 'policy.runtime.memoryMb', /must be an integer, not a string/],
  ['a fraction where an integer goes', { ...MINIMAL, runtime: { memoryMb: 64.5 } }, 'policy.runtime.memoryMb', /must be an integer/],
  ['a memory limit too small for an isolate', { ...MINIMAL, runtime: { memoryMb: 4 } }, 'policy.runtime.memoryMb', /is 4; it must be >= 8 \(isolate heap limit, MiB\)/],
  ['a zero depth limit', { ...MINIMAL, source: { maxDepth: 0 } }, 'policy.source.maxDepth', /must be >= 1/],
  ['a depth limit above what the walker supports', { ...MINIMAL, source: { maxDepth: 100000 } }, 'policy.source.maxDepth', /must be <= 500/],
  ['a boolean given as a string', { ...MINIMAL, capabilities: { log: 'yes' } }, 'policy.capabilities.log', /must be a boolean/],
  ['a misspelt node type, with a suggestion', { ...MINIMAL, syntax: { allow: ['Program', 'MemberExpresion'] } }, 'policy.syntax.allow[1]', /"MemberExpresion" is not a syntax node type .*did you mean "MemberExpression"\?/],
  ['a node type module code can never contain', { ...MINIMAL, syntax: { allow: ['Program', 'WithStatement'] } }, 'policy.syntax.allow[1]', /"WithStatement" is not a syntax node type/],
  ['a word where "any" or a list goes', { ...MINIMAL, syntax: 'all' }, 'policy.syntax', /must be "any" or an object \{ "allow": \[ … \] \}/],
  ['a list without its object', { ...MINIMAL, globals: ['Math'] }, 'policy.globals', /must be "any" or an object/],
  ['a global that is not an identifier', { ...MINIMAL, globals: { allow: ['Math', 'a b'] } }, 'policy.globals.allow[1]', /"a b" is not a JavaScript identifier/],
  ['a global listed twice', { ...MINIMAL, globals: { allow: ['Math', 'Math'] } }, 'policy.globals.allow', /duplicate items/],
  ['an unknown computed-member rule', { ...MINIMAL, computedMembers: 'some' }, 'policy.computedMembers', /must be one of "any", "literal", "none"/],
  ['an import the sandbox cannot link', { ...MINIMAL, imports: { allow: ['node:fs'] } }, 'policy.imports.allow[0]', /must be one of "isoclass"/],
  ['an empty denied member name', { ...MINIMAL, members: { deny: [''] } }, 'policy.members.deny[0]', /fewer than 1 characters/],
  ['a denied member name with a backslash (never a decoded name)', { ...MINIMAL, members: { deny: ['con\\u0073tructor'] } }, 'policy.members.deny[0]', /holds a backslash: a denied name is the decoded property name/],
  ['an empty extends', { ...MINIMAL, extends: '' }, 'policy.extends', /fewer than 1 characters/],
  ['a syntax allowlist without Program', { ...MINIMAL, syntax: { allow: ['Identifier'] } }, 'policy.syntax.allow', /does not include "Program", so no module at all can pass/],
  ['a root policy with no syntax section', { version: 1, name: 'p' }, 'policy.syntax', /is missing, so no module at all can pass/],
  ['a CPU budget above the wall-clock budget', { ...MINIMAL, runtime: { cpuMsPerCall: 2000, wallMsPerCall: 1000 } }, 'policy.runtime.wallMsPerCall', /wall-clock time includes CPU time/],
];

describe('policy files: every mistake is an error naming its key path', () => {
  for (const [what, alleged, path, message] of INVALID) {
    it(`refuses ${what} (${path})`, () => {
      assertPolicyError(() => resolvePolicy(alleged, 'test.json'), 'POLICY_FILE_INVALID', path, message);
    });
  }

  it('reports several mistakes at once, each with its path', () => {
    assert.throws(
      () => resolvePolicy({ ...MINIMAL, globalz: 1, runtime: { memoryMb: 'x' } }, 'test.json'),
      (e: unknown) => {
        const problems = (e as PolicyError).details['problems'] as { path: string }[];
        assert.deepEqual(problems.map((p) => p.path).sort(), ['policy.globalz', 'policy.runtime.memoryMb']);
        return true;
      },
    );
  });

  it('refuses a key written twice in a file: a reviewer would read the first, JSON.parse keeps the last', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'twice.json'), '{"version": 1, "name": "twice", "extends": "strict", "computedMembers": "none", "computedMembers": "literal"}');
    assertPolicyError(() => loadPolicy(join(dir, 'twice.json')), 'POLICY_FILE_INVALID', 'policy.computedMembers', /is given twice/);
    writeFileSync(join(dir, 'nested.json'), '{"version": 1, "name": "nested", "extends": "strict", "runtime": {"memoryMb": 8, "cpuMsPerCall": 5, "memoryMb": 16}}');
    assertPolicyError(() => loadPolicy(join(dir, 'nested.json')), 'POLICY_FILE_INVALID', 'policy.runtime.memoryMb', /is given twice/);
    writeFileSync(join(dir, 'listed.json'), '{"version": 1, "name": "listed", "extends": "strict", "members": {"deny": ["a", "b"]}, "x": [{"k": 1, "k": 2}]}');
    assertPolicyError(() => loadPolicy(join(dir, 'listed.json')), 'POLICY_FILE_INVALID', 'policy.x[0].k', /is given twice/);
  });

  it('refuses a file that is not JSON, and a file that does not exist', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'broken.json'), '{"version": 1,');
    assertPolicyError(() => loadPolicy(join(dir, 'broken.json')), 'POLICY_FILE_INVALID', 'broken.json', /is not JSON/);
    assertPolicyError(() => loadPolicy(join(dir, 'missing.json')), 'POLICY_NOT_FOUND', 'missing.json', /give a shipped name \(default, strict, sandbox-only\) or a path/);
  });
});

describe('policy files: extends may only tighten', () => {
  const child = (fields: object) => ({ version: 1, name: 'child', ...fields });
  /** [what loosens, the child (extends given), the key path named] */
  const LOOSENING: [string, object, string][] = [
    ['a global the parent does not allow', child({ extends: 'default', globals: { allow: ['Math', 'eval'] } }), 'policy.globals.allow[1]'],
    ['a node type the parent does not allow', child({ extends: 'strict', syntax: { allow: ['Program', 'YieldExpression'] } }), 'policy.syntax.allow[1]'],
    ['"any" syntax over an allowlist', child({ extends: 'default', syntax: 'any' }), 'policy.syntax'],
    ['"any" globals over an allowlist', child({ extends: 'default', globals: 'any' }), 'policy.globals'],
    ['a looser computed-member rule', child({ extends: 'strict', computedMembers: 'any' }), 'policy.computedMembers'],
    ['a capability the parent withholds', child({ extends: 'default', capabilities: { timers: true } }), 'policy.capabilities.timers'],
    ['a higher memory limit', child({ extends: 'default', runtime: { memoryMb: 128 } }), 'policy.runtime.memoryMb'],
    ['a higher source limit', child({ extends: 'strict', source: { maxBytes: 1048576 } }), 'policy.source.maxBytes'],
  ];
  for (const [what, alleged, path] of LOOSENING) {
    it(`refuses ${what} (${path})`, () => {
      assertPolicyError(() => resolvePolicy(alleged, 'child.json'), 'POLICY_EXTENDS_LOOSENS', path, /may only tighten/);
    });
  }

  it('inherits what the child leaves out, and accumulates denied members', () => {
    const policy = resolvePolicy(child({ extends: 'strict', members: { deny: ['toString'] }, runtime: { memoryMb: 16 } }), 'child.json');
    assert.deepEqual(policy.chain, ['default', 'strict', 'child']);
    assert.equal(policy.runtime.memoryMb, 16);
    assert.equal(policy.runtime.cpuMsPerCall, loadPolicy('strict').runtime.cpuMsPerCall);
    assert.ok(policy.deniedMembers.has('toString') && policy.deniedMembers.has('constructor') && policy.deniedMembers.has('then'));
    assert.deepEqual(
      inspectSource('const o = {};\nexport const s = o.toString();', policy).violations.map((v) => v.rule),
      ['member'],
    );
  });

  it('resolves extends relative to the file, and names the extends key when the parent is missing', (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'base.json'), JSON.stringify(child({ name: 'base', extends: 'default', computedMembers: 'literal' })));
    writeFileSync(join(dir, 'sub', 'leaf.json'), JSON.stringify(child({ name: 'leaf', extends: '../base.json' })));
    assert.deepEqual(loadPolicy(join(dir, 'sub', 'leaf.json')).chain, ['default', 'base', 'leaf']);
    writeFileSync(join(dir, 'orphan.json'), JSON.stringify(child({ name: 'orphan', extends: './nowhere.json' })));
    assertPolicyError(() => loadPolicy(join(dir, 'orphan.json')), 'POLICY_NOT_FOUND', 'policy.extends of', /nowhere\.json/);
  });

  it('refuses a cycle of extends', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'a.json'), JSON.stringify(child({ name: 'a', extends: './b.json' })));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(child({ name: 'b', extends: './a.json' })));
    assertPolicyError(() => loadPolicy(join(dir, 'a.json')), 'POLICY_EXTENDS_CYCLE', 'a.json', /extends itself/);
  });
});

describe('shipped policies', () => {
  it('each loads, names its schema for editors, and strict tightens default', () => {
    for (const name of SHIPPED_POLICIES) {
      const policy = loadPolicy(name);
      assert.equal(policy.name, name);
      const file = JSON.parse(readFileSync(join(POLICIES_DIR, `${name}.json`), 'utf8')) as { $schema: string };
      assert.equal(file.$schema, './policy.schema.json');
    }
    assert.deepEqual(loadPolicy('strict').chain, ['default', 'strict']);
  });

  it('the schema lists exactly the node types the walker knows', () => {
    const schema = JSON.parse(readFileSync(POLICY_SCHEMA_URL, 'utf8')) as { $id: string; properties: { syntax: { anyOf: [unknown, { properties: { allow: { items: { enum: string[] } } } }] } } };
    assert.match(schema.$id, /policy\.v1\.json$/);
    assert.deepEqual(schema.properties.syntax.anyOf[1].properties.allow.items.enum, [...NODE_TYPES]);
  });

  it('is documented key by key in policies/README.md, with every rule id', () => {
    const readme = readFileSync(join(POLICIES_DIR, 'README.md'), 'utf8');
    const schema = JSON.parse(readFileSync(POLICY_SCHEMA_URL, 'utf8')) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    for (const [key, value] of Object.entries(schema.properties)) {
      assert.ok(readme.includes(`\`${key}\``), `README documents ${key}`);
      for (const inner of Object.keys(value.properties ?? {})) assert.ok(readme.includes(`\`${inner}\``), `README documents ${key}.${inner}`);
    }
    for (const rule of ['parse', 'syntax', 'global', 'member', 'member-string', 'computed-member', 'import', 'capability', 'source-bytes', 'source-nodes', 'source-depth', 'internal']) {
      assert.ok(readme.includes(`\`${rule}\``), `README documents rule ${rule}`);
    }
  });
});

describe('loaded policies cannot be changed, nor can the built-ins they rely on', () => {
  it('is frozen, and its lists have no way to add', () => {
    const policy = loadPolicy('default');
    assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.capabilities) && Object.isFrozen(policy.runtime) && Object.isFrozen(policy.source));
    assert.equal((policy.globals as unknown as { add?: unknown }).add, undefined);
    assert.throws(() => {
      (policy as { computedMembers: string }).computedMembers = 'any';
    }, TypeError);
    assert.equal(loadPolicy('default'), policy, 'cached and shared');
    const adjusted = withRuntimeLimits(policy, { cpuMsPerCall: 10 });
    assert.equal(adjusted.runtime.cpuMsPerCall, 10);
    assert.equal(policy.runtime.cpuMsPerCall, 1000);
    assert.ok(Object.isFrozen(adjusted.runtime));
    // overrides are held to a policy file's bounds: the sandbox could not apply these
    for (const [overrides, message] of [
      [{ memoryMb: 4 }, /overrides\.runtime\.memoryMb is 4; it must be >= 8/],
      [{ maxResultBytes: 0 }, /overrides\.runtime\.maxResultBytes is 0; it must be >= 16/],
      [{ cpuMsPerCall: 9000, wallMsPerCall: 100 }, /cpuMsPerCall \(9000\) is above wallMsPerCall \(100\)/],
      [{ memoryMb: 1.5 }, /overrides\.runtime\.memoryMb/],
    ] as const) {
      assert.throws(() => withRuntimeLimits(policy, overrides), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_FILE_INVALID' && message.test(e.message));
    }
  });

  it('keeps its verdicts when Set, Map and Object.hasOwn are replaced after it loaded', () => {
    const policy = loadPolicy('default');
    const saved = { setHas: Set.prototype.has, mapHas: Map.prototype.has, hasOwn: Object.hasOwn };
    let rules: string[];
    try {
      // a polyfill or a compromised dependency in the host process that answers "yes" to everything
      Set.prototype.has = () => true;
      Map.prototype.has = () => true;
      Object.hasOwn = () => true;
      rules = inspectSource("import { ivm } from 'isoclass';\neval(ivm.constructor);", policy).violations.map((v) => v.rule);
    } finally {
      Set.prototype.has = saved.setHas;
      Map.prototype.has = saved.mapHas;
      Object.hasOwn = saved.hasOwn;
    }
    assert.deepEqual(rules.sort(), ['global', 'import', 'member']);
  });
});
