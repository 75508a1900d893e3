/**
 * What Function.prototype.toString cannot carry, each refused at pack time with a typed error
 * that names the variable, where the code uses it, and how to fix it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Component } from '../../../src/component.ts';
import { pack } from '../../../src/pack/pack.ts';
import { PackError, type PackErrorCode } from '../../../src/pack/errors.ts';
import { PolicyError } from '../../../src/policy/errors.ts';
import { testKey } from '../../helpers.ts';

const THIS_FILE = 'test/pack/live/unsupported.test.ts';

// Module-level bindings a class below uses without passing them in deps.
function moduleHelper(x: number): number {
  return x + 1;
}
class UsesModuleHelper extends Component {
  run(x: number): number {
    return moduleHelper(x);
  }
}

function double(x: number): number {
  return x * 2;
}
class UsesDouble extends Component {
  run(x: number): number {
    return double(x);
  }
}

// Module-level state a class below assigns to (a captured copy could not be assigned in the isolate).
let counter = 1;
let total = 0;
function bump(n: number): number {
  total += n;
  return total;
}

// Names the classes below use that only their deps supply: declared for the type checker, never defined.
declare const max: (...values: number[]) => number;
declare const g: () => number;
declare const computed: () => number;
declare const legacy: (scope: object) => number;
declare const notDefinedAnywhere: number;
declare const cache: Map<string, number>;
declare const epoch: Date;
declare const origin: object;
declare const utils: { double(x: number): number };
declare const config: object;
declare const handler: () => number;
declare const count: () => number;
declare const show: () => string;

interface Case {
  readonly name: string;
  /** Builds the class (fresh, so mutations do not leak between cases) and the pack options. */
  readonly make: () => { cls: unknown; deps?: Record<string, unknown>; params?: Record<string, unknown> };
  readonly code: PackErrorCode;
  readonly message: RegExp;
}

function plain() {
  return class Plain extends Component {
    f(): number {
      return 1;
    }
  };
}

