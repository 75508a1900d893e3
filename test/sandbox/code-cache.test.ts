import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ivm from 'isolated-vm';
import { CodeCache, compileScriptCached } from '../../src/sandbox/code-cache.ts';

describe('CodeCache: produced here, keyed by the sha256 of the source text', () => {
  it('keys by content, not by anything a caller claims', () => {
    assert.equal(CodeCache.keyOf('prelude', 'a'), CodeCache.keyOf('prelude', 'a'));
    assert.notEqual(CodeCache.keyOf('prelude', 'a'), CodeCache.keyOf('prelude', 'b'));
    // same length, other content: V8 would accept one's cache for the other; the key does not
    assert.notEqual(CodeCache.keyOf('s', 'return 1'), CodeCache.keyOf('s', 'return 2'));
  });

  it('produces an entry on the first compile and consumes it on the next', async () => {
    const cache = new CodeCache();
    const source = '(function () { return 40 + 2; })()';
    const first = new ivm.Isolate({ memoryLimit: 16 });
    const second = new ivm.Isolate({ memoryLimit: 16 });
    try {
      await compileScriptCached(first, cache, 'test', source, 'test.js');
      assert.equal(cache.stats.entries, 1);
      const script = await compileScriptCached(second, cache, 'test', source, 'test.js', true);
      assert.equal(cache.stats.hits, 1);
      assert.equal(script.runSync(second.createContextSync()), 42);
    } finally {
      first.dispose();
      second.dispose();
    }
  });

  it('never serves one source the cached code of another of the same length (CVE-2022-39266)', async () => {
    const cache = new CodeCache();
    const isolate = new ivm.Isolate({ memoryLimit: 16 });
    try {
      await compileScriptCached(isolate, cache, 'test', '(function () { return 40 + 1; })()', 'a.js');
      const other = await compileScriptCached(isolate, cache, 'test', '(function () { return 40 + 2; })()', 'b.js', true);
      assert.equal(other.runSync(isolate.createContextSync()), 42);
      assert.equal(cache.stats.hits, 0);
    } finally {
      isolate.dispose();
    }
  });

  it('stays within its byte budget, least recently used out first', () => {
    const cache = new CodeCache({ maxBytes: 10 });
    const data = (n: number) => new ivm.ExternalCopy(new ArrayBuffer(n));
    cache.set('a', data(4));
    cache.set('b', data(4));
    cache.get('a');
    cache.set('c', data(4));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a') !== undefined && cache.get('c') !== undefined);
    assert.ok(cache.stats.bytes <= 10);
    cache.set('huge', data(11));
    assert.equal(cache.get('huge'), undefined);
  });
});
