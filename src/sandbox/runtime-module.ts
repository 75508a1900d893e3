import type { CapabilityName } from '../policy/policy.ts';
import { RUNTIME_HANDOFF } from './prelude/names.ts';

const CAPABILITY_EXPORTS: Readonly<Record<CapabilityName, string>> = { log: 'log', artifacts: 'artifact', timers: 'sleep' };

const sources = new Map<string, string>();

/** The capability names a policy grants, in a fixed order (also the key of a runtime module). */
export function grantedCapabilities(capabilities: Readonly<Record<CapabilityName, boolean>>): readonly CapabilityName[] {
  return (Object.keys(CAPABILITY_EXPORTS) as CapabilityName[]).filter((c) => capabilities[c]);
}

/** The granted capabilities as one string: what a prepared context is prepared for. */
export function capabilityKey(capabilities: Readonly<Record<CapabilityName, boolean>>): string {
  return grantedCapabilities(capabilities).join(',');
}

/**
 * Source of the `isoclass` module a component imports. It exports `Component` and only the
 * capabilities the policy grants (an ungranted one does not exist to be imported). It takes its
 * values from the one-shot handoff the prelude left on the global object, and deletes it; it is
 * evaluated when the context is prepared, before any component code exists.
 */
export function runtimeModuleSource(capabilities: Readonly<Record<CapabilityName, boolean>>): string {
  const granted = grantedCapabilities(capabilities);
  const key = capabilityKey(capabilities);
  let source = sources.get(key);
  if (source === undefined) {
    const lines = [
      `const runtime = globalThis[${JSON.stringify(RUNTIME_HANDOFF)}];`,
      `delete globalThis[${JSON.stringify(RUNTIME_HANDOFF)}];`,
      'export const Component = runtime.Component;',
      ...granted.map((c) => `export const ${CAPABILITY_EXPORTS[c]} = runtime.${CAPABILITY_EXPORTS[c]};`),
    ];
    source = lines.join('\n');
    sources.set(key, source);
  }
  return source;
}
