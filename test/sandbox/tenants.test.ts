import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SandboxError } from '../../src/sandbox/errors.ts';
import { DEFAULT_TENANT_LIMITS, TenantBook } from '../../src/sandbox/tenants.ts';

const refused = (tenant: string) => (error: unknown) => error instanceof SandboxError && error.code === 'TENANT_LIMIT' && error.message.includes(tenant);

describe('TenantBook: per-tenant limits', () => {
  const cases: { name: string; limits: Partial<typeof DEFAULT_TENANT_LIMITS>; take: (book: TenantBook) => void }[] = [
    { name: 'isolates', limits: { maxIsolates: 2 }, take: (book) => book.reserveIsolate('t', 1) },
    { name: 'memory', limits: { maxMemoryMb: 100 }, take: (book) => book.reserveIsolate('t', 50) },
    { name: 'components', limits: { maxComponents: 2 }, take: (book) => book.reserveComponent('t') },
  ];
  for (const c of cases) {
    it(`refuses past the ${c.name} limit, and only for that tenant`, () => {
      const book = new TenantBook(c.limits);
      c.take(book);
      c.take(book);
      assert.throws(() => c.take(book), refused('t'));
      // another tenant is not affected by t's use
      assert.doesNotThrow(() => book.reserveComponent('other'));
      assert.doesNotThrow(() => book.reserveIsolate('other', 1));
    });
  }

  it('gives a reservation back once, however often it is released', () => {
    const book = new TenantBook({ maxIsolates: 1 });
    const release = book.reserveIsolate('t', 10);
    assert.throws(() => book.reserveIsolate('t', 10), refused('t'));
    release();
    release();
    assert.deepEqual(book.usage('t'), { isolates: 0, memoryMb: 0, components: 0, catastrophes: 0 });
    const again = book.reserveIsolate('t', 10);
    assert.throws(() => book.reserveIsolate('t', 10), refused('t'));
    again();
  });

  it('quarantines a tenant after repeated lost isolates', () => {
    const book = new TenantBook({ maxCatastrophicFailures: 2 });
    book.recordCatastrophe('t');
    assert.doesNotThrow(() => book.reserveComponent('t')());
    book.recordCatastrophe('t');
    assert.throws(() => book.reserveComponent('t'), refused('t'));
    assert.throws(() => book.reserveIsolate('t', 1), refused('t'));
    assert.doesNotThrow(() => book.reserveComponent('u'));
  });

  it('refuses limits that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new TenantBook({ maxIsolates: bad }), TypeError);
  });
});
