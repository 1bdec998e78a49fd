// One configuration of the distribution suite (run directly or under `distnumpy run`): the cost
// of a batch, of a reduction round trip, and of Jacobi stencil sweeps. Prints one JSON line.
import * as dn from '../lib/index.js';
import { initialGrid, stencil } from '../examples/stencil.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

const W = Number(process.env.STENCIL_W ?? 4000);
const ITERS = Number(process.env.STENCIL_ITERS ?? 10);

const small = dn.zeros([1]);
// A batch of one tiny step: rank 0 encodes it, every rank receives and runs it.
const batchMs = await timeIt(2000, () => (small.assign(1), dn.flush()));
// A whole-array reduction read back: every rank computes a partial, all combine, rank 0 reads.
const x = dn.ones([64]);
const reduceMs = await timeIt(2000, () => x.sum().item());

const grid = initialGrid(W);
// One sweep of the example's stencil (the same program `npm start`-style users run).
const sweep = () => stencil(grid, -1, 1);
await sweep();
const sweeps: number[] = [];
const before = dn.runtimeInfo().traffic;
for (let i = 0; i < ITERS; i++) {
  const t = performance.now();
  await sweep();
  sweeps.push(performance.now() - t);
}
// Rank 0's halo traffic per sweep, and how long it waited for it after its interior rows.
const after = dn.runtimeInfo().traffic;
const halo = { bytes: (after.bytes - before.bytes) / ITERS, waitMs: (after.waitMs - before.waitMs) / ITERS };
// A matrix product (SUMMA over the ranks' row panels of B).
const MM = Number(process.env.MATMUL_N ?? 1500);
const ma = dn.random.random([MM, MM]);
const mb = dn.random.random([MM, MM]);
const matmulMs = await timeIt(5, () => ma.matmul(mb).slice('0, 0').item());
console.log(JSON.stringify({ size: dn.size, threads: dn.runtimeInfo().config.threads.value, batchMs, reduceMs, halo, sweepMs: median(sweeps), W, matmulMs, MM }));
await dn.shutdown();
