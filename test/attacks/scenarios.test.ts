/**
 * The attack scenarios (harness/scenarios.ts) against every execution mode: a fresh isolate per
 * load, an isolate from the warm pool, and the tenant's shared isolate. Under the sandbox-only
 * policy, so the isolate alone is tested. After each attack a normal component loads and runs,
 * and the host's own intrinsics are untouched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Loader } from '../../src/loader.ts';
import { ComponentError, SandboxError } from '../../src/sandbox/errors.ts';
import { MODES, loadSource, loaderFor, normalStillWorks } from './harness/modes.ts';
import { POLLUTER, POLLUTION_CHECK, SCENARIOS } from './harness/scenarios.ts';

const TEST_TIMEOUT_MS = 15_000; // ms: a regressed limit fails the test instead of hanging the suite

function hostIntact(): void {
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'host Object.prototype untouched');
  assert.equal(typeof Array.prototype.map, 'function');
}

for (const mode of MODES) {
  describe(`attack scenarios (${mode})`, () => {
    let loader: Loader;
    before(() => {
      loader = loaderFor(mode);
    });
    after(() => loader.close());

    for (const scenario of SCENARIOS) {
      it(`${scenario.name} [${scenario.attack}]`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const component = await loadSource(loader, scenario.source, 'acme', {});
        let result: unknown;
        let failure: unknown;
        try {
          const method = scenario.method ?? 'run';
          result = scenario.sync === true ? component.callSync(method, scenario.args ?? []) : await component.call(method, scenario.args ?? []);
        } catch (error) {
          failure = error;
        } finally {
          component.dispose();
        }
        if (scenario.code !== undefined) {
          assert.ok(failure instanceof SandboxError || failure instanceof ComponentError, `expected ${scenario.code}, got ${failure === undefined ? `result ${JSON.stringify(result)}` : String(failure)}`);
          assert.equal(failure.code, scenario.code, failure.message);
          if (failure instanceof ComponentError) {
            assert.doesNotMatch(failure.stack ?? '', /\/work\/|node:internal|src\/sandbox|isolated-vm/, 'a ComponentError names no host file');
          }
        } else {
          assert.equal(failure, undefined, `unexpected ${String(failure)}`);
          scenario.check?.(result);
        }
        hostIntact();
        assert.ok(await normalStillWorks(loader), 'a normal component loads and runs right after');
      });
    }

    it('a component error stack points into the component source', { timeout: TEST_TIMEOUT_MS }, async () => {
      const component = await loadSource(loader, "import { Component } from 'isoclass';\nexport default class Thrower extends Component {\n  run() {\n    throw new RangeError('out of range');\n  }\n}\n");
      try {
        await assert.rejects(component.call('run'), (error: unknown) => {
          assert.ok(error instanceof ComponentError);
          assert.equal(error.componentName, 'RangeError');
          assert.match(error.componentStack, /component:acme\/attack-\d+@1\.js:4:11/);
          assert.doesNotMatch(`${error.stack}\n${error.componentStack}`, /\/work\/|node:|\.ts:/);
          return true;
        });
      } finally {
        component.dispose();
      }
    });

    it('prototype pollution in one tenant is not seen by another tenant, nor by the same tenant\'s next component', { timeout: TEST_TIMEOUT_MS }, async () => {
      const polluter = await loadSource(loader, POLLUTER, 'tenant-a');
      assert.equal(await polluter.call('run'), 1);
      for (const tenant of ['tenant-b', 'tenant-a']) {
        const checker = await loadSource(loader, POLLUTION_CHECK, tenant);
        try {
          assert.deepEqual(await checker.call('run'), [undefined, false, 'undefined'], `seen from ${tenant}`);
        } finally {
          checker.dispose();
        }
      }
      polluter.dispose();
      hostIntact();
    });

    it('an unhandled rejection is counted, and never reported by the next call', { timeout: TEST_TIMEOUT_MS }, async () => {
      const component = await loadSource(loader, "import { Component } from 'isoclass';\nexport default class Stray extends Component {\n  stray() { Promise.reject(new Error('stray')); return 1; }\n  fine() { return 2; }\n}\n");
      try {
        assert.equal(await component.call('stray'), 1);
        assert.equal(await component.call('fine'), 2);
        assert.equal(component.callSync('stray'), 1);
        assert.equal(component.callSync('fine'), 2);
        assert.equal(component.metrics().unhandledRejections, 2);
      } finally {
        component.dispose();
      }
    });

    it('an unhandled rejection in an async call\'s first task neither loses its later result nor answers another call', { timeout: TEST_TIMEOUT_MS }, async () => {
      const component = await loadSource(loader, "import { Component, sleep } from 'isoclass';\nexport default class Stray extends Component {\n  async later(x) { Promise.reject(new Error('stray')); await sleep(20); return x * 2; }\n  async fails() { Promise.reject(new Error('stray')); await sleep(5); throw new TypeError('own'); }\n  fine() { return 2; }\n}\n");
      try {
        const [later, fine, fails] = await Promise.allSettled([component.call('later', [21]), component.call('fine'), component.call('fails')]);
        assert.deepEqual(later, { status: 'fulfilled', value: 42 });
        assert.deepEqual(fine, { status: 'fulfilled', value: 2 });
        assert.equal(fails.status, 'rejected');
        assert.ok(fails.reason instanceof ComponentError && fails.reason.componentName === 'TypeError', String(fails.reason));
        assert.equal(component.metrics().unhandledRejections, 2);
        assert.equal(await component.call('later', [1]), 2);
      } finally {
        component.dispose();
      }
    });

    it('log lines past the rate limit are dropped and counted', { timeout: TEST_TIMEOUT_MS }, async () => {
      const seen: string[] = [];
      const logging = loaderFor(mode, undefined, { onLog: (entry) => seen.push(entry.line) });
      const component = await loadSource(logging, "import { Component, log } from 'isoclass';\nexport default class Flood extends Component { run() { for (let i = 0; i < 5000; i++) log('line', i); return 1; } }\n");
      try {
        const started = performance.now();
        assert.equal(await component.call('run'), 1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        // a burst of 100, then 50 a second: 5000 lines in well under a second let through ~100
        const allowed = 100 + Math.ceil(((performance.now() - started) / 1000) * 50) + 1;
        assert.ok(seen.length >= 50 && seen.length <= allowed, `${seen.length} lines reached the host (allowed ${allowed})`);
      } finally {
        component.dispose();
        logging.close();
      }
    });
  });
}
