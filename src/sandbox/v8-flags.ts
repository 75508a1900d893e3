import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags every process that runs component isolates must have, set before the first isolate
 * compiles anything.
 *
 * `--no-turboshaft-loop-unrolling`: with it on (V8 13.x default), TurboFan compiles a loop whose
 * body builds a constant-size array (`for (;;) a.push(new Array(1000).fill(1))`) into code with
 * no interrupt check: `LoopStackCheckElisionReducer` marks the compiler-generated
 * element-initialisation loop (a known, small trip count) for stack-check removal, and because
 * that inner loop has no check of its own the "skip the next check" flag is still set when the
 * copier reaches the enclosing loop's back-edge check, which it removes. V8 acts on a timeout, a
 * memory-limit termination or a dispose only at interrupt checks, so such a loop ran on after its
 * isolate was disposed and grew the host to 15 GB (and a non-allocating one ignored the CPU
 * timeout forever). Turning the reducer's phase off restores the check; TurboFan stays on. The
 * flag is process-wide: host code loses loop unrolling too (measured in BENCHMARKS.md).
 */
export const ISOLATE_SAFETY_FLAGS: readonly string[] = Object.freeze(['--no-turboshaft-loop-unrolling']);

let applied = false;

/** Applies {@link ISOLATE_SAFETY_FLAGS} once per process. Called before any isolate is created. */
export function applyIsolateSafetyFlags(): void {
  if (applied) return;
  applied = true;
  for (const flag of ISOLATE_SAFETY_FLAGS) setFlagsFromString(flag);
}
