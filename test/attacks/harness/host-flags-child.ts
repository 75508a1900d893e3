/**
 * Child of host-flags.test.ts, started with V8 flags that put extension functions in every
 * context the process makes. Loads a component in every mode and prints, as JSON, which of those
 * functions it sees (the prelude's allowlist of globals should have removed them all).
 */
import { MODES, loadSource, loaderFor, sandboxOnly } from './modes.ts';

/** The extension functions the test's flags add, as the test passes them. */
const EXTENSION_GLOBALS = JSON.parse(process.argv[2] ?? '[]') as string[];
const SOURCE = `import { Component } from 'isoclass';
export default class Probe extends Component {
  run() { return ${JSON.stringify(EXTENSION_GLOBALS)}.filter((name) => typeof globalThis[name] !== 'undefined'); }
}
`;
const seen: Record<string, unknown> = {};
for (const mode of MODES) {
  const loader = loaderFor(mode, sandboxOnly());
  try {
    const component = await loadSource(loader, SOURCE);
    seen[mode] = await component.call('run');
  } finally {
    loader.close();
  }
}
// what the host's own contexts have, to show the flags took effect
seen.host = EXTENSION_GLOBALS.filter((name) => typeof (globalThis as Record<string, unknown>)[name] === 'function');
process.stdout.write(`${JSON.stringify(seen)}\n`);
// no process.exit: the process ends once its isolates are gone (exiting while an isolate's thread
// is still busy can crash isolated-vm)
