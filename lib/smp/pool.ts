// The node's threads: a piscina pool of (threads - 1) workers plus the calling thread, which
// takes the first piece of every split kernel itself instead of sleeping while the pool works.
import { Piscina } from 'piscina';
import type { Task, TaskResult } from './task.js';
import { dropEpoch } from './store.js';

const WORKER = new URL('./worker.js', import.meta.url).href;

export class ThreadPool {
  readonly threads: number;
  #piscina: Piscina | null;

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`threads must be a positive integer, got ${threads}`);
    }
    this.threads = threads;
    this.#piscina =
      threads > 1
        ? new Piscina({
            filename: WORKER,
            minThreads: threads - 1,
            maxThreads: threads - 1,
            idleTimeout: Infinity,
            // Kernels are CPU-bound: one task per worker at a time keeps the split even.
            concurrentTasksPerWorker: 1,
          })
        : null;
  }

  /** Run a task on a pool worker. */
  run(task: Task): Promise<TaskResult> {
    if (!this.#piscina) throw new Error('the pool has no workers (threads = 1)');
    return this.#piscina.run({ ...task, epoch: dropEpoch() }) as Promise<TaskResult>;
  }

  async close(): Promise<void> {
    const p = this.#piscina;
    this.#piscina = null;
    if (p) await p.destroy();
  }
}
