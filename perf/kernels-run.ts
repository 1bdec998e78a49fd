// One process of the kernel suite: every case at this process's thread count (DISTNUMPY_THREADS),
// measured with benchmark.js; prints one JSON line of medians (ms).
import Benchmark from 'benchmark';
import * as dn from '../lib/index.js';
import { CASES } from './cases.js';
import { median } from './stats.js';

async function main(): Promise<void> {
  await dn.init();
  const out: Record<string, { median: number; samples: number }> = {};
  for (const c of CASES) {
    const run = await c.setup();
    for (let i = 0; i < 3; i++) await run(); // warm: kernels compiled, pool threads JIT-ed
    const bench = new Benchmark(c.name, {
      defer: true,
      minSamples: 15,
      maxTime: Number(process.env.BENCH_MAX_TIME ?? 3),
      fn(deferred: { resolve(): void }) {
        run().then(() => deferred.resolve());
      },
    });
    await new Promise<void>((resolve) => bench.on('complete', () => resolve()).run({ async: true }));
    out[c.name] = { median: median(bench.stats.sample) * 1000, samples: bench.stats.sample.length };
  }
  console.log(JSON.stringify(out));
  await dn.shutdown();
}

void main();
