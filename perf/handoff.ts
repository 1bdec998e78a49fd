// The hand-off: what one split kernel costs beyond its work. A 256-element kernel with no inline
// threshold is split over two threads, so each flush posts a task to a pool worker, runs the
// first piece here and waits for the worker's. Prints the median of 7 batches of 2,000 flushes,
// in microseconds per flush (recording and flushing included).
//   npm run bench:handoff
import * as dn from '../lib/index.js';
import { median } from './stats.js';

const BATCHES = 7;
const PER_BATCH = 2000;

async function perFlush(x: dn.NdArray): Promise<number> {
  const times: number[] = [];
  let kept = x; // a result the program holds: the flush computes it
  for (let b = 0; b < BATCHES + 1; b++) {
    const t0 = performance.now();
    for (let i = 0; i < PER_BATCH; i++) {
      kept = x.add(i);
      await dn.flush();
    }
    // The first batch warms up the JIT and the pool.
    if (b > 0) times.push(((performance.now() - t0) / PER_BATCH) * 1000);
  }
  if (kept.size !== x.size) throw new Error('unreachable');
  return median(times);
}

await dn.init({ threads: 2, inlineThreshold: 0 });
const split = await perFlush(dn.ones([256]));
await dn.shutdown();
console.log(`split over 2 threads: ${split.toFixed(1)} us per kernel and flush`);
