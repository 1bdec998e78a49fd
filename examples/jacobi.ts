// The DistNumPy paper's dense Jacobi solver for A h = B:
// h <- h + (B - sum(A*h, axis 1)) / diagonal(A), until max |(h_new - h) / h_new| < tol.
// Usage: node build/examples/jacobi.js [n=2000] [maxIterations=100] [tol=1e-10]
import * as dn from '../lib/index.js';
import { isMain, numArg } from './main.js';

export async function jacobi(A: dn.NdArray, B: dn.NdArray, tol: number, maxIter: number): Promise<{ h: dn.NdArray; iterations: number; dmax: number }> {
  const d = dn.diagonal(A);
  let h = dn.zeros([A.shape[0]]);
  let dmax = Infinity;
  let it = 0;
  while (dmax > tol && it < maxIter) {
    const hnew = h.add(B.sub(A.mul(h).sum(1)).div(d));
    dmax = (await dn.abs(hnew.sub(h).div(hnew)).max().item()) as number;
    h = hnew;
    it++;
  }
  return { h, iterations: it, dmax };
}

/** A diagonally dominant system (so the iteration converges). */
export function system(n: number): { A: dn.NdArray; B: dn.NdArray } {
  dn.random.seed(42);
  const A = dn.random.random([n, n]).add(dn.eye(n).mul(n)).copy();
  const B = dn.random.random([n]).copy();
  return { A, B };
}

if (isMain(import.meta.url)) {
  const n = numArg(0, 2000);
  const maxIter = numArg(1, 100);
  const tol = numArg(2, 1e-10);
  const { A, B } = system(n);
  await dn.flush();
  const t0 = performance.now();
  const { h, iterations, dmax } = await jacobi(A, B, tol, maxIter);
  const check = await h.sum().item();
  console.log(`${iterations} iterations, max relative change ${dmax.toExponential(3)}, sum(h) = ${check}, ${(performance.now() - t0).toFixed(1)} ms (n = ${n})`);
  await dn.shutdown();
}
