// The node's threads: a piscina pool of (threads - 1) workers plus the calling thread, which
// takes the first piece of every split kernel itself instead of sleeping while the pool works.
// Tasks reach the workers through lanes (lane.ts), one per worker, which keep a busy worker in a
// loop fed through shared memory instead of a piscina task (and its messages) per kernel.
import { Piscina } from 'piscina';
import type { MessagePort } from 'node:worker_threads';
import type { ServeTask, Task, TaskResult } from './task.js';
import { dropEpoch } from './store.js';
import { Job, Lane } from './lane.js';

/** A task on its way: `promise` settles when a worker is done with it. */
export type Pending = Job;

const WORKER = new URL('./worker.js', import.meta.url).href;
const WORKER_HEAP_MB = 512;

export class ThreadPool {
  readonly threads: number;
  #piscina: Piscina | null;
  readonly #lanes: Lane[] = [];
  /** Jobs not yet on a lane (more posted at once than there are workers wait here). */
  readonly #queue: Job[] = [];
  /** A job was posted since the last heads-up (see headsUp). */
  #posted = false;
  /** Heads-ups given (tests). */
  headsUps = 0;

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
    const start = (t: ServeTask, transfer: MessagePort[]): Promise<unknown> =>
      this.#piscina ? this.#piscina.run(t, { transferList: transfer }) : Promise.reject(new Error('the pool is closed'));
    for (let i = 1; i < threads; i++) this.#lanes.push(new Lane(start, () => this.#next()));
  }

  /** Run a task on a pool worker. */
  run(task: Task): Promise<TaskResult> {
    return this.post(task).promise;
  }

  /** Post a task to a pool worker; wait for it with `promise`, or here with settle(). */
  post(task: Task): Pending {
    if (!this.#piscina) throw new Error('the pool has no workers (threads = 1)');
    const job = new Job(task, dropEpoch());
    this.#posted = true;
    this.#queue.push(job);
    this.#next();
    return job;
  }

  /**
   * A batch is about to be planned (a flush): if the last one gave the workers a job, this one
   * probably will too, so wake them now (Lane.alert) rather than when its first job is posted.
   * A loop whose kernels all run here (too small to split, or BLAS) wakes no one.
   */
  headsUp(): void {
    if (!this.#posted) return;
    this.#posted = false;
    this.headsUps++;
    for (const l of this.#lanes) l.alert();
  }

  /**
   * Wait on this thread, for at most `ms`, until every one of `jobs` has ended, settling their
   * promises; false when some still run. For a thread that has finished its own share of a
   * kernel: a worker's last piece ends within a piece's time, sooner than a turn of the event
   * loop would report it.
   */
  settle(jobs: readonly Pending[], ms: number): boolean {
    const deadline = performance.now() + ms;
    for (const j of jobs) {
      if (j.settled) continue;
      const lane = this.#lanes.find((l) => l.job === j);
      if (!lane || !lane.waitUntil(deadline)) return false;
    }
    return true;
  }

  /** Post the oldest queued job to a free lane, if there are both (at a post, and as a lane frees). */
  #next(): void {
    if (this.#queue.length === 0) return;
    const lane = this.#lanes.find((l) => l.job === null);
    if (lane) lane.post(this.#queue.shift()!);
  }

  /** Serve loops started so far (lane.ts): tests check that a busy worker keeps its loop. */
  get loops(): number {
    return this.#lanes.reduce((n, l) => n + l.loops, 0);
  }

  /** Workers alive now (piscina replaces one that died). */
  get workers(): number {
    return this.#piscina?.threads.length ?? 0;
  }

  async close(): Promise<void> {
    const p = this.#piscina;
    this.#piscina = null;
    for (const l of this.#lanes) l.stop();
    if (p) await p.destroy();
  }
}
