// The pool's lanes (lib/smp/lane.ts): tasks go to workers kept in a serve loop, their ends are
// seen in shared memory, a worker leaves its loop when idle and a new loop takes the next task,
// failures reach the task that caused them, and an idle process exits on its own. Serial: a test
// that waits on the main thread (settle) would hold up another's lanes past their linger time.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { ThreadPool } from '../../lib/smp/pool.js';
import { ALERT_SPIN_MS, LINGER_MS, SOURCES_KEPT } from '../../lib/smp/lane.js';
import type { Task } from '../../lib/smp/task.js';

const copy = (src: Float64Array, dst: Float64Array, start: number, end: number): Task => ({ type: 'copy', src, dst, start, end });

function shared(n: number, f: (i: number) => number): Float64Array {
  const a = new Float64Array(new SharedArrayBuffer(8 * n));
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run `round` (after `before`) until one run starts no new serve loop, at most three times: on a
 * loaded machine (the suite runs other files alongside) this thread can stall past LINGER_MS
 * between two runs, and a worker then rightly leaves its loop. Whether a run reused the loops, and
 * the last run's result.
 */
async function inSameLoops<T>(pool: ThreadPool, round: () => Promise<T>, before: () => Promise<void> = async () => {}): Promise<{ reused: boolean; last: T }> {
  let reused = false;
  let last!: T;
  for (let i = 0; i < 3 && !reused; i++) {
    const loops = pool.loops;
    await before();
    last = await round();
    reused = pool.loops === loops;
  }
  return { reused, last };
}

test.serial('tasks run back to back in the workers\' loops, after a pause in new loops, and more at once than there are workers', async (t) => {
  const pool = new ThreadPool(3);
  try {
    const n = 1 << 16;
    const src = shared(n, (i) => i * 0.5);
    // Five tasks on two workers: three wait for a free lane. Results are checked after the next
    // round is posted: nothing may come between two rounds that lets the workers linger out.
    const round = async (): Promise<Float64Array> => {
      const dst = shared(n, () => -1);
      const parts = [0, 1, 2, 3, 4].map((k) => pool.post(copy(src, dst, (k * n) / 5, ((k + 1) * n) / 5)));
      await Promise.all(parts.map((p) => p.promise));
      return dst;
    };
    const first = await round();
    const started = pool.loops;
    t.true(started >= 1 && started <= 2, `the first round started ${started} loops`);
    // Back to back, the next round reuses the loops (inSameLoops: up to three tries).
    const { reused, last: second } = await inSameLoops(pool, round);
    t.true(reused, 'a round right after another ran in the loops that one started');
    const after = pool.loops;
    await sleep(4 * LINGER_MS);
    const third = await round();
    t.true(pool.loops > after, 'the third round started new loops');
    for (const [label, dst] of [['first', first], ['second', second], ['third', third]] as const) {
      t.is(dst.findIndex((v, i) => v !== src[i]), -1, `${label} round: every element copied`);
    }
  } finally {
    await pool.close();
  }
});

test.serial('a heads-up wakes the waiting workers, who stay in their loops for the next task; with nothing posted since the last one it wakes no one', async (t) => {
  const pool = new ThreadPool(2);
  try {
    const n = 4096;
    const src = shared(n, (i) => i + 0.25);
    const run = async (): Promise<Float64Array> => {
      const dst = shared(n, () => -1);
      await pool.post(copy(src, dst, 0, n)).promise;
      return dst;
    };
    pool.headsUp();
    t.is(pool.headsUps, 0, 'nothing was ever posted: no heads-up');
    await run();
    // The worker woken by the heads-up finds no task within ALERT_SPIN_MS and must go back to
    // waiting, not leave its loop as after LINGER_MS without a task (inSameLoops: up to three tries).
    const { reused: stayed, last } = await inSameLoops(pool, run, async () => {
      pool.headsUp();
      await sleep(4 * ALERT_SPIN_MS);
    });
    t.true(stayed, 'the task after a heads-up ran in the loop the heads-up woke');
    t.is(last.findIndex((v, i) => v !== src[i]), -1, 'every element copied');
    const given = pool.headsUps;
    pool.headsUp();
    t.is(pool.headsUps, given + 1, 'a task was posted since the last heads-up: a new one');
    pool.headsUp();
    t.is(pool.headsUps, given + 1, 'no task since the last heads-up: no new one');
  } finally {
    await pool.close();
  }
});

test.serial("a kernel's source goes to a loop once; past SOURCES_KEPT kernels the worker forgets them and is sent them again", async (t) => {
  const pool = new ThreadPool(2);
  try {
    const n = 64;
    // Kernel k writes k + 0.5: a task run with another kernel's source, or none, shows.
    const fill = (k: number): Task => ({
      type: 'pieces',
      key: `test-fill-${k}`,
      source: `return function fill${k}(arrs, m, c, start, end) { for (let i = start; i < end; i++) arrs[0][i] = ${k} + 0.5; };`,
      arrays: [shared(n, () => -1)],
      meta: [],
      consts: [],
      from: 0,
      to: n,
      n: 4,
      width: 0,
      counter: new Int32Array(new SharedArrayBuffer(4)),
      partials: null,
    });
    const order = [0, 1, 0, 1, ...Array.from({ length: SOURCES_KEPT + 3 }, (_, i) => i), 0, 1, 2, SOURCES_KEPT + 2, 5];
    const wrong: string[] = [];
    for (const k of order) {
      const task = fill(k);
      await pool.run(task);
      const out = task.type === 'pieces' ? task.arrays[0] : null;
      if (!out || out.some((v) => v !== k + 0.5)) wrong.push(`kernel ${k}: ${out?.[0]}`);
    }
    t.deepEqual(wrong, []);
    t.is(pool.loops, 1, 'every task ran in one loop (its sources kept between tasks)');
  } finally {
    await pool.close();
  }
});

test.serial('settle() waits here for a task and settles its promise; false while one still runs', async (t) => {
  const pool = new ThreadPool(2);
  try {
    const n = 1 << 20;
    const src = shared(n, (i) => i);
    const dst = shared(n, () => 0);
    const job = pool.post(copy(src, dst, 0, n));
    t.true(pool.settle([job], 10_000));
    t.true(job.settled);
    t.is(dst[n - 1], n - 1);
    // Not waited for here past the time given: a 64 MB copy is not done the moment it is posted
    // (8 MB once was, in a full local run: this thread stalled between the post and the check).
    const big = 8 * n;
    const a = pool.post(copy(shared(big, (i) => i), shared(big, () => 0), 0, big));
    t.false(pool.settle([a], 0));
    t.false(a.settled);
    await a.promise;
    t.true(a.settled);
  } finally {
    await pool.close();
  }
});

/** A task failed on purpose (`fault`) rejects with `message`; the pool then runs the next task. */
async function failsThenServes(t: ExecutionContext, fault: 'throw' | 'exit', message: RegExp): Promise<void> {
  const pool = new ThreadPool(2);
  try {
    const src = shared(8, (i) => i + 1);
    const dst = shared(8, () => 0);
    const err = await t.throwsAsync(pool.post({ ...copy(src, dst, 0, 8), fault }).promise);
    t.regex(err!.message, message);
    await pool.run(copy(src, dst, 0, 8));
    t.deepEqual(dst, src);
  } finally {
    await pool.close();
  }
}

test.serial('a task that throws in its worker rejects with the worker\'s error; the lane serves the next task', async (t) => {
  await failsThenServes(t, 'throw', /injected fault/);
});

test.serial('a worker that dies mid-task rejects it; a new worker serves the next task', async (t) => {
  await failsThenServes(t, 'exit', /worker exited with code: 70/);
});

test.serial('a worker that dies with tasks queued behind it: they run in a new loop', async (t) => {
  const pool = new ThreadPool(2);
  try {
    const n = 1 << 12;
    const src = shared(n, (i) => i + 2);
    const dst = shared(n, () => 0);
    const bad = pool.post({ ...copy(src, dst, 0, 8), fault: 'exit' });
    const queued = [0, 1, 2].map((k) => pool.post(copy(src, dst, (k * n) / 4, ((k + 1) * n) / 4)));
    const err = await t.throwsAsync(bad.promise);
    t.regex(err!.message, /worker exited with code: 70/);
    await Promise.all(queued.map((q) => q.promise));
    await pool.run(copy(src, dst, (3 * n) / 4, n));
    t.deepEqual(dst, src);
  } finally {
    await pool.close();
  }
});

test.serial('a program that ends without dn.shutdown() exits on its own once the workers leave their loops', (t) => {
  const lib = new URL('../../lib/index.js', import.meta.url).href;
  const code = `const dn = await import(${JSON.stringify(lib)});
await dn.init({ threads: 2, inlineThreshold: 0 });
console.log(await dn.arange(100000).mul(2).sum().item());`;
  const env: NodeJS.ProcessEnv = { ...process.env, DISTNUMPY_NO_MPI: '1' };
  delete env.DISTNUMPY_RANKS;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { env, encoding: 'utf8', timeout: 30_000 });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), String(99999 * 100000));
});
