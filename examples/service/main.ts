/**
 * Runs the example service: `node --no-node-snapshot examples/service/main.ts --trust trust.json [--port 8080]`.
 * The trust file (or a .pub key) decides whose envelopes load; the policy is `default`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseTrust } from '../../src/index.ts';
import { createService } from './service.ts';

const { values } = parseArgs({ options: { trust: { type: 'string' }, port: { type: 'string', default: '8080' }, isolation: { type: 'string', default: 'tenant' } } });
if (values.trust === undefined) {
  process.stderr.write('usage: main.ts --trust <trust.json | key.pub> [--port N] [--isolation tenant|isolate]\n');
  process.exit(2);
}
const text = readFileSync(values.trust, 'utf8');
// a trust file, or a single public key PEM (parseTrust reads both)
const trust = parseTrust(text, values.trust);
const isolation = values.isolation === 'isolate' ? 'isolate' : 'tenant';
const service = createService({
  trust,
  isolation,
  onLog: (entry) => process.stdout.write(`[${entry.tenant}/${entry.identifier}@${entry.version}] ${entry.line}\n`),
  onCatastrophicError: (event) => process.stderr.write(`isoclass: isolate of tenant ${event.tenant ?? '?'} lost (${event.message}); /healthz now fails\n`),
});
service.server.listen(Number(values.port), () => process.stdout.write(`isoclass example service on :${values.port} (${isolation} isolation)\n`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void service.close().then(() => process.exit(0)));
