/**
 * V8 flags are process-wide: a service started with --expose-gc-as, --expose-externalize-string
 * or a --harmony-* flag has V8 put extension functions or new globals in every context, component
 * contexts included, under names a denylist cannot foresee. The prelude keeps the standard
 * globals it lists only (harden.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { MODES } from './harness/modes.ts';

const CHILD = fileURLToPath(new URL('./harness/host-flags-child.ts', import.meta.url));
const TIMEOUT_MS = 60_000; // ms: a child process loads a component in four modes
/**
 * What the flags below add to every context: V8's gc under another name, externalize-string's and
 * statistics' functions, and ShadowRealm (a fresh realm, none of it hardened).
 */
const EXTENSION_GLOBALS = ['hostCollector', 'externalizeString', 'createExternalizableString', 'isOneByteString', 'getV8Statistics', 'ShadowRealm'];

describe('extension globals a host flag puts in every context', () => {
  it('are gone from the component\'s global object in every mode', { timeout: TIMEOUT_MS }, () => {
    const flags = ['--no-node-snapshot', '--expose-gc-as=hostCollector', '--expose-externalize-string', '--expose-statistics', '--harmony-shadow-realm'];
    const run = spawnSync(process.execPath, [...flags, CHILD, JSON.stringify(EXTENSION_GLOBALS)], { encoding: 'utf8', timeout: TIMEOUT_MS });
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout) as Record<string, string[]>;
    // the flags did put them in the host's context
    assert.deepEqual(seen.host, EXTENSION_GLOBALS);
    for (const mode of MODES) assert.deepEqual(seen[mode], [], `${mode}: non-standard globals a component sees`);
  });
});
