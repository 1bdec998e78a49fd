// Monte Carlo estimate of pi, as the DistNumPy paper's first application:
// x, y uniform on [0, 1); pi ~ 4 * count(x^2 + y^2 <= 1) / n.
// Usage: node build/examples/montecarlo.js [samples=10000000] [repeats=3]
import * as dn from '../lib/index.js';
import { isMain, numArg } from './main.js';

/** pi from given samples (tests pass NumPy's). */
export async function montecarloFrom(x: dn.NdArray, y: dn.NdArray): Promise<number> {
  const inside = x.mul(x).add(y.mul(y)).le(1).sum();
  return (4 * ((await inside.item()) as number)) / x.size;
}

export function montecarlo(n: number): Promise<number> {
  return montecarloFrom(dn.random.random([n]), dn.random.random([n]));
}

if (isMain(import.meta.url)) {
  const n = numArg(0, 1e7);
  const repeats = numArg(1, 3);
  dn.random.seed(2026);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const pi = await montecarlo(n);
    const ms = performance.now() - t0;
    console.log(`pi ~ ${pi.toFixed(6)}  (n = ${n}, ${ms.toFixed(1)} ms, ${dn.size} rank(s) x ${dn.runtimeInfo().config.threads.value} threads)`);
  }
  await dn.shutdown();
}
