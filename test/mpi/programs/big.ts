// An array larger than one rank's memory limit (dn.init({ maxBytesPerRank })): created, computed
// on and reduced across the ranks, each of which holds only its share. Prints one JSON line.
import * as dn from '../../../lib/index.js';

const limit = Number(process.env.LIMIT ?? 40e6);
await dn.init({ maxBytesPerRank: limit });
const n = 3000; // 3000 x 3000 float64: 72 MB
let result: Record<string, unknown>;
try {
  dn.random.seed(5);
  const a = dn.random.random([n, n]).add(1).copy();
  const total = await a.mul(2).sum().item();
  const rows = await a.sum(1).max().item();
  const corner = await a.slice('-1, -1').item();
  result = { ok: true, total, rows, corner, bytes: n * n * 8, limit, rss: process.memoryUsage().rss };
} catch (e) {
  result = { ok: false, error: (e as Error).name, message: (e as Error).message };
}
console.log(JSON.stringify(result));
await dn.shutdown();
