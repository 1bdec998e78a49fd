// A direct channel to one pool worker. A piscina task is answered by a message that reaches the
// calling thread only when its event loop next turns, and piscina keeps its own books per task:
// N-body at 2 threads (one hand-off a step, medians of 600 steps) took 0.08 ms to post and 0.06 ms
// from the last piece to the awaited result. A lane keeps its worker in a serve loop instead (one
// long piscina task) that sleeps on shared memory until the next job arrives on its own
// MessagePort; each job signals its end in shared memory, which the calling thread can wait for
// synchronously once it has nothing else to do: 0.06 ms and 0.02 ms. A worker that gets no job
// for LINGER_MS leaves the loop (its piscina task ends), so that an idle process can exit; the
// next job starts a new loop. A flush that will probably post a job wakes the worker first (a
// heads-up, Lane.alert): a sleeping worker took 0.1 ms and more to wake here.
import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { ServeTask, Task, TaskResult } from './task.js';

/** Lane control words (Int32Array over a SharedArrayBuffer). */
export const STATE = 0;
export const SEQ = 1;
/** Counts heads-ups (Lane.alert): a job is probably coming, so the woken worker waits awake. */
export const ALERT = 2;
/** STATE: no serve loop; waiting for a job; running one; told to leave (the pool is closing). */
export const OUT = 0;
export const IDLE = 1;
export const BUSY = 2;
export const STOP = 3;
/** A job's `done` word: running, succeeded, failed (the error waits on the lane's port). */
export const RUNNING = 0;
export const SUCCEEDED = 1;
export const FAILED = 2;

export const LINGER_MS = 50;
/**
 * How long a worker told that a job is coming (Lane.alert) polls for it before it sleeps again.
 * A sleeping worker took 0.10-0.15 ms here to wake (its core idles, and a VM wakes it through the
 * hypervisor); a flush plans its kernels in 0.2-0.4 ms (N-body), so a heads-up at the flush's
 * start has the worker awake when its task is posted.
 */
export const ALERT_SPIN_MS = 1;
/** Kernel sources a serve loop keeps (Lane.#leaveSource). */
export const SOURCES_KEPT = 256;

/** Atomics.waitAsync (Node 16+; TypeScript types it from lib ES2024, this project targets ES2023). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** One task on its way through a lane; `promise` settles when the worker is done with it. */
export class Job {
  readonly done = new Int32Array(new SharedArrayBuffer(4));
  readonly promise: Promise<TaskResult>;
  settled = false;
  #resolve!: (r: TaskResult) => void;
  #reject!: (e: unknown) => void;

  readonly task: Task & { done: Int32Array };

