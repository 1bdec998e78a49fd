// A pool worker: serves a lane (lane.ts), compiling each kernel once (by key) and running the
// rows it is given.
import { KernelCache } from '../kernels/compile.js';
import { gemmRows } from '../kernels/matmul.js';
import { copyRange } from './copy.js';
import { claimPieces } from './pieces.js';
import { gcFunction } from './gc.js';
import { serveLoop } from './lane.js';
import type { ServeTask, Task, TaskResult } from './task.js';

const cache = new KernelCache();
const gc = gcFunction();
// The main thread's drop epoch this worker last collected for: its wrappers of buffers the main
// thread dropped keep them alive until it collects, and its own heap is too small for V8 to
// collect unprompted.
let collectedFor = 0;

/** Every piscina task is a lane's serve loop (pool.ts); the loop runs the tasks posted to it. */
export default function run(task: ServeTask): TaskResult {
  serveLoop(task, runTask);
  return undefined;
}

function runTask(task: Task): void {
  if (task.fault) fail(task.fault);
  if (gc && task.epoch !== undefined && task.epoch > collectedFor) {
    collectedFor = task.epoch;
    gc();
  }
  switch (task.type) {
    case 'pieces': {
      const fn = cache.get(task.key, task.source);
      claimPieces(task.counter, task.n, task.from, task.to, task.width, task.partials, (a, z, fresh) => fn(task.arrays, task.meta, task.consts, a, z, fresh));
      return;
    }
    case 'gemm':
      gemmRows(task.a, task.b, task.c, task.start, task.end);
      return;
    case 'copy':
      copyRange(task.src, task.dst, task.start, task.end);
      return;
  }
}

/** A failure on purpose, as a test asked (exec.ts injectFault). */
function fail(mode: NonNullable<Task['fault']>): never {
  if (mode === 'exit') process.exit(70);
  if (mode === 'oom') {
    // Grow this worker's heap until it passes the pool's resourceLimits and V8 ends the worker.
    const hog: number[][] = [];
    for (;;) hog.push(new Array(1 << 20).fill(hog.length + 0.5));
  }
  throw new Error('injected fault');
}
