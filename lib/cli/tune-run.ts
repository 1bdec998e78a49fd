// One thread count of `distnumpy tune` (the pool size is fixed per process): every kernel class
// at every size, medians in ms, one JSON line on stdout and one progress line per measurement
// on stderr ("#progress").
import * as dn from '../index.js';

type Fn = () => Promise<unknown>;

const sizes: number[] = JSON.parse(process.env.TUNE_SIZES ?? '[1000,10000,100000,1000000]');
const orders: number[] = JSON.parse(process.env.TUNE_ORDERS ?? '[64,256,512]');
const budgetMs = Number(process.env.TUNE_BUDGET_MS ?? 200);

async function median(fn: Fn): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const ts: number[] = [];
  const end = performance.now() + budgetMs;
  while (ts.length < 5 || (performance.now() < end && ts.length < 200)) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

async function inputs(k: number, n: number): Promise<dn.NdArray[]> {
  dn.random.seed(7);
  const xs = Array.from({ length: k }, () => dn.random.random(n).add(0.5).copy());
  await dn.flush();
  return xs;
}

const cases: Record<string, (n: number) => Promise<Fn>> = {
  memory: async (n) => {
    const [a, b, c] = await inputs(3, n);
    const r = dn.zeros(n);
    return () => (dn.add(a.mul(b), c, { out: r }), dn.flush());
  },
  compute: async (n) => {
    const [a, b] = await inputs(2, n);
    const r = dn.zeros(n);
    return () => (dn.add(dn.sin(a), dn.exp(b), { out: r }), dn.flush());
  },
  reduction: async (n) => {
    const [a] = await inputs(1, n);
    return () => a.sum().item();
  },
  stencil: async (n) => {
    const w = Math.max(3, Math.round(Math.sqrt(n)));
    const [g0] = await inputs(1, w * w);
    const g = g0.reshape(w, w);
    const r = dn.zeros([w - 2, w - 2]);
    return () => (
      dn.mul(g.slice('0:-2, 1:-1').add(g.slice('2:, 1:-1')).add(g.slice('1:-1, 0:-2')).add(g.slice('1:-1, 2:')), 0.25, { out: r }),
      dn.flush()
    );
  },
};

const out: Record<string, number[]> = {};
for (const [name, make] of Object.entries(cases)) {
  out[name] = [];
  for (const n of sizes) {
    out[name].push(await median(await make(n)));
    process.stderr.write('#progress\n');
  }
}
out.matmul = [];
for (const n of orders) {
  const [a, b] = await inputs(2, n * n);
  const A = a.reshape(n, n);
  const B = b.reshape(n, n);
  out.matmul.push(await median(() => (dn.matmul(A, B), dn.flush())));
  process.stderr.write('#progress\n');
}
console.log(JSON.stringify(out));
await dn.shutdown();