const CASES: readonly Case[] = [
  // captured bindings travel as constant copies: code that assigns to one is refused
  {
    name: 'a class that assigns to a captured variable (counter++)',
    make: () => ({ cls: class Counting extends Component { run(): number { return counter++; } }, deps: { counter } }), // eslint-disable-line
    code: 'PACK_FREE_VARIABLE',
    message: /`counter` is assigned by class Counting at test\/pack\/live\/unsupported\.test\.ts:\d+:\d+, but a captured variable travels as a constant copy.*Fix: keep the state in the instance \(`this\.counter`\)/,
  },
  {
    name: 'a captured helper that assigns to a captured variable (total += n)',
    make: () => ({ cls: class Bumping extends Component { run(n: number): number { return bump(n); } }, deps: { bump, total } }), // eslint-disable-line
    code: 'PACK_FREE_VARIABLE',
    message: /`total` is assigned by deps\.bump \(function bump\) at test\/pack\/live\/unsupported\.test\.ts:\d+:\d+/,
  },
  {
    name: 'a class that assigns to a module-level variable not in deps',
    make: () => ({ cls: class CountingAlone extends Component { run(): number { return counter++; } } }), // eslint-disable-line
    code: 'PACK_FREE_VARIABLE',
    message: /`counter` is assigned by class CountingAlone .*keep the state in the instance/,
  },
  {
    name: 'a destructuring assignment to a captured variable',
    make: () => ({ cls: class Swapping extends Component { run(): number { [counter] = [2]; return counter; } }, deps: { counter } }), // eslint-disable-line
    code: 'PACK_FREE_VARIABLE',
    message: /`counter` is assigned by class Swapping/,
  },
  // functions toString cannot show
  {
    name: 'a native function',
    make: () => ({ cls: class extends Component { f(x: number) { return max(x, 1); } }, deps: { max: Math.max } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.max \(function max\) is a native function \(max\) or a proxy: it has no JavaScript source to ship\. Use the built-in through its global/,
  },
  {
    name: 'a bound function',
    make: () => ({ cls: class extends Component { f() { return g(); } }, deps: { g: function g() { return 1; }.bind(null) } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.g \(function bound g\) is a bound function \(bound g\); its target, bound this and arguments are invisible to toString\. Pass the unbound function/,
  },
  {
    name: 'a proxy around a function',
    make: () => ({ cls: class extends Component { f() { return g(); } }, deps: { g: new Proxy(function g() { return 1; }, {}) } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.g .* is a native function .*or a proxy/,
  },
  {
    name: 'a getter function',
    make: () => ({ cls: class extends Component { f() { return g(); } }, deps: { g: Object.getOwnPropertyDescriptor({ get g() { return 1; } }, 'g')?.get } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.g \(function get g\) is a getter function; capture the object or class that defines it instead/,
  },
  {
    name: 'a method with a computed key',
    make: () => ({ cls: class extends Component { f() { return computed(); } }, deps: { computed: { ['comp' + 'uted']() { return 1; } }.computed } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /is a method with a computed key \(\['comp' \+ 'uted'\]\); rewrite it as a function/,
  },
  {
    name: 'sloppy-mode-only syntax (with)',
    make: () => ({ cls: class extends Component { f() { return legacy({}); } }, deps: { legacy: new Function('a', 'with (a) { return 1; }') } }), // eslint-disable-line
    code: 'PACK_SOURCE_LOST',
    message: /deps\.legacy \(function anonymous\) prints a source that does not parse as one strict-mode function .*cannot be rebuilt from its text/,
  },
  // members and prototypes changed after the definition
  {
    name: 'a method added to the prototype after the definition',
    make: () => {
      const cls = plain();
      (cls.prototype as unknown as Record<string, unknown>)['extra'] = function extra() {
        return 2;
      };
      return { cls };
    },
    code: 'PACK_SOURCE_LOST',
    message: /class Plain has a method or accessor "extra" on its prototype that its class body does not define: it was added after the definition, and toString does not carry it\. Define it in the class body/,
  },
  {
    name: 'a static member added after the definition',
    make: () => {
      const cls = plain();
      (cls as unknown as Record<string, unknown>)['VERSION'] = 2;
      return { cls };
    },
    code: 'PACK_SOURCE_LOST',
    message: /class Plain has a static member "VERSION" that its class body does not define: it was added after the definition/,
  },
  {
    name: 'a method replaced after the definition',
    make: () => {
      const cls = plain();
      (cls.prototype as unknown as Record<string, unknown>)['f'] = function f() {
        return 3;
      };
      return { cls };
    },
    code: 'PACK_SOURCE_LOST',
    message: /class Plain method "f" was replaced after the class was defined: the host runs "function f\(\)/,
  },
  {
    name: 'a prototype chain changed with Object.setPrototypeOf',
    make: () => {
      class Loose {
        f(): number {
          return 1;
        }
      }
      Object.setPrototypeOf(Loose, Component);
      return { cls: Loose };
    },
    code: 'PACK_SOURCE_LOST',
    message: /class Loose extends nothing in its source, but its prototype chain was changed after the definition \(Object\.setPrototypeOf\)/,
  },
  {
    name: 'properties set on a helper function',
    make: () => {
      function memo(x: number): number {
        return x;
      }
      memo.cache = {};
      return { cls: class extends Component { f() { return memo(1); } }, deps: { memo } }; // eslint-disable-line
    },
    code: 'PACK_SOURCE_LOST',
    message: /deps\.memo \(function memo\) has "cache" set on the function object after its definition; toString does not carry properties/,
  },
  {
    name: 'an ES5-style class (methods assigned to its prototype)',
    make: () => {
      function Legacy(this: { n: number }): void {
        this.n = 1;
      }
      Legacy.prototype.hi = function hi(): string {
        return 'hi';
      };
      return { cls: class extends Component { f() { return new (Legacy as unknown as new () => { hi(): string })().hi(); } }, deps: { Legacy } }; // eslint-disable-line
    },
    code: 'PACK_SOURCE_LOST',
    message: /deps\.Legacy \(function Legacy\) has prototype\.hi added after its definition \(an ES5-style class\)/,
  },
  // base classes
  {
    name: 'a base class that is not captured',
    make: () => {
      class Base extends Component {}
      return { cls: class Derived extends Base {} };
    },
    code: 'PACK_BASE_NOT_CAPTURED',
    message: new RegExp(`class Derived extends \`Base\` \\(${THIS_FILE.replaceAll('/', '\\/').replaceAll('.', '\\.')}:\\d+:\\d+\\), which is not captured: .*pass it in deps: \\{ Base \\}`),
  },
  {
    name: 'a base class given in deps that is not the one it extends',
    make: () => {
      class Base extends Component {}
      class OtherBase extends Component {}
      return { cls: class Derived extends Base {}, deps: { Base: OtherBase } };
    },
    code: 'PACK_SOURCE_LOST',
    message: /class Derived says `extends Base`, but its base class in this process is Base, a different value/,
  },
  // free variables
  {
    name: 'a class defined inside a function, closing over its local',
    make: () => {
      function makeGate(threshold: number) {
        return class Gate extends Component {
          open(x: number): boolean {
            return x > threshold;
          }
        };
      }
      return { cls: makeGate(3) };
    },
    code: 'PACK_FREE_VARIABLE',
    message: new RegExp(`\`threshold\`, used by class Gate at ${THIS_FILE.replaceAll('/', '\\/').replaceAll('.', '\\.')}:\\d+:\\d+, cannot travel: it is a local of the function \`makeGate\` that defines class Gate, which closes over it; toString carries no values; its current value is 3\\. Fix: pass it in deps: \\{ threshold \\}, or make it a param`),
  },
  {
    name: 'a module-level helper not in deps',
    make: () => ({ cls: UsesModuleHelper }),
    code: 'PACK_FREE_VARIABLE',
    message: /`moduleHelper`, used by class UsesModuleHelper at test\/pack\/live\/unsupported\.test\.ts:21:12, cannot travel: it is a module-level binding of test\/pack\/live\/unsupported\.test\.ts; its current value is function moduleHelper\. Fix: import it where you call pack\(\) and pass it in deps: \{ moduleHelper \}/,
  },
  {
    name: 'a binding in its temporal dead zone',
    make: () => {
      const make = () => {
        const cls = class extends Component {
          f(): number {
            return late;
          }
        };
        return cls;
        let late = 1; // eslint-disable-line no-unreachable
      };
      return { cls: make() };
    },
    code: 'PACK_FREE_VARIABLE',
    message: /`late`, used by class cls at .*: it is a local of the function `make` .*; it is not initialized yet \(temporal dead zone\)/,
  },
  {
    name: 'a Node global that does not exist in the isolate',
    make: () => ({ cls: class Waiter extends Component { f() { setTimeout(() => {}, 1); } } }), // eslint-disable-line
    code: 'PACK_FREE_VARIABLE',
    message: /`setTimeout`, used by class Waiter at .* cannot travel: it is a global of this host \(Node\) that does not exist inside the isolate, where only ECMAScript built-ins and the isoclass runtime do\. Fix: use a capability from isoclass/,
  },
  {
    name: 'a global the policy does not allow',
    make: () => ({ cls: class Wrapper extends Component { f() { return new Proxy({}, {}); } } }), // eslint-disable-line
    code: 'PACK_FREE_VARIABLE',
    message: /`Proxy`, used by class Wrapper at .* cannot travel: it is a global that policy "default" does not allow\. Fix: use an allowed global, or pack under a policy that allows it/,
  },
  {
    name: 'a name defined nowhere',
    make: () => ({ cls: class Ghost extends Component { f() { return notDefinedAnywhere; } } }), // eslint-disable-line
    code: 'PACK_FREE_VARIABLE',
    message: /`notDefinedAnywhere`, used by class Ghost at .* cannot travel: it is not a global, not an isoclass runtime export \(Component, log, artifact, sleep\), and not in deps\. Fix: if it is a module-level binding or a local of an enclosing function, pass it in deps: \{ notDefinedAnywhere \}/,
  },
  {
    name: 'a local named like a runtime export',
    make: () => {
      const log = (x: unknown): unknown => x;
      return { cls: class Talker extends Component { f() { return log(1); } } }; // eslint-disable-line
    },
    code: 'PACK_FREE_VARIABLE',
    message: /`log`, used by class Talker .* it is a local of the enclosing function .* holding function log, not isoclass's log\. Fix: import log from isoclass, or pass your own in deps: \{ log \}/,
  },
  {
    name: 'a deps entry that is not the value the code sees',
    make: () => ({ cls: UsesDouble, deps: { double: (x: number) => x * 3 } }),
    code: 'PACK_DEP_MISMATCH',
    message: /deps\.double is not the value class UsesDouble uses as `double` at test\/pack\/live\/unsupported\.test\.ts:\d+:\d+: the code sees function double \(a module-level binding of test\/pack\/live\/unsupported\.test\.ts\), deps gives function double, a different value/,
  },
  {
    name: 'a runtime export under another name',
    make: () => {
      const Base = Component;
      return { cls: class Renamed extends Base {}, deps: { Base: Component } };
    },
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.Base is isoclass's Component, which the isolate provides itself: use it under its own name \(Component\) in the code/,
  },
  // values that cannot be inlined
  {
    name: 'a Map',
    make: () => ({ cls: class extends Component { f() { return cache; } }, deps: { cache: new Map() } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.cache is a Map, which cannot travel as source: pass its contents as JSON/,
  },
  {
    name: 'a Date',
    make: () => ({ cls: class extends Component { f() { return epoch; } }, deps: { epoch: new Date(0) } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.epoch is a Date, which cannot travel as source/,
  },
  {
    name: 'an instance of a class',
    make: () => {
      class Point {
        x = 1;
      }
      return { cls: class extends Component { f() { return origin; } }, deps: { origin: new Point() } }; // eslint-disable-line
    },
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.origin is an instance of Point, which cannot travel as source: instances carry state that source text cannot; construct it inside the class/,
  },
  {
    name: 'an object holding functions',
    make: () => ({ cls: class extends Component { f() { return utils.double(1); } }, deps: { utils: { double: (x: number) => x * 2 } } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.utils holds a function at deps\.utils\.double, which cannot travel as source: only JSON data is inlined; pass each function in deps/,
  },
  {
    name: 'a "__proto__" key in inlined data',
    make: () => ({ cls: class extends Component { f() { return config; } }, deps: { config: JSON.parse('{"a": {"__proto__": 1}}') as unknown } }), // eslint-disable-line
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.config\.a\.__proto__ is a "__proto__" key, which an object literal would turn into a prototype/,
  },
  {
    name: 'a regular expression with state',
    make: () => {
      const word = /\w+/g;
      word.exec('a b');
      return { cls: class extends Component { f() { return word.source; } }, deps: { word } }; // eslint-disable-line
    },
    code: 'PACK_DEP_UNSUPPORTED',
    message: /deps\.word is a regular expression with state \(lastIndex or own properties\)/,
  },
  // functions that take their context from where they were defined
  {
    name: 'an arrow function using this (a class field handler)',
    make: () => {
      class Widget {
        n = 1;
        handler = (): number => this.n;
      }
      return { cls: class extends Component { f() { return handler(); } }, deps: { handler: new Widget().handler } }; // eslint-disable-line
    },
    code: 'PACK_SOURCE_LOST',
    message: /deps\.handler \(function handler\) uses `this`: an arrow function takes this from where it was defined/,
  },
  {
    name: 'an arrow function using the arguments of the function it was made in',
    make: () => {
      function counter(..._values: number[]): () => number {
        return () => arguments.length; // eslint-disable-line prefer-rest-params
      }
      return { cls: class extends Component { f() { return count(); } }, deps: { count: counter(1, 2) } }; // eslint-disable-line
    },
    code: 'PACK_SOURCE_LOST',
    message: /deps\.count \(function \(anonymous\)\) uses `arguments` at .*: an arrow function takes it from the function it was defined in, which does not travel\. Use rest parameters/,
  },
  {
    name: 'a method using super on its own',
    make: () => {
      const object = {
        show(): string {
          return super.toString();
        },
      };
      return { cls: class extends Component { f() { return show(); } }, deps: { show: object.show } }; // eslint-disable-line
    },
    code: 'PACK_SOURCE_LOST',
    message: /deps\.show \(function show\) uses `super`: a method on its own loses the object its `super` refers to/,
  },
  // the input itself
  { name: 'a plain function instead of a class', make: () => ({ cls: function notAClass() {} }), code: 'PACK_NOT_A_CLASS', message: /pack\(\) takes a class, got a function \(notAClass\)/ },
  { name: 'an arrow function instead of a class', make: () => ({ cls: () => 1 }), code: 'PACK_NOT_A_CLASS', message: /pack\(\) takes a class, got an arrow function/ },
  { name: 'a number instead of a class', make: () => ({ cls: 42 }), code: 'PACK_NOT_A_CLASS', message: /pack\(\) takes a class, got number; to pack a module file use packFile\(\)/ },
  { name: 'a native function instead of a class', make: () => ({ cls: Math.max }), code: 'PACK_NOT_A_CLASS', message: /pack\(\) takes a class written in JavaScript: class max is a native function \(max\)/ },
  { name: 'a deps key that is not an identifier', make: () => ({ cls: plain(), deps: { 'not-a-name': 1 } }), code: 'PACK_OPTIONS_INVALID', message: /deps\.not-a-name is not a name code can refer to/ },
  { name: 'a deps key that is a reserved word', make: () => ({ cls: plain(), deps: { class: 1 } }), code: 'PACK_OPTIONS_INVALID', message: /deps\.class is not a name code can refer to/ },
];

describe('pack(SomeClass) refuses what toString cannot carry', () => {
  for (const c of CASES) {
    it(`${c.name} (${c.code})`, async () => {
      const { cls, deps, params } = c.make();
      await assert.rejects(pack(cls, { keys: [testKey().seed], ...(deps ? { deps } : {}), ...(params ? { params } : {}) }), (error: unknown) => {
        assert.ok(error instanceof PackError, `a PackError, got ${String(error)}`);
        assert.equal(error.code, c.code, error.message);
        assert.match(error.message, c.message);
        return true;
      });
    });
  }

  it('deps must be an object', async () => {
    await assert.rejects(pack(plain(), { keys: [testKey().seed], deps: 5 as unknown as Record<string, unknown> }), (e: unknown) => e instanceof PackError && e.code === 'PACK_OPTIONS_INVALID' && /deps must be an object/.test(e.message));
  });

  it('reports a policy violation in captured code at its original file and line', async () => {
    class Reflective extends Component {
      name(): string {
        return (this as unknown as { constructor: { name: string } }).constructor.name;
      }
    }
    await assert.rejects(pack(Reflective, { keys: [testKey().seed] }), (error: unknown) => {
      assert.ok(error instanceof PolicyError);
      assert.equal(error.code, 'POLICY_VIOLATION');
      const violation = error.violations[0] as { file?: string; line: number; rule: string };
      assert.equal(violation.file, THIS_FILE);
      assert.equal(violation.rule, 'member');
      assert.match(error.message, new RegExp(`${THIS_FILE.replaceAll('.', '\\.')}:${violation.line}:\\d+ member: property "constructor" is denied`));
      return true;
    });
  });

  it('refuses a class whose constructor throws with its params, with a stack into this file (PACK_ROUND_TRIP_FAILED)', async () => {
    class Picky extends Component<{ size?: number }> {
      constructor(params: { size?: number }) {
        super(params);
        if (typeof this.params.size !== 'number') throw new TypeError('params.size must be a number');
      }
    }
    await assert.rejects(pack(Picky, { keys: [testKey().seed], params: {} }), (error: unknown) => {
      assert.ok(error instanceof PackError);
      assert.equal(error.code, 'PACK_ROUND_TRIP_FAILED');
      assert.match(error.message, /component threw TypeError: params\.size must be a number/);
      assert.match(error.message, new RegExp(`at new Picky \\(component:default/Picky@1/${THIS_FILE.replaceAll('.', '\\.')}:\\d+:\\d+\\)`));
      return true;
    });
  });
});
