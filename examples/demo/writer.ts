/**
 * The writing service: packs and signs the components in examples/components/ into a folder of
 * envelopes. It is the only process that ever holds the secret key or the components' code.
 *
 *   node --no-node-snapshot examples/demo/writer.ts <out-dir>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPublicKeyPem, generateKeyPair, keyIdOf, packFile } from '../../src/index.ts';

const out = process.argv[2];
if (out === undefined) throw new Error('usage: writer.ts <out-dir>');
const components = fileURLToPath(new URL('../components/', import.meta.url));
const rejected = fileURLToPath(new URL('../rejected/', import.meta.url));
const params = JSON.parse(readFileSync(join(components, 'params.json'), 'utf8')) as Record<string, unknown>;

const ms = (start: number): string => `${(performance.now() - start).toFixed(1)} ms`;
mkdirSync(join(out, 'envelopes'), { recursive: true });

let t = performance.now();
const key = generateKeyPair();
writeFileSync(join(out, 'writer.pub'), formatPublicKeyPem(key.publicKey));
console.log(`writer: generated Ed25519 key ${keyIdOf(key.publicKey).slice(0, 16)}… (${ms(t)}); only its public half leaves this process`);

for (const [name, componentParams] of Object.entries(params)) {
  t = performance.now();
  const { envelope, record } = await packFile(join(components, `${name}.ts`), {
    keys: [key.seed],
    identifier: name,
    tenant: 'acme',
    version: 1,
    params: componentParams,
  });
  writeFileSync(join(out, 'envelopes', `${name}.json`), envelope);
  console.log(
    `writer: packed ${record.tenant}/${name} v${record.version} — ${record.repr}; bundled, policy-checked, round-tripped in an isolate and signed (${ms(t)}, ${envelope.length} bytes)`,
  );
}

// A tampered copy: one byte of the signed payload changed after signing.
const scorer = JSON.parse(readFileSync(join(out, 'envelopes', 'scorer.json'), 'utf8')) as { payload: string };
const payload = Buffer.from(scorer.payload, 'base64');
payload[payload.indexOf('"bias":') + 7] = '9'.charCodeAt(0);
writeFileSync(join(out, 'envelopes', 'scorer-tampered.json'), JSON.stringify({ ...scorer, payload: payload.toString('base64') }));
console.log('writer: wrote scorer-tampered.json — the same envelope with one payload byte changed (the bias) after signing');

// A component that tries to compile code at run time. The writer signs it under the permissive
// sandbox-only policy; readers enforce their own policy and must refuse it.
t = performance.now();
const { envelope: escape } = await packFile(join(rejected, 'escape.ts'), { keys: [key.seed], identifier: 'escape', tenant: 'acme', policy: 'sandbox-only' });
writeFileSync(join(out, 'envelopes', 'escape.json'), escape);
console.log(`writer: packed acme/escape v1, which reaches for the Function constructor, signed but policy-violating (${ms(t)})`);
