// Random programs (a fixed seed, so every run is the same program): views with steps and
// transposes, broadcasting chains, writes into views, reductions and products over arrays whose
// row counts are below, at and above the rank count. Prints every result's bytes as JSON, so
// cluster.test.ts can compare 1, 2, 3 and 4 ranks.
import * as dn from '../../../lib/index.js';

let state = 0x2545f491;
function rnd(n: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
}
const pick = <T>(xs: T[]): T => xs[rnd(xs.length)];

const out: Record<string, string> = {};
async function put(name: string, x: dn.NdArray): Promise<void> {
  const d = await x.data();
  out[name] = `${x.dtype}:${x.shape.join('x')}:${Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64')}`;
}

function randomShape(): number[] {
  const nd = 1 + rnd(3);
  return Array.from({ length: nd }, () => pick([1, 2, 3, 5, 7, 16]));
}

function randomView(x: dn.NdArray): dn.NdArray {
  const spec = x.shape.map((n) => {
    const k = rnd(4);
    if (k === 0 || n < 2) return ':';
    if (k === 1) return '::-1';
    if (k === 2) return `1:`;
    return '::2';
  });
  let v = x.slice(spec.join(','));
  if (rnd(3) === 0) v = v.T;
  return v;
}

dn.random.seed(99);
for (let c = 0; c < 120; c++) {
  const shape = randomShape();
  const a = dn.random.uniform(-2, 2, shape).copy();
  const b = dn.random.normal(0, 1, shape).copy();
  const va = randomView(a);
  const vb = randomView(b);
  const kind = rnd(6);
  try {
    if (kind === 0) {
      // broadcasting chain: a view against a row of another
      const row = vb.reshape(-1).slice(`:${va.shape[va.ndim - 1] ?? 1}`);
      if (row.size === (va.shape[va.ndim - 1] ?? 1)) await put(`c${c}-bcast`, va.mul(row).add(1).sqrt().abs());
      else await put(`c${c}-chain`, va.mul(2).sub(0.5).exp());
    } else if (kind === 1) {
      const ax = rnd(va.ndim);
      // Sums are equal to rounding across rank counts (a 1-D sum combines per-rank partials).
      out[`c${c}-sum${ax}`] = `~${JSON.stringify(Array.from(await va.add(vb.shape.join() === va.shape.join() ? vb : 1).sum(ax).data()))}`;
      await put(`c${c}-max${ax}`, va.max(ax));
      await put(`c${c}-argmin${ax}`, va.argmin(ax));
    } else if (kind === 2) {
      // a write into a view of the base, then the whole base
      const t = a.copy();
      const w = randomView(t);
      w.assign(w.mul(-3).add(dn.where(w.gt(0), 1, 0)));
      await put(`c${c}-set`, t);
    } else if (kind === 3 && va.ndim === 2) {
      await put(`c${c}-matmul`, dn.matmul(va, va.T));
      await put(`c${c}-dot1`, dn.dot(va, dn.ones([va.shape[1]])));
    } else if (kind === 4) {
      await put(`c${c}-min`, va.min());
      await put(`c${c}-argmax`, va.argmax());
      out[`c${c}-sumall`] = `~${JSON.stringify([await va.sum().item()])}`;
      out[`c${c}-meanall`] = `~${JSON.stringify([await va.mean().item()])}`;
    } else {
      const s = a.copy();
      s.set('...', s.mul(s).sub(vb.shape.join() === s.shape.join() ? vb : 0));
      await put(`c${c}-inplace`, s);
    }
  } catch (e) {
    out[`c${c}-error`] = String((e as Error).message);
  }
}
console.log(JSON.stringify({ rank: dn.rank, size: dn.size, out }));
await dn.shutdown();
