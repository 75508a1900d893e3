/**
 * The zoo of live classes: each is packed by value with pack(), loaded from its envelope into
 * an isolate, and must give the same result for every call as the same class in the host.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Component, log } from '../../../src/component.ts';
import { loadComponent } from '../../../src/loader.ts';
import { pack } from '../../../src/pack/pack.ts';
import { Formatter, formatterDeps } from '../../fixtures/live/closures.ts';
import { Pipeline, pipelineDeps } from '../../fixtures/live/iteration.ts';
import { Account } from '../../fixtures/live/privates.ts';
import { Square, squareDeps } from '../../fixtures/live/shapes.ts';
import { Registry } from '../../fixtures/live/statics.ts';
import { testKey, testTrust } from '../../helpers.ts';
import { assertSameInHostAndIsolate, type Call } from '../harness.ts';

interface ZooEntry {
  readonly name: string;
  readonly cls: new (params: never) => object;
  readonly deps: Readonly<Record<string, unknown>>;
  readonly params: Record<string, unknown>;
  readonly calls: readonly Call[];
  /** Pieces the capture summary must list. */
  readonly pieces: readonly string[];
}

const ZOO: readonly ZooEntry[] = [
  {
    name: 'inheritance chain across captured classes (Component → Shape → Polygon → Square), super calls',
    cls: Square,
    deps: squareDeps,
    params: { scale: 2 },
    calls: [['describe', []], ['grow', [1]], ['kind', []], ['chain', []]],
    pieces: ['Shape', 'Polygon', 'Square', 'round2', 'UNIT'],
  },
  {
    name: 'static fields, static methods, a static getter, private statics and a static block',
    cls: Registry,
    deps: {},
    params: {},
    calls: [['lookup', ['alpha']], ['lookup', ['b']], ['lookup', ['zz']]],
    pieces: ['Registry'],
  },
  {
    name: 'private fields and methods, a private brand check, getters and setters, a throw',
    cls: Account,
    deps: {},
    params: { owner: 'ann', limit: 10 },
    calls: [['deposit', [5]], ['withdraw', [20]], ['withdraw', [12]], ['rename', ['  bob ']], ['brand', []], ['history', []], ['deposit', [-100]]],
    pieces: ['Account'],
  },
  {
    name: 'async methods, generators, async generators, Symbol.iterator, for await, an async throw',
    cls: Pipeline,
    deps: pipelineDeps,
    params: { items: [1, 2, 3, 4] },
    calls: [['list', []], ['evenList', []], ['sum', []], ['pairs', []], ['tens', []], ['failLater', []]],
    pieces: ['Pipeline', 'later', 'range', 'numbered'],
  },
  {
    name: 'closures over constants (object, regexp, bigint, symbol, undefined, -0, NaN) and helpers calling helpers',
    cls: Formatter,
    deps: formatterDeps,
    params: { currency: 'usd' },
    calls: [['price', [10]], ['title', ['hello big world']], ['parity', [7]], ['parity', [10]], ['tagged', []], ['big', []], ['specials', []], ['walk', [[[3, 4], [1]]]]],
    pieces: ['money', 'convert', 'words', 'titleCase', 'headline', 'isEven', 'isOdd', 'Vec', 'RATES', 'WORD', 'TAG', 'BIG'],
  },
];

