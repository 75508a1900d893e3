import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedCache } from '../src/bounded-cache.ts';

describe('BoundedCache: the memory limit of every cache', () => {
  it('drops the least recently used first, by count and by size', () => {
    const dropped: string[] = [];
    const cache = new BoundedCache<string, string>({ maxEntries: 3, maxSize: 10 }, (v) => v.length, (v) => dropped.push(v));
    cache.set('a', 'aa');
    cache.set('b', 'bb');
    cache.set('c', 'cc');
    cache.get('a'); // a is now the most recently used
    cache.set('d', 'dd'); // past 3 entries: b goes
    assert.deepEqual(dropped, ['bb']);
    assert.equal(cache.has('b'), false);
    cache.set('e', 'eeeeeee'); // 4 entries and 13 > 10: c goes (the least recently used), then a
    assert.deepEqual(dropped, ['bb', 'cc', 'aa']);
    assert.deepEqual([cache.entries, cache.size], [2, 9]);
  });

  it('keeps nothing larger than its whole budget, and replaces a key\'s value', () => {
    const dropped: string[] = [];
    const cache = new BoundedCache<string, string>({ maxEntries: 5, maxSize: 4 }, (v) => v.length, (v) => dropped.push(v));
    assert.equal(cache.set('big', 'xxxxx'), false);
    assert.equal(cache.entries, 0);
    cache.set('k', 'one');
    cache.set('k', 'two');
    assert.deepEqual([cache.get('k'), cache.size, dropped], ['two', 3, ['one']]);
    cache.clear();
    assert.deepEqual([cache.entries, cache.size, dropped], [0, 0, ['one', 'two']]);
  });
});
