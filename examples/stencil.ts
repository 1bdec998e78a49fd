// 5-point Jacobi stencil on a (W+2)^2 grid with fixed borders, until the total change < eps,
// as the DistNumPy paper's Jacobi stencil application.
// Usage: node build/examples/stencil.js [W=1000] [maxIterations=100] [eps=1e-3]
import * as dn from '../lib/index.js';

const W = Number(process.argv[2] ?? 1000);
const maxIter = Number(process.argv[3] ?? 100);
const eps = Number(process.argv[4] ?? 1e-3);

await dn.init();
const grid = dn.zeros([W + 2, W + 2]);
grid.set('0, :', 40); // hot top border
grid.set('-1, :', -273.15);
grid.set(':, 0', -273.15);
grid.set(':, -1', -273.15);
const center = grid.slice('1:-1, 1:-1');
const t0 = performance.now();
let delta = Infinity;
let it = 0;
while (delta > eps && it < maxIter) {
  const work = center
    .add(grid.slice('0:-2, 1:-1'))
    .add(grid.slice('2:, 1:-1'))
    .add(grid.slice('1:-1, 0:-2'))
    .add(grid.slice('1:-1, 2:'))
    .mul(0.2);
  const d = dn.abs(work.sub(center)).sum();
  center.assign(work);
  delta = (await d.item()) as number;
  it++;
}
console.log(`${it} iterations, last delta ${delta.toExponential(3)}, ${(performance.now() - t0).toFixed(1)} ms`);
await dn.shutdown();