describe('pack(SomeClass): live classes run in the isolate as they do in the host', () => {
  for (const entry of ZOO) {
    it(entry.name, async () => {
      const { envelope, record } = await pack(entry.cls, { keys: [testKey().seed], tenant: 'zoo', deps: entry.deps, params: entry.params });
      const names = ((record.capture?.['pieces'] ?? []) as { name: string }[]).map((p) => p.name);
      for (const piece of entry.pieces) assert.ok(names.includes(piece), `the capture summary lists ${piece} (has ${names.join(', ')})`);
      const component = await loadComponent(envelope, { trust: testTrust(), tenant: 'zoo' });
      try {
        const outcomes = await assertSameInHostAndIsolate(new entry.cls(entry.params as never), component, entry.calls);
        assert.ok(outcomes.some((o) => 'value' in o), 'at least one call returns a value');
      } finally {
        component.dispose();
      }
    });
  }

  it('writes each captured function byte for byte, runtime imports first, the class as the default export', async () => {
    const { record } = await pack(Square, { keys: [testKey().seed], deps: squareDeps, params: { scale: 1 } });
    const source = record.code.source;
    assert.match(source, /^import \{ Component \} from "isoclass";\n/);
    assert.ok(source.includes(Function.prototype.toString.call(Square)), 'the class text is the toString text');
    assert.ok(source.includes(Function.prototype.toString.call(squareDeps.round2)), 'the helper text is the toString text');
    assert.ok(source.indexOf('class Shape') < source.indexOf('class Polygon') && source.indexOf('class Polygon') < source.indexOf('class Square'), 'base classes are defined first');
    assert.match(source, /export default Square;\n$/);
    assert.equal(record.repr, 'class Square extends Polygon');
    assert.equal(record.identifier, 'Square', 'the identifier defaults to the class name');
    assert.deepEqual(record.capture?.['runtime'], ['Component']);
    assert.deepEqual(record.capture?.['globals'], ['Math', 'String']);
    const square = ((record.capture?.['pieces'] ?? []) as { name: string; from?: string; uses: string[] }[]).find((p) => p.name === 'Square');
    assert.match(square?.from ?? '', /test\/fixtures\/live\/shapes\.ts:\d+$/, 'where each piece came from');
    assert.deepEqual(square?.uses, ['Component', 'Polygon', 'Shape', 'String']);
  });

  it('captures a class defined inside a function once its locals are given in deps (checked against the real closure)', async () => {
    const make = (threshold: number) =>
      class Gate extends Component {
        open(x: number): boolean {
          return x > threshold;
        }
      };
    const Gate = make(3);
    const { envelope } = await pack(Gate, { keys: [testKey().seed], deps: { threshold: 3 } });
    const component = await loadComponent(envelope, { trust: testTrust() });
    try {
      await assertSameInHostAndIsolate(new Gate({}), component, [['open', [2]], ['open', [4]]]);
    } finally {
      component.dispose();
    }
  });

  it('uses the runtime capabilities from isoclass: log() lines reach the loader', async () => {
    class Noisy extends Component {
      shout(word: string): string {
        log('shouting', word);
        return word.toUpperCase();
      }
    }
    const { envelope, record } = await pack(Noisy, { keys: [testKey().seed] });
    assert.deepEqual(record.capture?.['runtime'], ['Component', 'log']);
    const lines: string[] = [];
    const component = await loadComponent(envelope, { trust: testTrust(), onLog: (entry) => lines.push(entry.line) });
    try {
      assert.equal(await component.call('shout', ['hey']), 'HEY');
      assert.deepEqual(lines, ['shouting hey']);
    } finally {
      component.dispose();
    }
  });

  it('treats the host Component given in deps as the runtime one, never shipping the host twin', async () => {
    class Plain extends Component {
      hi(): string {
        return 'hi';
      }
    }
    const { record } = await pack(Plain, { keys: [testKey().seed], deps: { Component } });
    assert.match(record.code.source, /^import \{ Component \} from "isoclass";/);
    assert.doesNotMatch(record.code.source, /deepFreeze|process/, 'the host-side Component is not captured');
  });

  it('packs an anonymous class as the default export', async () => {
    const { record } = await pack(
      (() =>
        class extends Component {
          hi(): string {
            return 'hi';
          }
        })(),
      { keys: [testKey().seed] },
    );
    assert.match(record.code.source, /export default \(class extends Component/);
    assert.equal(record.identifier, 'component');
  });

  it('derives a valid identifier from a class name the record pattern would refuse', async () => {
    class $Scorer extends Component {}
    const { record } = await pack($Scorer, { keys: [testKey().seed] });
    assert.equal(record.identifier, 'Scorer');
  });

  it('reports deps the class does not use, without failing', async () => {
    const { record } = await pack(Account, { keys: [testKey().seed], deps: { unusedHelper: () => 1 }, params: { owner: 'x', limit: 1 } });
    assert.deepEqual(record.capture?.['unusedDeps'], ['unusedHelper']);
    assert.doesNotMatch(record.code.source, /unusedHelper/);
  });

  it('maps a live class stack trace back to its file and line', async () => {
    const { envelope } = await pack(Account, { keys: [testKey().seed], params: { owner: 'ann', limit: 0 } });
    const component = await loadComponent(envelope, { trust: testTrust() });
    try {
      await assert.rejects(component.call('deposit', [-1]), (error: unknown) => {
        assert.ok(error instanceof Error && 'componentStack' in error);
        assert.match(String(error.componentStack), /test\/fixtures\/live\/privates\.ts:22:59\)/, 'the frame names the fixture file and the throw line');
        return true;
      });
    } finally {
      component.dispose();
    }
  });
});
