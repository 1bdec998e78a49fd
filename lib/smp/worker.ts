// A pool worker: compiles each kernel once (by key) and runs the rows it is given.
import { KernelCache } from '../kernels/compile.js';
import { gemmRows } from '../kernels/matmul.js';
import type { Task, TaskResult } from './task.js';

const cache = new KernelCache();

export default function run(task: Task): TaskResult {
  switch (task.type) {
    case 'kernel':
      return cache.get(task.key, task.source)(task.arrays, task.meta, task.consts, task.start, task.end);
    case 'gemm':
      gemmRows(task.a, task.b, task.c, task.start, task.end);
      return undefined;
    case 'fault':
      if (task.mode === 'exit') process.exit(70);
      throw new Error('injected fault');
  }
}
