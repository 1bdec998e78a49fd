// A pool worker: compiles each kernel once (by key) and runs the rows it is given.
import { KernelCache } from '../kernels/compile.js';
import { gemmRows } from '../kernels/matmul.js';
import { copyRange } from './copy.js';
import { gcFunction } from './gc.js';
import type { Task, TaskResult } from './task.js';

const cache = new KernelCache();
const gc = gcFunction();
// Bytes of shared buffers this worker has been handed since it last collected. Its wrappers keep
// buffers the main thread dropped alive until this isolate collects, and its own heap is too small
// for V8 to do that unprompted.
let seen = 0;
const COLLECT_EVERY = 2 ** 30;

function note(arrays: { buffer: ArrayBufferLike }[]): void {
  for (const a of arrays) seen += a.buffer.byteLength;
  if (gc && seen > COLLECT_EVERY) {
    seen = 0;
    gc();
  }
}

export default function run(task: Task): TaskResult {
  if (task.type === 'kernel') note(task.arrays);
  else if (task.type === 'gemm') note([task.a.data, task.b.data, task.c.data]);
  else if (task.type === 'copy') note([task.src, task.dst]);
  switch (task.type) {
    case 'kernel':
      return cache.get(task.key, task.source)(task.arrays, task.meta, task.consts, task.start, task.end);
    case 'gemm':
      gemmRows(task.a, task.b, task.c, task.start, task.end);
      return undefined;
    case 'copy':
      copyRange(task.src, task.dst, task.start, task.end);
      return undefined;
    case 'fault':
      if (task.mode === 'exit') process.exit(70);
      throw new Error('injected fault');
  }
}
