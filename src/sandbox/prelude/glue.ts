import { MAX_PENDING_SLEEPS, RUNTIME_HANDOFF } from './names.ts';

/**
 * Prelude fragment 4 (JavaScript, runs inside the isolate): the runtime module's exports and the
 * glue the host holds as References.
 *
 * The exports (`Component` and the capability functions) are left on the global object under a
 * one-shot name that the runtime module reads and deletes when it is evaluated, which happens
 * when the context is prepared, before any component code exists. `bind` installs the host
 * callbacks then too (the host decides later which component they serve); `instantiate` gives
 * the context its one component.
 *
 * Outcome of a call, as the host reads it (outcome.ts):
 *   number | boolean | null  the result itself
 *   's' + string             a string result
 *   'u'                      undefined
 *   'v' + JSON               any other value, encoded (encode.ts)
 *   'e' + JSON               the result could not be encoded {code, message}
 *   't' + JSON               the component threw {name, message, stack}
 *   'M' + text               the component went over its memory budget (bounds.ts)
 *   'm' + name               no such method;  'x' + typeof: the export is not a class
 *   'T'                      the module had not finished evaluating (top-level await)
 *   'p'                      pending: the settle callback will deliver the outcome
 *   'P'                      a synchronous call returned a promise
 */
export const GLUE_SOURCE = String.raw`
let meta = freeze({ identifier: '', version: 0, tenant: '' });
class Component {
  constructor(params) {
    defineProperty(this, 'params', { value: deepFreeze(params === undefined ? {} : params), enumerable: true });
  }
  get identifier() { return meta.identifier; }
  get version() { return meta.version; }
  get tenant() { return meta.tenant; }
}
freeze(Component.prototype);
freeze(Component);

// Host capabilities arrive as ivm Callbacks in bind(). They are never exposed: each is called only
// from a frozen function of this realm that checks its arguments, and a host callback never
// throws into the isolate (a host Error would carry host file paths): artifact returns [ok, value].
let hostLog;
let hostArtifact;
let hostSleep;
let hostSettle;
let maxLogChars = 0;
const sleepers = new MapCtor();
let nextSleeper = 1;
let pendingSleeps = 0;
const capabilities = create(null);
capabilities.Component = Component;
capabilities.log = freeze(function log(...values) {
  if (hostLog === undefined) throw new TypeErrorCtor('log() is not granted to this component');
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let text;
    try {
      text = typeof v === 'string' ? v : encode(v, maxLogChars, 'log[' + i + ']');
    } catch (e) {
      text = '[unprintable]';
    }
    line += (i > 0 ? ' ' : '') + text;
    if (line.length > maxLogChars) break;
  }
  hostLog(clip(line, maxLogChars));
});
capabilities.artifact = freeze(function artifact(name) {
  if (hostArtifact === undefined) throw new TypeErrorCtor('artifact() is not granted to this component');
  if (typeof name !== 'string') throw new TypeErrorCtor('artifact(name) takes the artifact name as a string');
  const outcome = hostArtifact(name);
  if (outcome[0] !== true) throw new ErrorCtor(StringCtor(outcome[1]));
  return outcome[1];
});
capabilities.sleep = freeze(function sleep(ms) {
  if (hostSleep === undefined) throw new TypeErrorCtor('sleep() is not granted to this component');
  if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeErrorCtor('sleep(ms) takes a non-negative number of milliseconds');
  // host timer flooding: every pending sleep is a timer in the host, which the heap limit does not bound
  if (pendingSleeps >= ${MAX_PENDING_SLEEPS}) throw new RangeErrorCtor('sleep(): ${MAX_PENDING_SLEEPS} sleeps are already pending; await some before starting more');
  pendingSleeps++;
  const id = nextSleeper++;
  return new PromiseCtor((resolve) => {
    apply(mapSet, sleepers, [id, resolve]);
    hostSleep(id, ms);
  });
});
// read once by the runtime module, which deletes it before any component code runs
defineProperty(G, '${RUNTIME_HANDOFF}', { value: freeze(capabilities), configurable: true });

/** Installs the host callbacks (undefined for a capability not granted): the prelude does, once. */
const bind = (function bind(log, artifact, sleep, settle, logChars) {
  hostLog = log;
  hostArtifact = artifact;
  hostSleep = sleep;
  hostSettle = settle;
  maxLogChars = +logChars;
});

/** Called by the host when a sleep's timer fires. */
function wake(id) {
  const resolve = apply(mapGet, sleepers, [id]);
  if (resolve === undefined) return;
  apply(mapDelete, sleepers, [id]);
  pendingSleeps--;
  resolve();
}

/** Why the component is over its memory budget ('' while it is not). */
function status() {
  return poisoned;
}

const RangeErrorPrototype = RangeErrorCtor.prototype;
// V8's own message when the isolate's allocator refuses an ArrayBuffer
const ALLOCATION_FAILED = 'Array buffer allocation failed';
function isAllocationFailure(thrown) {
  try {
    return typeof thrown === 'object' && thrown !== null && getPrototypeOf(thrown) === RangeErrorPrototype && thrown.message === ALLOCATION_FAILED;
  } catch (e) {
    return false;
  }
}
const budgetOr = (function budgetOr(outcome) {
  return poisoned === '' ? outcome : 'M' + poisoned;
});
const outcomeOf = (function outcomeOf(value, maxResultChars) {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (value === undefined) return 'u';
  if (typeof value === 'string') {
    if (value.length + 2 > maxResultChars) return 'e' + stringify({ code: 'RESULT_TOO_LARGE', message: 'the result is a string of ' + value.length + ' characters, over the limit of ' + maxResultChars });
    return 's' + value;
  }
  try {
    return 'v' + encode(value, maxResultChars, 'result');
  } catch (e) {
    if (e instanceof EncodeFailure) return 'e' + stringify({ code: e.code, message: e.message });
    return thrownOutcome(e);
  }
});
const thrownOutcome = (function thrownOutcome(thrown) {
  // an ArrayBuffer larger than the memory limit ends like any other memory bomb
  if (isAllocationFailure(thrown) && poisoned === '') poisoned = 'an ArrayBuffer allocation';
  return 't' + describeThrown(thrown);
});

// Only methods the component's own classes define are callable: not Object.prototype's
// (toString, __defineGetter__, ...), not the constructor, and no getter is invoked to find one.
const findMethod = (function findMethod(instance, name) {
  if (typeof name !== 'string' || name === 'constructor') return undefined;
  for (let p = instance; p !== null && p !== ObjectPrototype && p !== Component.prototype; p = getPrototypeOf(p)) {
    const desc = getOwnPropertyDescriptor(p, name);
    if (desc !== undefined) return 'value' in desc && typeof desc.value === 'function' ? desc.value : undefined;
  }
  return undefined;
});
function noop() {}
const RECENT_OUTCOMES = 64; // asynchronous calls whose outcome control('take') can still return


let instantiated = false;
/**
 * Gives the context its one component: takes the export from the evaluated module's namespace,
 * constructs it with its params, and returns the function the host controls it through (or an
 * outcome string if it could not be constructed).
 */
const instantiate = (function instantiate(namespace, exportName, params, maxResultChars, identifier, version, tenant) {
  // one component per context: a second one would share the first's realm and globals
  if (instantiated) throw new TypeErrorCtor('isoclass: context already has its component');
  instantiated = true;
  meta = freeze({ identifier: StringCtor(identifier), version: +version, tenant: StringCtor(tenant) });
  let exported;
  try {
    exported = namespace[exportName];
  } catch (e) {
    // a binding still in its temporal dead zone: top-level await that had not finished
    return 'T';
  }
  return construction(exported, params, maxResultChars);
});

/**
 * Runs the glue once, on a throwaway component of its own, while the context waits in the pool:
 * V8 compiles functions when first called, so the component's load and first call find the
 * glue compiled. Touches nothing the component will see.
 */
function rehearse() {
  if (instantiated) return;
  class Rehearsal extends Component {
    value(x) { return [x, { y: 'z', n: null, d: new Date(0) }, 's']; }
    text() { return 'x'; }
    fail() { throw new TypeErrorCtor('rehearsal'); }
  }
  const control = construction(Rehearsal, {}, 4096);
  if (typeof control !== 'function') return;
  for (const method of ['value', 'text', 'fail', 'missing']) {
    for (const mode of ['sync', 'async']) {
      const caller = control(mode, method);
      if (typeof caller !== 'function') continue;
      for (let i = 0; i < 2; i++) {
        if (mode === 'sync') caller(1);
        else caller(i + 1, 1);
      }
    }
  }
  control('take', 1);
  control('last');
}

/**
 * One memory-reducing collection, asked for by the host once the context's component is loaded
 * and idle: an idle isolate never collects, so the prelude's and the load's garbage would stay
 * resident, and the young generation would keep the pages it was given. isolated-vm has no call
 * for it, and V8's gc() would have to be exposed to every context the process makes (a V8 flag is
 * process-wide). What does it: an ArrayBuffer larger than the isolate may ever hold (the host
 * passes twice its heap limit). isolated-vm's allocator (isolated-vm 7, allocator_nortti.cc), asked
 * for more than the limit, runs V8's low-memory collection before refusing; V8 retries the
 * allocation after collections of its own (most of the cost: 10 ms or more), then throws a
 * RangeError, caught here. (A component can do the same to itself, in a call, on its own CPU
 * time: nothing new. A test checks the heap falls: were isolated-vm to change, it would fail.)
 */
function compact(refusedBytes) {
  if (typeof refusedBytes !== 'number' || !(refusedBytes > MEMORY_BYTES)) return false;
  try {
    new ArrayBufferCtor(refusedBytes);
  } catch (e) {
    return true;
  }
  return false;
}

/**
 * What the host holds of the context: one function (one Reference, no property reads to find the
 * others) that it calls with the operation it wants.
 */
const glue = freeze((function glue(op, ...args) {
  if (op === 'instantiate') return apply(instantiate, undefined, args);
  if (op === 'wake') return wake(args[0]);
  if (op === 'status') return status();
  if (op === 'rehearse') return rehearse();
  if (op === 'compact') return compact(args[0]);
  throw new TypeErrorCtor('isoclass: no glue operation ' + StringCtor(op));
}));

const construction = (function construction(exported, params, maxResultChars) {
  if (poisoned !== '') return 'M' + poisoned;
  if (typeof exported !== 'function') return 'x' + typeof exported;
  let instance;
  try {
    instance = construct(exported, [deepFreeze(params)]);
  } catch (e) {
    return budgetOr(thrownOutcome(e));
  }
  if (poisoned !== '') return 'M' + poisoned;
  // outcomes of the last RECENT_OUTCOMES asynchronous calls, for take(): a ring, oldest overwritten
  const recentIds = new ArrayCtor(RECENT_OUTCOMES).fill(-1);
  const recentOutcomes = new ArrayCtor(RECENT_OUTCOMES).fill('p');
  // the outcome of the synchronous call running or last run ('p' until it has one): synchronous
  // calls come one at a time from the host's thread, so one slot is enough
  let lastSync = 'p';
  const remember = (function remember(callId, outcome) {
    const slot = callId % RECENT_OUTCOMES;
    recentIds[slot] = callId;
    recentOutcomes[slot] = outcome;
    return outcome;
  });
  const settle = (function settle(callId, outcome) {
    remember(callId, outcome);
    hostSettle(callId, outcome);
  });
  /**
   * The callers of one method, bound to its name so a call copies in only its arguments. The
   * method found last time is used while the instance still resolves the name to it (a component
   * may replace its methods), and looked up again otherwise.
   */
  const bindMethod = (function bindMethod(name, sync) {
    // looked up at the first call, not here: binding runs no component code (a proxy's traps)
    let fn;
    const currentMethod = (function currentMethod() {
      if (fn === undefined || instance[name] !== fn) fn = findMethod(instance, name);
      return fn;
    });
    if (sync) {
      return freeze((function callSync(...args) {
        lastSync = 'p';
        let result;
        try {
          const method = currentMethod();
          if (method === undefined) return (lastSync = 'm' + name);
          result = apply(method, instance, args);
          if (isPromise(result)) {
            // nobody will wait for it: its rejection must not surface in another call
            apply(promiseThen, result, [noop, noop]);
            return (lastSync = budgetOr('P'));
          }
        } catch (e) {
          return (lastSync = budgetOr(thrownOutcome(e)));
        }
        return (lastSync = budgetOr(outcomeOf(result, maxResultChars)));
      }));
    }
    return freeze((function callAsync(callId, ...args) {
      let result;
      try {
        const method = currentMethod();
        if (method === undefined) return remember(callId, 'm' + name);
        result = apply(method, instance, args);
        if (isPromise(result)) {
          apply(promiseThen, result, [
            (value) => settle(callId, budgetOr(outcomeOf(value, maxResultChars))),
            (thrown) => settle(callId, budgetOr(thrownOutcome(thrown))),
          ]);
          return budgetOr('p');
        }
      } catch (e) {
        return remember(callId, budgetOr(thrownOutcome(e)));
      }
      return remember(callId, budgetOr(outcomeOf(result, maxResultChars)));
    }));
  });
  /**
   * What the host holds for the component:
   *   control('sync' | 'async', name)  the synchronous or asynchronous caller of a method (its
   *                                    calls answer 'm' + name while there is no such method)
   *   control('call', name, callId, ...args)  an asynchronous call through a caller made for it
   *                                    (a method's first calls, until the host has its caller)
   *   control('take', callId)          the outcome of an asynchronous call whose task result the
   *                                    host lost ('p' while it runs: the settle callback delivers it)
   *   control('last')                  the outcome of the last synchronous call, likewise
   * (isolated-vm reports an unhandled rejection raised in a task as the task's error instead of
   * its result; the outcome is then fetched here.)
   */
  const control = (function control(op, arg, ...rest) {
    if (op === 'sync' || op === 'async') return bindMethod(StringCtor(arg), op === 'sync');
    if (op === 'call') return apply(bindMethod(StringCtor(arg), false), undefined, rest);
    if (op === 'last') return lastSync;
    if (op === 'take') {
      const slot = arg % RECENT_OUTCOMES;
      return recentIds[slot] === arg ? recentOutcomes[slot] : 'p';
    }
    return undefined;
  });
  return freeze(control);
});
`;