  /** `epoch`: the store's drop epoch, which every task carries (task.ts). */
  constructor(task: Task, epoch: number) {
    this.task = { ...task, epoch, done: this.done };
    this.promise = new Promise<TaskResult>((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
  }

  settle(error?: unknown, failed = false): void {
    if (this.settled) return;
    this.settled = true;
    if (failed) this.#reject(error);
    else this.#resolve(undefined);
  }
}

/** Starts a serve loop on some pool worker (piscina.run with the port transferred). */
export type StartServe = (t: ServeTask, transfer: MessagePort[]) => Promise<unknown>;

export class Lane {
  readonly ctl = new Int32Array(new SharedArrayBuffer(12));
  /** The job posted and not yet settled. */
  job: Job | null = null;
  /** Serve loops started for this lane (tests check that a busy worker is reused). */
  loops = 0;
  #port: MessagePort | null = null;
  #serving: Promise<unknown> | null = null;
  /** Kernels whose source the current loop's worker holds: later tasks go without it. */
  readonly #sent = new Set<string>();

  constructor(
    private readonly start: StartServe,
    private readonly onSettled: (lane: Lane) => void,
  ) {}

  post(job: Job): void {
    this.job = job;
    const fast = this.#port !== null && Atomics.compareExchange(this.ctl, STATE, IDLE, BUSY) === IDLE;
    try {
      if (fast) {
        // The worker sleeps in its loop: the message first, then the sequence number it waits on.
        this.#leaveSource(job.task);
        this.#port!.postMessage(job.task);
        Atomics.add(this.ctl, SEQ, 1);
        Atomics.notify(this.ctl, SEQ);
      } else {
        this.#startLoop(job);
      }
    } catch (e) {
      // The task could not be sent (a value that cannot be cloned): the lane stays free, and the
      // worker did not get the source it may have carried.
      if (fast) Atomics.store(this.ctl, STATE, IDLE);
      if (job.task.type === 'pieces') this.#sent.delete(job.task.key);
      this.#finish(job, e, true);
      return;
    }
    const w = waitAsync(job.done, 0, RUNNING);
    if (w.async) void (w.value as Promise<string>).then(() => this.check());
    else this.check();
  }

  /**
   * No loop (never started, or it left after LINGER_MS): start one, its first job already queued
   * on the port it receives. (Not passed with the piscina task, which would keep the job, and the
   * buffers it names, reachable on the worker for as long as the loop lasts.)
   */
  #startLoop(job: Job): void {
    this.#port?.close();
    this.#sent.clear(); // a new loop: its worker holds no source yet
    const { port1, port2 } = new MessageChannel();
    this.#leaveSource(job.task);
    port1.postMessage(job.task);
    this.#port = port1;
    Atomics.store(this.ctl, STATE, BUSY);
    Atomics.store(this.ctl, SEQ, 1);
    const serving = this.start({ type: 'serve', ctl: this.ctl, port: port2 }, [port2]);
    this.#serving = serving;
    this.loops++;
    serving.then(
      () => this.#left(serving, null),
      (e: unknown) => this.#left(serving, e ?? new Error('a pool thread failed')),
    );
  }

  /**
   * A kernel's source goes to a loop once: later tasks of the same kernel leave it out (N-body's
   * force kernel is 11 KB of source, which took 9 of the 13 us a post cost here). Past
   * SOURCES_KEPT kernels, the worker is told to forget them all and the count starts again.
   */
  #leaveSource(task: Task): void {
    if (task.type !== 'pieces') return;
    if (this.#sent.has(task.key)) {
      task.source = '';
      return;
    }
    if (this.#sent.size >= SOURCES_KEPT) {
      this.#sent.clear();
      task.forgetSources = true;
    }
    this.#sent.add(task.key);
  }

  /** Whether the posted job is settled now (settling it if the worker has signalled). */
  check(): boolean {
    const job = this.job;
    if (!job) return true;
    const end = this.#outcome(job);
    if (!end) return false;
    this.#finish(job, end.error, end.failed);
    return true;
  }

  /** How the worker said `job` ended (a failure's error waits on the port), or null: running. */
  #outcome(job: Job): { error?: unknown; failed: boolean } | null {
    const s = Atomics.load(job.done, 0);
    if (s === RUNNING) return null;
    if (s === SUCCEEDED) return { failed: false };
    const m = this.#port ? receiveMessageOnPort(this.#port) : undefined;
    return { error: (m?.message as { error?: unknown } | undefined)?.error ?? new Error('a pool task failed'), failed: true };
  }

  /**
   * Wait here, at most until `deadline` (performance.now()), for the posted job to end. Asleep:
   * polling for the end instead (up to 1 ms, session 8) saw the worker's last piece end 0.01-0.05
   * ms sooner, yet made N-body's steady 2-thread runs slower (91 -> 94-96 ms, interleaved).
   */
  waitUntil(deadline: number): boolean {
    for (;;) {
      if (this.check()) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.job!.done, 0, RUNNING, left);
    }
  }

  /**
   * Tell a worker that waits in its loop that a job is probably coming: it wakes now and polls
   * for up to ALERT_SPIN_MS, instead of being woken when the job is posted.
   */
  alert(): void {
    if (Atomics.load(this.ctl, STATE) !== IDLE) return;
    Atomics.add(this.ctl, ALERT, 1);
    Atomics.notify(this.ctl, SEQ);
  }

  /** Ask a waiting worker to leave its loop (the pool is closing). */
  stop(): void {
    if (Atomics.compareExchange(this.ctl, STATE, IDLE, STOP) === IDLE) Atomics.notify(this.ctl, SEQ);
  }

  #finish(job: Job, error?: unknown, failed = false): void {
    if (this.job === job) this.job = null;
    job.settle(error, failed);
    this.onSettled(this);
  }

  /**
   * The serve loop's piscina task ended: normally (it left after LINGER_MS or a stop), or its
   * worker died. The lane is reset before the job is settled: settling it lets the pool post a
   * queued job to this lane, which must then start a loop of its own.
   */
  #left(serving: Promise<unknown>, error: unknown): void {
    if (this.#serving !== serving) return;
    this.#serving = null;
    const job = this.job;
    const end = job ? (this.#outcome(job) ?? { error: error ?? new Error('a pool thread left its loop with a job unfinished'), failed: true }) : null;
    this.#port?.close();
    this.#port = null;
    Atomics.store(this.ctl, STATE, OUT);
    if (job && end) {
      this.#finish(job, end.error, end.failed);
      // A worker that died with the job never signalled: release anything waiting on its word.
      Atomics.notify(job.done, 0);
    }
  }
}

