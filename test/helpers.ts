/**
 * Shared test helpers: keys, records and envelopes made in-process, and a CLI runner that
 * starts the real `isoclass` command in a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ISOCLASS_PAYLOAD_TYPE, encodeEnvelope } from '../src/envelope/envelope.ts';
import { RECORD_TYPE, serializeRecord, sha256Hex, type ComponentRecord } from '../src/envelope/record.ts';
import { keyPairFromSeed, type Ed25519KeyPair } from '../src/signing/ed25519.ts';
import { signEnvelope } from '../src/signing/sign.ts';
import { trustSingleKey, type TrustRoot } from '../src/signing/trust.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'src', 'cli', 'main.ts');

/** A deterministic key pair from a one-byte seed, so failures reproduce. */
export function testKey(seedByte = 1): Ed25519KeyPair {
  return keyPairFromSeed(new Uint8Array(32).fill(seedByte));
}

export function testTrust(key: Ed25519KeyPair = testKey()): TrustRoot {
  return trustSingleKey(key.publicKey);
}

export function makeRecord(source: string, overrides: Partial<ComponentRecord> = {}): ComponentRecord {
  return {
    _type: RECORD_TYPE,
    identifier: 'test-component',
    version: 1,
    tenant: 'acme',
    repr: 'class Test',
    code: { format: 'esm', source, sha256: sha256Hex(source), export: 'default' },
    params: {},
    artifacts: {},
    createdAt: '2026-01-01T00:00:00Z',
    expiresAt: null,
    ...overrides,
  };
}

/** Signs a record (or raw payload bytes) into envelope JSON text. */
export function makeEnvelope(
  record: ComponentRecord | Uint8Array,
  keys: readonly Ed25519KeyPair[] = [testKey()],
  payloadType = ISOCLASS_PAYLOAD_TYPE,
): string {
  const payload = record instanceof Uint8Array ? record : serializeRecord(record);
  return encodeEnvelope(signEnvelope(payloadType, payload, keys.map((k) => k.seed)));
}

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'isoclass-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `isoclass <args>` in a child Node (the same binary, with --no-node-snapshot). */
export function runCli(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', CLI, ...args], { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A temporary folder holding a fresh key pair, dev.key and dev.pub, made by `isoclass keygen`. */
export async function keyedDir(t: { after: (fn: () => void) => void }): Promise<string> {
  const dir = tempDir(t);
  const keygen = await runCli(['keygen', '--out', 'dev'], { cwd: dir });
  if (keygen.code !== 0) throw new Error(`keygen failed (exit ${keygen.code}): ${keygen.stderr}`);
  return dir;
}
