import * as dn from './build/lib/index.js';
import { memoryStats } from './build/lib/smp/store.js';
const W = 4000;
const grid = dn.zeros([W + 2, W + 2]); grid.set('0, :', 40);
const center = grid.slice('1:-1, 1:-1');
for (let it = 0; it < 8; it++) {
  const t0 = performance.now();
  const work = center.add(grid.slice('0:-2, 1:-1')).add(grid.slice('2:, 1:-1')).add(grid.slice('1:-1, 0:-2')).add(grid.slice('1:-1, 2:')).mul(0.2);
  const d = dn.abs(work.sub(center)).sum();
  center.assign(work);
  await d.item();
  console.log(it, (performance.now() - t0).toFixed(0), JSON.stringify(memoryStats()));
}
await dn.shutdown();
