/**
 * Runs bombs in a child process under a guard: the child is killed if its resident memory passes
 * GUARD_RSS_MB or one bomb runs past GUARD_CASE_MS, so a bomb that escapes its isolate (the defence
 * regressed) fails its test instead of taking the machine down. Bombs run one after another; after
 * a child dies, the remaining bombs run in a new child.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Mode } from './modes.ts';

export const GUARD_RSS_MB = 1536; // MiB of resident memory before the child is killed
export const GUARD_CASE_MS = 20_000; // ms one bomb may take before the child is killed
const POLL_MS = 25; // ms between resident-memory samples

const CHILD = fileURLToPath(new URL('./bomb-child.ts', import.meta.url));

export interface BombResult {
  readonly name: string;
  /** The error code the call ended in, or NO_ERROR, or KILLED / CRASHED when the guard or the child ended it. */
  readonly code: string;
  readonly message: string;
  readonly ms: number;
  /** The child's largest resident memory while this bomb ran, MiB. */
  readonly peakRssMb: number;
  /** The child's resident memory once the bomb was over, MiB. */
  readonly rssAfterMb: number;
  /** True when a normal component loaded and ran right after; otherwise why not. */
  readonly normal: true | string;
}

function rssMbOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function runChild(mode: Mode, names: readonly string[]): Promise<BombResult[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', CHILD, JSON.stringify({ mode, names })], { stdio: ['ignore', 'pipe', 'pipe'] });
    const results: BombResult[] = [];
    let current: string | undefined;
    let caseStarted = performance.now();
    let peak = 0;
    let killed: string | undefined;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        if (line['event'] === 'start') {
          current = String(line['name']);
          caseStarted = performance.now();
          peak = Number(line['rssMb']);
        } else if (line['event'] === 'end') {
          results.push({
            name: String(line['name']),
            code: String(line['code']),
            message: String(line['message']),
            ms: Number(line['ms']),
            peakRssMb: Math.round(Math.max(peak, Number(line['rssMb']))),
            rssAfterMb: Number(line['rssMb']),
            normal: line['normal'] === true ? true : String(line['normal']),
          });
          current = undefined;
        } else if (line['event'] === 'done') {
          // an isolate thread parked after a catastrophic error keeps the child from exiting
          child.kill('SIGKILL');
        }
      }
    });
    const guard = setInterval(() => {
      const rss = rssMbOf(child.pid ?? 0);
      peak = Math.max(peak, rss);
      if (killed !== undefined) return;
      if (rss > GUARD_RSS_MB) killed = `resident memory ${Math.round(rss)} MiB passed the guard of ${GUARD_RSS_MB} MiB`;
      else if (current !== undefined && performance.now() - caseStarted > GUARD_CASE_MS) killed = `still running after ${GUARD_CASE_MS} ms`;
      if (killed !== undefined) child.kill('SIGKILL');
    }, POLL_MS);
    child.on('exit', (code, signal) => {
      clearInterval(guard);
      if (current !== undefined) {
        results.push({
          name: current,
          code: killed !== undefined ? 'KILLED' : 'CRASHED',
          message: killed ?? `child exited with ${signal ?? code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ms: Math.round(performance.now() - caseStarted),
          peakRssMb: Math.round(peak),
          rssAfterMb: 0,
          normal: 'the host process died',
        });
      }
      resolve(results);
    });
  });
}

/** Runs every named bomb in `mode`; one result per bomb, in order. */
export async function runGuarded(mode: Mode, names: readonly string[]): Promise<Map<string, BombResult>> {
  const results = new Map<string, BombResult>();
  let remaining = [...names];
  while (remaining.length > 0) {
    const batch = await runChild(mode, remaining);
    for (const result of batch) results.set(result.name, result);
    const done = new Set(batch.map((r) => r.name));
    if (batch.length === 0) {
      // the child died before it started: report the rest rather than loop
      for (const name of remaining) results.set(name, { name, code: 'CRASHED', message: 'the child did not start', ms: 0, peakRssMb: 0, rssAfterMb: 0, normal: 'no child' });
      break;
    }
    remaining = remaining.filter((name) => !done.has(name));
  }
  return results;
}
