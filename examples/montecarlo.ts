// Monte Carlo estimate of pi, as the DistNumPy paper's first application:
// x, y uniform on [0, 1); pi ~ 4 * count(x^2 + y^2 <= 1) / n.
// Usage: node build/examples/montecarlo.js [samples=10000000] [repeats=3]
import * as dn from '../lib/index.js';

const n = Number(process.argv[2] ?? 1e7);
const repeats = Number(process.argv[3] ?? 3);

await dn.init();
dn.random.seed(2026);
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  const x = dn.random.random([n]);
  const y = dn.random.random([n]);
  const inside = x.mul(x).add(y.mul(y)).le(1).sum();
  const pi = (4 * (await inside.item() as number)) / n;
  const ms = performance.now() - t0;
  console.log(`pi ~ ${pi.toFixed(6)}  (n = ${n}, ${ms.toFixed(1)} ms, ${dn.runtimeInfo().config.threads.value} threads)`);
}
await dn.shutdown();
