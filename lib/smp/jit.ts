// How soon V8 optimizes the runtime's own JavaScript. By default a function is compiled by
// TurboFan after little use, on V8's background threads, and again when a collection throws its
// code away or a new closure of it runs hot. The runtime records and plans every step in small
// functions and closures, so in a loop those compilations never stop (N-body: about 350 over
// 1,000 steps, 55 ms for one compile of buildKernel), and on a machine whose cores all run
// kernel pieces a compiling thread takes one: a pool thread then starts its pieces 1-6 ms late
// in one step of five. A larger interrupt budget (how much a function must run between checks
// for optimization) leaves the hot code optimized and the rest alone.
import { setFlagsFromString } from 'node:v8';

/**
 * About six times V8's default (67,584). Measured at 2 threads, medians of 7 runs x 3 processes:
 * N-body 45 -> 33 ms, Jacobi 47-62 -> 30-34 ms; 200,000 gave 36 and 36-46, 1,000,000 35 and 33-43.
 */
export const INTERRUPT_BUDGET = 400_000;

/**
 * Raise V8's interrupt budget for the whole process, the program's own code included (pool threads
 * started later share it), unless DISTNUMPY_NO_JIT_TUNING=1 or node was started with its own
 * --interrupt-budget.
 */
export function tuneJit(): void {
  if (process.env.DISTNUMPY_NO_JIT_TUNING === '1') return;
  if (process.execArgv.some((a) => /^--interrupt[-_]budget(=|$)/.test(a))) return;
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
