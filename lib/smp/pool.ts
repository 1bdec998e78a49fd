// The node's threads: a piscina pool of (threads - 1) workers plus the calling thread, which
// takes the first piece of every split kernel itself instead of sleeping while the pool works.
import { Piscina } from 'piscina';
import type { Task, TaskResult } from './task.js';
import { dropEpoch } from './store.js';

const WORKER = new URL('./worker.js', import.meta.url).href;
const WORKER_HEAP_MB = 512;

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
            // Kernels work in SharedArrayBuffers and keep little on a worker's own heap. A bound
            // makes a runaway worker die alone (ERR_WORKER_OUT_OF_MEMORY: its task rejects and
            // piscina starts a replacement) instead of taking the whole process down.
            resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
          })
        : null;
  }

  /** Run a task on a pool worker. */
  run(task: Task): Promise<TaskResult> {
    if (!this.#piscina) throw new Error('the pool has no workers (threads = 1)');
    return this.#piscina.run({ ...task, epoch: dropEpoch() }) as Promise<TaskResult>;
  }

  /** Workers alive now (piscina replaces one that died). */
  get workers(): number {
    return this.#piscina?.threads.length ?? 0;
  }

  async close(): Promise<void> {
    const p = this.#piscina;
    this.#piscina = null;
    if (p) await p.destroy();
  }
}
