// Does the machine give us all its cores right now? Plain arithmetic (no distnumpy) timed on one
// worker thread, then on `threads` at once, in pairs; prints one JSON line {"ratios": [...]}:
// each pair's slowest concurrent time over its one-thread time. 1.0 is a machine whose cores run
// independently; on a VM whose host is busy, two vCPUs can share one core for a while and a pair
// then takes 2.0 (seen here in a fifth of the pairs over a minute). bench:paper runs it between
// its apps, so its utilisation figures come with the machine's own at the time.
//   node build/perf/cores-probe.js [pairs=8] [threads=2]
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

/** About 50 ms on one core here: long enough to time, short enough to sample often. */
const WORK = 5e6;

function spin(n: number): number {
  // Square roots and divisions, independent per iteration: bound by the core, not by memory.
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(1.0001 + i) / (1.5 + i * 0.5);
  return s;
}

if (!isMainThread) {
  spin(WORK / 10); // compiled before the first timed run
  parentPort!.on('message', (n: number) => {
    const t0 = performance.now();
    const s = spin(n);
    parentPort!.postMessage({ ms: performance.now() - t0, s });
  });
} else {
  const pairs = Number(process.argv[2] ?? 8);
  const threads = Number(process.argv[3] ?? 2);
  if (!Number.isInteger(pairs) || pairs < 1 || !Number.isInteger(threads) || threads < 2) {
    console.error('usage: cores-probe.js [pairs >= 1] [threads >= 2]');
    process.exit(2);
  }
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url)));
  // A worker that fails ends the probe with its error (nothing waits forever).
  const failed = new Promise<never>((_, reject) => {
    for (const w of workers) w.once('error', reject);
  });
  failed.catch(() => undefined);
  const run = (w: Worker): Promise<number> =>
    Promise.race([
      new Promise<number>((resolve) => {
        w.once('message', (m: { ms: number }) => resolve(m.ms));
        w.postMessage(WORK);
      }),
      failed,
    ]);
  const ratios: number[] = [];
  try {
    for (let p = 0; p < pairs; p++) {
      const alone = await run(workers[0]);
      const together = await Promise.all(workers.map(run));
      ratios.push(Math.max(...together) / alone);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  console.log(JSON.stringify({ threads, ratios }));
}
