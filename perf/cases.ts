// The kernel suite's cases, shared by the distnumpy runner and described for the NumPy twin
// (perf/numpy/kernels.py implements the same names).
import * as dn from '../lib/index.js';

export interface Case {
  name: string;
  /** Bytes moved per run (for GB/s), or 0 when a rate in bytes means nothing. */
  bytes: number;
  setup(): Promise<() => Promise<unknown>>;
}

const N = 1e7;

async function inputs(k: number, n = N): Promise<dn.NdArray[]> {
  dn.random.seed(42);
  const xs = Array.from({ length: k }, () => dn.random.random(n).add(0.5).copy());
  await dn.flush();
  return xs;
}

export const CASES: Case[] = [
  {
    name: 'fused chain (a+b)*c-d, 1e7 f64',
    bytes: 5 * 8 * N,
    async setup() {
      const [a, b, c, d] = await inputs(4);
      const r = dn.zeros(N);
      return () => (dn.sub(a.add(b).mul(c), d, { out: r }), dn.flush());
    },
  },
  {
    name: 'fused chain, new result array',
    bytes: 5 * 8 * N,
    async setup() {
      const [a, b, c, d] = await inputs(4);
      return () => (a.add(b).mul(c).sub(d).copy(), dn.flush());
    },
  },
  {
    name: 'transcendental sqrt(a)+exp(b)+sin(c), 1e7 f64',
    bytes: 4 * 8 * N,
    async setup() {
      const [a, b, c] = await inputs(3);
      const r = dn.zeros(N);
      return () => (dn.add(dn.sqrt(a).add(dn.exp(b)), dn.sin(c), { out: r }), dn.flush());
    },
  },
  {
    name: 'sum, 1e7 f64',
    bytes: 8 * N,
    async setup() {
      const [a] = await inputs(1);
      return () => a.sum().item();
    },
  },
  {
    name: 'matmul 1500x1500 f64',
    bytes: 0,
    async setup() {
      const [a, b] = await inputs(2, 1500 * 1500);
      const A = a.reshape(1500, 1500);
      const B = b.reshape(1500, 1500);
      return () => (dn.matmul(A, B), dn.flush());
    },
  },
  {
    name: 'one op on 100 elements + item()',
    bytes: 0,
    async setup() {
      const [a] = await inputs(1, 100);
      return () => a.sum().item();
    },
  },
];
