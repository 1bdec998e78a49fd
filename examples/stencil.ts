// 5-point Jacobi stencil on a (W+2)^2 grid with fixed borders, until the total change < eps,
// as the DistNumPy paper's Jacobi stencil application.
// Usage: node build/examples/stencil.js [W=1000] [maxIterations=100] [eps=1e-3]
import * as dn from '../lib/index.js';
import { isMain, numArg } from './main.js';

/** Sweep `grid` in place until the total change is below eps; returns iterations and last delta. */
export async function stencil(grid: dn.NdArray, eps: number, maxIter: number): Promise<{ iterations: number; delta: number }> {
  const center = grid.slice('1:-1, 1:-1');
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
  return { iterations: it, delta };
}

/** The paper's start: a hot top row, cold other borders, zero inside. */
export function initialGrid(W: number): dn.NdArray {
  const grid = dn.zeros([W + 2, W + 2]);
  grid.set('0, :', 40);
  grid.set('-1, :', -273.15);
  grid.set('1:, 0', -273.15);
  grid.set('1:, -1', -273.15);
  return grid;
}

if (isMain(import.meta.url)) {
  const W = numArg(0, 1000);
  const maxIter = numArg(1, 100);
  const eps = numArg(2, 1e-3);
  const grid = initialGrid(W);
  const t0 = performance.now();
  const { iterations, delta } = await stencil(grid, eps, maxIter);
  console.log(`${iterations} iterations, last delta ${delta.toExponential(3)}, ${(performance.now() - t0).toFixed(1)} ms (W = ${W})`);
  await dn.shutdown();
}
