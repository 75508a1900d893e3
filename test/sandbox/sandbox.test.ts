/**
 * The isolate runtime as a loader uses it: isolation modes, the warm pool, tenant ownership and
 * limits, replacement of dead isolates, metrics, capabilities, closing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Loader } from '../../src/loader.ts';
import { ComponentError, SandboxError } from '../../src/sandbox/errors.ts';
import { COMPACT_AFTER_IDLE_MS } from '../../src/sandbox/component.ts';
import { COMPACT_MAX_HEAP_BYTES, IsolateHost, PreparedContext } from '../../src/sandbox/isolate-host.ts';
import { Sandbox } from '../../src/sandbox/sandbox.ts';
import { makeEnvelope, makeRecord } from '../helpers.ts';
import { ATTACK_LIMITS, loadSource, loaderFor, sandboxOnly } from '../attacks/harness/modes.ts';

const TIMEOUT_MS = 20_000; // ms per test

const component = (body: string, imports = 'Component'): string => `import { ${imports} } from 'isoclass';\nexport default class C extends Component {\n${body}\n}\n`;
const GLOBAL_MARKS = component(`
  mark(v) { globalThis.mark = v; return v; }
  read() { return typeof globalThis.mark === 'undefined' ? null : globalThis.mark; }
  spin() { for (;;) {} }
  cpu(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
  me() { return [this.identifier, this.version, this.tenant]; }
  async slow(ms) { await new Promise((r) => setTimeout?.(r, ms)); return ms; }
`);

async function withLoader(mode: Parameters<typeof loaderFor>[0], fn: (loader: Loader) => Promise<void>, extra: Parameters<typeof loaderFor>[2] = {}, limits = ATTACK_LIMITS): Promise<void> {
  const loader = loaderFor(mode, sandboxOnly(limits), extra);
  try {
    await fn(loader);
  } finally {
    loader.close();
  }
}

const isDisposed = (error: unknown): boolean => error instanceof SandboxError && error.code === 'DISPOSED';

describe('isolation modes', () => {
  it('pooled: every component gets an isolate nobody used, and its globals are its own', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      await loader.warm();
      const a = await loadSource(loader, GLOBAL_MARKS);
      const b = await loadSource(loader, GLOBAL_MARKS);
      assert.equal(await a.call('mark', ['from a']), 'from a');
      assert.equal(await b.call('read'), null);
      assert.equal(a.metrics().sharedIsolate, false);
      a.dispose();
      await assert.rejects(a.call('read'), isDisposed);
      assert.equal(await b.call('read'), null);
      b.dispose();
    });
  });

  for (const mode of ['tenant', 'tenant-pooled'] as const) it(`${mode}: one isolate per tenant, a context per component; another tenant never shares it`, { timeout: TIMEOUT_MS }, async () => {
    await withLoader(mode, async (loader) => {
      await loader.warm();
      const a1 = await loadSource(loader, GLOBAL_MARKS, 'tenant-a');
      const a2 = await loadSource(loader, GLOBAL_MARKS, 'tenant-a');
      const b1 = await loadSource(loader, GLOBAL_MARKS, 'tenant-b');
      await a1.call('mark', 'x'.split(''));
      // separate contexts: globals are per component even in the tenant's shared isolate
      assert.equal(await a2.call('read'), null);
      assert.equal(a1.metrics().sharedIsolate, true);
      assert.deepEqual(loader.sandbox.usage('tenant-a'), { isolates: 1, memoryMb: 32, components: 2, catastrophes: 0 });
      assert.deepEqual(loader.sandbox.usage('tenant-b'), { isolates: 1, memoryMb: 32, components: 1, catastrophes: 0 });
      // a limit hit in tenant a's isolate ends tenant a's components, never tenant b's
      await assert.rejects(a1.call('spin'), (e: unknown) => e instanceof SandboxError && e.code === 'TIMEOUT');
      await assert.rejects(a2.call('read'), isDisposed);
      assert.equal(await b1.call('read'), null);
      // and the next load for tenant a gets a new isolate, transparently
      const a3 = await loadSource(loader, GLOBAL_MARKS, 'tenant-a');
      assert.equal(await a3.call('read'), null);
      assert.equal(loader.sandbox.usage('tenant-a').isolates, 1);
    });
  });

  it('an isolate that ran one tenant\'s code is never given to another', () => {
    const host = IsolateHost.create(16);
    try {
      host.claim('tenant-a');
      host.claim('tenant-a');
      assert.throws(() => host.claim('tenant-b'), /cannot be given to tenant "tenant-b"/);
    } finally {
      host.dispose('test over');
    }
  });

  it('fresh: a disposed or timed-out component leaves the next load unaffected', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('fresh', async (loader) => {
      const a = await loadSource(loader, GLOBAL_MARKS);
      await assert.rejects(a.call('spin'), (e: unknown) => e instanceof SandboxError && e.code === 'TIMEOUT');
      await assert.rejects(a.call('read'), isDisposed);
      assert.equal(a.disposed, true);
      const b = await loadSource(loader, GLOBAL_MARKS);
      assert.equal(await b.call('read'), null);
    });
  });
});

describe('tenant limits', () => {
  it('refuses a tenant past its component limit, and only that tenant (TENANT_LIMIT)', { timeout: TIMEOUT_MS }, async () => {
    await withLoader(
      'pooled',
      async (loader) => {
        const first = await loadSource(loader, GLOBAL_MARKS, 'busy');
        await loadSource(loader, GLOBAL_MARKS, 'busy');
        await assert.rejects(loadSource(loader, GLOBAL_MARKS, 'busy'), (e: unknown) => e instanceof SandboxError && e.code === 'TENANT_LIMIT');
        await loadSource(loader, GLOBAL_MARKS, 'quiet');
        first.dispose();
        await loadSource(loader, GLOBAL_MARKS, 'busy');
      },
      { tenantLimits: { maxComponents: 2 } },
    );
  });

  it('refuses a tenant past its isolate memory (TENANT_LIMIT)', { timeout: TIMEOUT_MS }, async () => {
    await withLoader(
      'fresh',
      async (loader) => {
        await loadSource(loader, GLOBAL_MARKS, 'big');
        await loadSource(loader, GLOBAL_MARKS, 'big');
        await assert.rejects(loadSource(loader, GLOBAL_MARKS, 'big'), (e: unknown) => e instanceof SandboxError && e.code === 'TENANT_LIMIT' && /MiB/.test(e.message));
      },
      { tenantLimits: { maxMemoryMb: ATTACK_LIMITS.memoryMb * 2 } },
    );
  });
});

describe('components', () => {
  it('know their identifier, version and tenant', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS, 'acme');
      const [identifier, version, tenant] = (await c.call('me')) as [string, number, string];
      assert.match(identifier, /^attack-\d+$/);
      assert.deepEqual([version, tenant], [1, 'acme']);
    });
  });

  it('report metrics: calls, CPU time, heap', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      await c.call('cpu', [3e6]);
      c.callSync('cpu', [3e6]);
      const m = c.metrics();
      assert.equal(m.calls, 2);
      assert.ok(m.cpuTimeMs > 0, `cpu ${m.cpuTimeMs}`);
      assert.ok(m.wallTimeMs >= m.cpuTimeMs * 0.5, `wall ${m.wallTimeMs}`);
      assert.ok(m.heapUsedBytes > 100_000, `heap ${m.heapUsedBytes}`);
      c.dispose();
      assert.equal(c.metrics().heapUsedBytes, 0);
    });
  });

  it('route many concurrent async calls to their own results', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      const c = await loadSource(loader, component('  async twice(x) { await null; await null; return x * 2; }'));
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => c.call('twice', [i])));
      assert.deepEqual(results, Array.from({ length: 200 }, (_, i) => i * 2));
    });
  });

  it('cannot import a capability the policy does not grant (COMPILE_FAILED), even past the policy', { timeout: TIMEOUT_MS }, async () => {
    // straight to the sandbox: the policy would refuse these imports before the isolate saw them
    const sandbox = new Sandbox({ poolSize: 0 });
    const options = { limits: ATTACK_LIMITS, capabilities: { log: false, artifacts: false, timers: false } };
    try {
      for (const name of ['log', 'artifact', 'sleep']) {
        await assert.rejects(sandbox.instantiate(makeRecord(component(`  f() { return ${name}; }`, `Component, ${name}`)), options), (e: unknown) => e instanceof SandboxError && e.code === 'COMPILE_FAILED', name);
      }
      const plain = await sandbox.instantiate(makeRecord(component('  f() { return 1; }')), options);
      assert.equal(await plain.call('f'), 1);
    } finally {
      sandbox.close();
    }
  });

  it('refuse arguments that cannot be copied (ARGUMENTS_NOT_CLONEABLE), and go on', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      await assert.rejects(c.call('mark', [() => 1]), (e: unknown) => e instanceof SandboxError && e.code === 'ARGUMENTS_NOT_CLONEABLE');
      assert.throws(() => c.callSync('mark', [Symbol('s')]), (e: unknown) => e instanceof SandboxError && e.code === 'ARGUMENTS_NOT_CLONEABLE');
      assert.equal(await c.call('mark', [{ ok: [1, 2] }]).then((v) => JSON.stringify(v)), '{"ok":[1,2]}');
    });
  });

  it('refuse methods that are not their own (METHOD_NOT_FOUND)', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      for (const method of ['constructor', 'toString', '__defineGetter__', 'hasOwnProperty', 'nope']) {
        await assert.rejects(c.call(method), (e: unknown) => e instanceof SandboxError && e.code === 'METHOD_NOT_FOUND', method);
      }
      assert.equal(await c.call('read'), null);
    });
  });
});

describe('a throw that claims to be a timeout', () => {
  // a spoofed limit: typed as TIMEOUT, it would end the component and, shared, its tenant's isolate
  // a small CPU budget, so the shared isolate's clock soon holds more than half of it
  const limits = { ...ATTACK_LIMITS, cpuMsPerCall: 20 };
  for (const mode of ['fresh', 'tenant'] as const) {
    it(`is the component's own error, at load and in a call, and its siblings live on (${mode})`, { timeout: TIMEOUT_MS }, async () => {
      const loader = loaderFor(mode, sandboxOnly(limits));
      try {
        const sibling = await loadSource(loader, GLOBAL_MARKS, 'acme');
        for (let i = 0; i < 60; i++) await sibling.call('cpu', [2e5]);
        assert.ok(sibling.metrics().cpuTimeMs > limits.cpuMsPerCall, `the sibling used ${sibling.metrics().cpuTimeMs} ms`);
        await assert.rejects(loadSource(loader, "import { Component } from 'isoclass';\nthrow new Error('Script execution timed out.');\nexport default class C extends Component {}\n", 'acme'), (e: unknown) => e instanceof ComponentError && e.componentMessage === 'Script execution timed out.');
        const liar = await loadSource(loader, component("  lie() { throw new Error('Script execution timed out.'); }"), 'acme');
        await assert.rejects(liar.call('lie'), (e: unknown) => e instanceof ComponentError);
        assert.throws(() => liar.callSync('lie'), (e: unknown) => e instanceof ComponentError);
        assert.equal(sibling.disposed, false);
        assert.deepEqual(await sibling.call('me'), [sibling.record.identifier, 1, 'acme']);
      } finally {
        loader.close();
      }
    });
  }
});

describe('method callers (one bound per method and mode, kept by the host)', () => {
  const CHANGING = component(`
  greet() { return 'first'; }
  swap() { this.greet = () => 'second'; this.extra = function () { return 'added'; }; return 1; }
  get trap() { return () => 'from a getter'; }
`);

  it('follow a method the component replaces, find one it adds later, and never call a getter\'s result', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      const c = await loadSource(loader, CHANGING);
      assert.equal(c.callSync('greet'), 'first');
      assert.equal(await c.call('greet'), 'first');
      for (const call of [() => c.call('extra'), () => Promise.resolve().then(() => c.callSync('extra'))]) {
        await assert.rejects(call(), (e: unknown) => e instanceof SandboxError && e.code === 'METHOD_NOT_FOUND');
      }
      assert.equal(c.callSync('swap'), 1);
      assert.equal(c.callSync('greet'), 'second');
      assert.equal(await c.call('greet'), 'second');
      assert.equal(c.callSync('extra'), 'added');
      assert.equal(await c.call('extra'), 'added');
      await assert.rejects(c.call('trap'), (e: unknown) => e instanceof SandboxError && e.code === 'METHOD_NOT_FOUND');
      assert.throws(() => c.callSync('trap'), (e: unknown) => e instanceof SandboxError && e.code === 'METHOD_NOT_FOUND');
    });
  });

  it('an instance that answers every name (a proxy) gets each call right, well past the callers the host keeps', { timeout: TIMEOUT_MS }, async () => {
    const PROXY = component(`
  constructor(params) {
    super(params);
    return new Proxy(this, { getOwnPropertyDescriptor: (t, k) => typeof k === 'string' && k.startsWith('m') ? { value: () => k, writable: true, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(t, k), get: (t, k) => typeof k === 'string' && k.startsWith('m') ? undefined : Reflect.get(t, k) });
  }
`);
    await withLoader('fresh', async (loader) => {
      const c = await loadSource(loader, PROXY);
      for (let i = 0; i < 150; i++) {
        assert.equal(c.callSync(`m${i}`), `m${i}`);
        assert.equal(await c.call(`m${i}`), `m${i}`);
      }
      assert.equal(c.callSync('m7'), 'm7');
      await assert.rejects(c.call('other'), (e: unknown) => e instanceof SandboxError && e.code === 'METHOD_NOT_FOUND');
    });
  });
});

describe('an isolate begun while the envelope is verified (no warm context)', () => {
  it('is used by the load, and freed when the envelope is refused', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('fresh', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      assert.equal(loader.sandbox.isolatesAhead, 0);
      assert.equal(await c.call('mark', [3]), 3);
      const bad = Buffer.from(JSON.stringify({ payloadType: 'application/vnd.isoclass.component.v1+json', payload: Buffer.from('{}').toString('base64'), signatures: [{ sig: Buffer.alloc(64).toString('base64') }] }));
      await assert.rejects(loader.load(bad), (e: unknown) => (e as { code?: string }).code !== undefined);
      assert.equal(loader.sandbox.isolatesAhead, 0);
      // the next load begins and uses one again
      const d = await loadSource(loader, GLOBAL_MARKS);
      assert.equal(await d.call('read'), null);
      assert.equal(loader.sandbox.isolatesAhead, 0);
    });
  });
});

describe('the same envelope again (decoded once, by the sha256 of its bytes)', () => {
  it('loads as the first time did; bytes changed by one character are decoded and refused as before', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('pooled', async (loader) => {
      const envelope = makeEnvelope(makeRecord(GLOBAL_MARKS, { identifier: 'again' }));
      for (const bytes of [envelope, Buffer.from(envelope), envelope]) {
        const c = await loader.load(bytes);
        assert.equal(c.record.identifier, 'again');
        assert.deepEqual(await c.call('me'), ['again', 1, 'acme']);
        c.dispose();
      }
      const parsed = JSON.parse(envelope) as { payload: string };
      const tampered = envelope.replace(parsed.payload, parsed.payload.slice(0, -4) + (parsed.payload.endsWith('AAAA') ? 'AAAB' : 'AAAA'));
      await assert.rejects(loader.load(tampered), (e: unknown) => /^(SIGNATURE_|ENVELOPE_|RECORD_)/.test(String((e as { code?: string }).code)));
      await assert.rejects(loader.load(envelope.slice(0, -1)), (e: unknown) => String((e as { code?: string }).code).startsWith('ENVELOPE_'));
      const again = await loader.load(envelope);
      assert.equal(again.record.identifier, 'again');
      again.dispose();
    });
  });
});

describe('closing a loader', () => {
  it('disposes every component and warm isolate', { timeout: TIMEOUT_MS }, async () => {
    const loader = loaderFor('pooled');
    await loader.warm();
    const c = await loadSource(loader, GLOBAL_MARKS);
    assert.equal(loader.sandbox.liveComponents, 1);
    loader.close();
    assert.equal(c.disposed, true);
    await assert.rejects(c.call('read'), isDisposed);
    await assert.rejects(loadSource(loader, GLOBAL_MARKS), isDisposed);
  });
});

describe('compaction of an idle isolate (an idle isolate never collects on its own)', () => {
  const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  /** Waits until the component's heap is below `bytes`, or the time is up; returns the last reading. */
  async function heapFallsBelow(c: { metrics(): { heapUsedBytes: number } }, bytes: number, withinMs: number): Promise<number> {
    const end = performance.now() + withinMs;
    let used = c.metrics().heapUsedBytes;
    while (used >= bytes && performance.now() < end) {
      await settle(50);
      used = c.metrics().heapUsedBytes;
    }
    return used;
  }

  it('compacts a component\'s own isolate once it has gone without calls after its load', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('fresh', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      assert.equal(await c.call('mark', [1]), 1);
      const loaded = c.metrics().heapUsedBytes;
      // ~230 KB of what the prelude and the load left behind goes (measured: 931 KB to 699 KB)
      const idle = await heapFallsBelow(c, loaded - 100_000, COMPACT_AFTER_IDLE_MS + 3000);
      assert.ok(idle < loaded - 100_000, `heap ${loaded} B after the load, ${idle} B once idle`);
      // and the component is as it was
      assert.equal(await c.call('read'), 1);
    });
  });

  it('waits while calls keep coming', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('fresh', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      const loaded = c.metrics().heapUsedBytes;
      const until = performance.now() + COMPACT_AFTER_IDLE_MS * 1.5;
      let least = loaded;
      while (performance.now() < until) {
        assert.equal(c.callSync('cpu', [10]), 24);
        least = Math.min(least, c.metrics().heapUsedBytes);
        await settle(COMPACT_AFTER_IDLE_MS / 10);
      }
      assert.ok(least > loaded - 100_000, `heap ${loaded} B after the load fell to ${least} B while the component was busy`);
    });
  });

  it('waits while an asynchronous call is in flight', { timeout: TIMEOUT_MS }, async () => {
    // a call longer than two idle periods: the first check sees the call come, the second sees it pending
    await withLoader('fresh', async (loader) => {
      const c = await loadSource(loader, component('  async pending(ms) { await sleep(ms); return ms; }', 'Component, sleep'));
      const loaded = c.metrics().heapUsedBytes;
      const call = c.call('pending', [COMPACT_AFTER_IDLE_MS * 2.8]);
      await settle(COMPACT_AFTER_IDLE_MS * 2.5);
      const during = c.metrics().heapUsedBytes;
      assert.equal(await call, COMPACT_AFTER_IDLE_MS * 2.8);
      assert.ok(during > loaded - 100_000, `heap ${loaded} B after the load fell to ${during} B while a call was in flight`);
    }, {}, { ...ATTACK_LIMITS, wallMsPerCall: COMPACT_AFTER_IDLE_MS * 5 });
  });

  it('leaves a tenant\'s shared isolate and a large heap alone', { timeout: TIMEOUT_MS }, async () => {
    await withLoader('tenant', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      const loaded = c.metrics().heapUsedBytes;
      const idle = await heapFallsBelow(c, loaded - 100_000, COMPACT_AFTER_IDLE_MS + 1500);
      assert.ok(idle > loaded - 100_000, `shared isolate: heap ${loaded} B after the load, ${idle} B once idle`);
    });
    await withLoader('fresh', async (loader) => {
      // past COMPACT_MAX_HEAP_BYTES a collection takes long enough to delay the calls behind it
      const big = component("  fill(n) { globalThis.rows = Array.from({ length: n }, (_, i) => ({ i, s: 'row ' + i })); return globalThis.rows.length; }");
      const b = await loadSource(loader, big);
      assert.equal(await b.call('fill', [100_000]), 100_000);
      const loaded = b.metrics().heapUsedBytes;
      assert.ok(loaded > COMPACT_MAX_HEAP_BYTES, `heap ${loaded} B`);
      const idle = await heapFallsBelow(b, loaded - 100_000, COMPACT_AFTER_IDLE_MS + 1500);
      assert.ok(idle > loaded - 100_000, `large heap: ${loaded} B after the load, ${idle} B once idle`);
    });
  });

  it('can be turned off (compactIdleIsolates: false)', { timeout: TIMEOUT_MS }, async () => {
    assert.throws(() => loaderFor('fresh', sandboxOnly(), { compactIdleIsolates: 'no' as unknown as boolean }), /compactIdleIsolates must be a boolean/);
    await withLoader('fresh', async (loader) => {
      const c = await loadSource(loader, GLOBAL_MARKS);
      const loaded = c.metrics().heapUsedBytes;
      const idle = await heapFallsBelow(c, loaded - 100_000, COMPACT_AFTER_IDLE_MS + 1500);
      assert.ok(idle > loaded - 100_000, `heap ${loaded} B after the load, ${idle} B once idle`);
    }, { compactIdleIsolates: false });
  });

  it('makes a call that comes during the compaction wait for it, its deadline starting after', { timeout: TIMEOUT_MS }, async () => {
    // a compaction that holds the isolate's thread 100 ms, whatever the machine (busy first, then
    // the real one), against a wall-clock limit of 30 ms: the calls must not be charged for it
    const original = PreparedContext.prototype.compact;
    PreparedContext.prototype.compact = async function (this: PreparedContext) {
      await this.context.eval('{ const until = Date.now() + 100; while (Date.now() < until) {} }', { timeout: 2000 });
      return original.call(this);
    };
    try {
      await withLoader('fresh', async (loader) => {
        const c = await loadSource(loader, GLOBAL_MARKS);
        const loaded = c.metrics().heapUsedBytes;
        // armed after the component's own compaction timer, so it fires right after it: the
        // busy script is queued on the isolate's thread, and the calls queue behind it
        await settle(COMPACT_AFTER_IDLE_MS);
        const results = await Promise.all([c.call('cpu', [10]), c.call('cpu', [10])]);
        assert.deepEqual(results, [24, 24]);
        const idle = await heapFallsBelow(c, loaded - 100_000, 3000);
        assert.ok(idle < loaded - 100_000, 'the compaction ran');
        assert.equal(c.disposed, false);
      }, {}, { ...ATTACK_LIMITS, wallMsPerCall: 30 });
    } finally {
      PreparedContext.prototype.compact = original;
    }
  });

  it('compacts a prepared context on request, and says so', { timeout: TIMEOUT_MS }, async () => {
    const fresh = IsolateHost.create(32);
    const pooled = IsolateHost.create(32);
    try {
      const profile = { memoryMb: 32, capabilities: { log: false, artifacts: false, timers: false } };
      await fresh.prepareContext(profile, undefined, { rehearse: true });
      const prepared = await pooled.prepareContext(profile, undefined, { rehearse: true });
      assert.equal(await prepared.compact(), true);
      const before = fresh.isolate.getHeapStatisticsSync().used_heap_size;
      const after = pooled.isolate.getHeapStatisticsSync().used_heap_size;
      assert.ok(after < before - 100_000, `heap ${before} B prepared, ${after} B prepared and compacted`);
    } finally {
      fresh.dispose('test over');
      pooled.dispose('test over');
    }
  });
});