/**
 * The worker's half: run each job posted to the lane (the first is queued on the port before the
 * loop starts), until none comes for LINGER_MS or the pool stops the lane. The state is IDLE before a job's end is signalled, so the
 * calling thread can post the next job as soon as it sees the end.
 */
export function serveLoop(t: ServeTask, run: (task: Task) => void): void {
  const { ctl, port } = t;
  const sources = new Map<string, string>();
  let seen = 0;
  let alerts = Atomics.load(ctl, ALERT);
  for (;;) {
    Atomics.wait(ctl, SEQ, seen, LINGER_MS);
    const a = Atomics.load(ctl, ALERT);
    const alerted = a !== alerts;
    if (alerted) {
      // A heads-up: stay awake for the job (then take it below), or sleep again after a while.
      alerts = a;
      const until = performance.now() + ALERT_SPIN_MS;
      while (Atomics.load(ctl, SEQ) === seen && Atomics.load(ctl, STATE) !== STOP && performance.now() < until);
    }
    if (Atomics.load(ctl, SEQ) !== seen) {
      // Each job is posted before SEQ counts it, so it is there; were it not, the wait above
      // would return at once and this would look again.
      const m = receiveMessageOnPort(port);
      if (m === undefined) continue;
      seen++;
      perform(m.message as Task & { done: Int32Array }, ctl, port, run, sources);
      continue;
    }
    const s = Atomics.load(ctl, STATE);
    if (s === STOP) break;
    if (alerted) continue; // woken by a heads-up, not by LINGER_MS without a job: no reason to leave
    // Leave only from IDLE: if the calling thread just claimed the lane (BUSY), its job is coming.
    if (s === IDLE && Atomics.compareExchange(ctl, STATE, IDLE, OUT) === IDLE) break;
  }
  port.close();
}

function perform(task: Task & { done?: Int32Array }, ctl: Int32Array, port: MessagePort, run: (task: Task) => void, sources: Map<string, string>): void {
  let status = SUCCEEDED;
  try {
    if (task.type === 'pieces') {
      // The calling thread sends a kernel's source with the loop's first task of it (Lane).
      if (task.forgetSources) sources.clear();
      if (task.source) sources.set(task.key, task.source);
      else task.source = sources.get(task.key) ?? missingSource(task.key);
    }
    run(task);
  } catch (e) {
    status = FAILED;
    try {
      port.postMessage({ error: e });
    } catch {
      port.postMessage({ error: new Error(e instanceof Error ? e.message : String(e)) });
    }
  }
  Atomics.store(ctl, STATE, IDLE);
  Atomics.store(task.done!, 0, status);
  Atomics.notify(task.done!, 0);
}

function missingSource(key: string): never {
  throw new Error(`distnumpy: a pool thread was sent kernel ${key.slice(0, 60)} without its source (a lane's bookkeeping is wrong)`);
}
