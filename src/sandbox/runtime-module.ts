import type { CapabilityName } from '../policy/policy.ts';
import { RUNTIME_HANDOFF } from './prelude.ts';

const CAPABILITY_EXPORTS: Readonly<Record<CapabilityName, string>> = { log: 'log', artifacts: 'artifact', timers: 'sleep' };

const sources = new Map<string, string>();

/**
 * Source of the `isoclass` module a component imports. It exports `Component` and only the
 * capabilities the policy grants (an ungranted one does not exist to be imported). It takes its
 * values from the one-shot handoff the prelude's `setup` left on the global object, and deletes
 * it, before any component code runs.
 */
export function runtimeModuleSource(capabilities: Readonly<Record<CapabilityName, boolean>>): string {
  const granted = (Object.keys(CAPABILITY_EXPORTS) as CapabilityName[]).filter((c) => capabilities[c]);
  const key = granted.join(',');
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
