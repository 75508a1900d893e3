/** The host side of the capabilities, without an isolate: what the handlers do with alleged input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capabilityHandlers } from '../../src/sandbox/capabilities.ts';
import { makeRecord } from '../helpers.ts';
import { ATTACK_LIMITS } from '../attacks/harness/modes.ts';

const LIMITS = ATTACK_LIMITS;

function sleeps(): { sleep: (id: unknown, ms: unknown) => void; started: [number, number][] } {
  const started: [number, number][] = [];
  const handlers = capabilityHandlers({ record: makeRecord('export default class C {}'), limits: LIMITS, startTimer: (id, delay) => started.push([id, delay]), settle: () => {} });
  return { sleep: handlers.sleep, started };
}

describe('sleep', () => {
  it('clamps a sleep past the deadline to a little after it, never at it (the deadline must fire first)', () => {
    const { sleep, started } = sleeps();
    sleep(1, 60_000);
    sleep(2, Number.POSITIVE_INFINITY);
    assert.equal(started.length, 2);
    for (const [, delay] of started) assert.ok(delay > LIMITS.wallMsPerCall && delay <= LIMITS.wallMsPerCall + 1000, `delay ${delay}`);
  });

  it('takes a plain delay as given and refuses alleged nonsense quietly', () => {
    const { sleep, started } = sleeps();
    sleep(1, 25);
    sleep(2, -5);
    sleep(3, 'soon');
    sleep('x', 10);
    assert.deepEqual(started, [
      [1, 25],
      [2, 0],
      [3, 0],
    ]);
  });
});
