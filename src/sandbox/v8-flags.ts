import { setFlagsFromString } from 'node:v8';
import { SETUP_FUNCTION_PREFIX } from './prelude/names.ts';

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

/**
 * V8 flags that keep memory out of every isolate, set with {@link ISOLATE_SAFETY_FLAGS}.
 *
 * `--sparkplug-filter=-isoclassSetup*`: Sparkplug (the baseline compiler) skips functions whose
 * name starts with `isoclassSetup`: the prelude's run-once setup functions (the hardening walk, the
 * installers of the bounded builtins). The walk loops long enough for V8 to compile its function,
 * and that code is kept for as long as the prelude's script lives, in every isolate (~20 KB of
 * machine code and the code-space page it opens, for a function that never runs again). The filter
 * matches on the function's name only: every other function, host code included, is compiled as
 * before (no host function is named so), and the optimising compilers are untouched. It replaces a
 * `--sparkplug-filter` given on the command line.
 */
export const ISOLATE_MEMORY_FLAGS: readonly string[] = Object.freeze([`--sparkplug-filter=-${SETUP_FUNCTION_PREFIX}*`]);

let applied = false;

/** Applies {@link ISOLATE_SAFETY_FLAGS} and {@link ISOLATE_MEMORY_FLAGS} once per process. Called before any isolate is created. */
export function applyIsolateSafetyFlags(): void {
  if (applied) return;
  applied = true;
  for (const flag of [...ISOLATE_SAFETY_FLAGS, ...ISOLATE_MEMORY_FLAGS]) setFlagsFromString(flag);
}
