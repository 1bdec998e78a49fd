// Steps fused across a batch (graph/fuse.ts): the patterns the paper's applications make, and
// the hazards that must keep steps apart, each against NumPy on the same inputs, at every rank
// count and block size the suite runs. The tests also check whether the fused loop was used
// (serially: the count is global), except on a 2-D process grid, where batches are not fused.
import test, { type ExecutionContext } from 'ava';
import * as dn from '../../lib/index.js';
import { fusedLoopCount } from '../../lib/graph/fuse.js';
import { simdKernelCount } from '../../lib/kernels/fused.js';
import { assertMatches, numpy, numpyAfter, randomArray } from '../helpers/numpy.js';

test.after.always(async () => {
  await dn.shutdown();
});

/** Runs `program` (which records without awaiting, so its steps share one batch), checks fusion. */
async function fused(t: ExecutionContext, expectLoops: boolean, program: () => void): Promise<void> {
  await dn.flush();
  const before = fusedLoopCount();
  program();
  await dn.flush();
  const grid = dn.runtimeInfo().config.grid.value;
  if (!grid || grid[1] === 1) t.is(fusedLoopCount() > before, expectLoops, expectLoops ? 'the steps ran as one fused loop' : 'the steps were kept apart');
}

test.serial('a stencil sweep: its change and its update share one loop over the snapshot, equal to NumPy', async (t) => {
  const grid0 = randomArray([34, 41], 1);
  const expected = await numpyAfter({ g: grid0 }, `
deltas = []
for _ in range(3):
    work = (g[1:-1, 1:-1] + g[0:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, 0:-2] + g[1:-1, 2:]) * 0.2
    deltas.append(np.abs(work - g[1:-1, 1:-1]).sum())
    g[1:-1, 1:-1] = work
deltas = np.array(deltas)
`, ['g', 'deltas']);
  const grid = grid0.copy();
  const center = grid.slice('1:-1, 1:-1');
  const deltas: number[] = [];
  for (let it = 0; it < 3; it++) {
    let d: dn.NdArray | undefined;
    await fused(t, true, () => {
      const work = center.add(grid.slice('0:-2, 1:-1')).add(grid.slice('2:, 1:-1')).add(grid.slice('1:-1, 0:-2')).add(grid.slice('1:-1, 2:')).mul(0.2);
      d = dn.abs(work.sub(center)).sum();
      center.assign(work);
    });
    deltas.push((await d!.item()) as number);
  }
  await assertMatches(t, grid, expected.g, 'grid after 3 sweeps');
  await assertMatches(t, dn.array(deltas), expected.deltas, 'change of each sweep', { rtol: 1e-12 });
});

test.serial('N-body-like sums along the last axis and whole-array folds over one costly expression, equal to NumPy', async (t) => {
  const a = randomArray([23, 37], 2);
  const b = randomArray([23, 37], 3);
  const c = randomArray([1, 37], 4);
  let s1: dn.NdArray | undefined, s2: dn.NdArray | undefined, mx: dn.NdArray | undefined, mn: dn.NdArray | undefined, m: dn.NdArray | undefined;
  await fused(t, true, () => {
    const F = dn.sqrt(a.mul(a).add(c.mul(c)).add(1)).div(b.mul(b).add(0.5));
    s1 = F.mul(a).div(c.add(7)).sum(1);
    s2 = F.mul(b).sum(1);
    mx = F.max(1);
    mn = F.sub(a).min();
    m = F.mean();
  });
  const e = await numpyAfter({ a, b, c }, `
F = np.sqrt(a * a + c * c + 1) / (b * b + 0.5)
s1 = (F * a / (c + 7)).sum(1); s2 = (F * b).sum(1); mx = F.max(1); mn = (F - a).min(); m = F.mean()
`, ['s1', 's2', 'mx', 'mn', 'm']);
  await assertMatches(t, s1!, e.s1, 'sum(F*a/(c+7), 1)', { rtol: 1e-13 });
  await assertMatches(t, s2!, e.s2, 'sum(F*b, 1)', { rtol: 1e-13 });
  await assertMatches(t, mx!, e.mx, 'max(F, 1)');
  await assertMatches(t, mn!, e.mn, 'min(F - a)');
  await assertMatches(t, m!, e.m, 'mean(F)', { rtol: 1e-13 });
});

test.serial("N-body's net forces: three row sums of one costly expression, run as SIMD row pairs, equal to NumPy", async (t) => {
  const n = 37;
  const P = [10, 11, 12].map((seed) => randomArray([n, 1], seed));
  const M = randomArray([n, 1], 13);
  const before = simdKernelCount();
  let S: dn.NdArray[] = [];
  await fused(t, true, () => {
    const onesCol = dn.ones([n, 1]);
    const onesRow = dn.ones([1, n]);
    const diff = P.map((p) => dn.dot(onesCol, p.T).sub(dn.dot(p, onesRow)));
    const D2 = diff.map((d) => d.mul(d)).reduce((s, x) => s.add(x)).add(0.0001);
    const F = dn.dot(M, M.T).mul(6.673e-11).div(D2);
    S = diff.map((d) => F.mul(d).div(dn.sqrt(D2)).sum(1));
  });
  const grid = dn.runtimeInfo().config.grid.value;
  if (!grid || grid[1] === 1) t.true(simdKernelCount() > before, 'the forces ran as SIMD row pairs');
  const e = await numpyAfter({ p0: P[0], p1: P[1], p2: P[2], M }, `
oc = np.ones((${n}, 1)); orow = np.ones((1, ${n}))
diff = [oc @ p.T - p @ orow for p in (p0, p1, p2)]
D2 = diff[0] * diff[0] + diff[1] * diff[1] + diff[2] * diff[2] + 0.0001
F = (M @ M.T) * 6.673e-11 / D2
s0, s1, s2 = [(F * d / np.sqrt(D2)).sum(1) for d in diff]
`, ['s0', 's1', 's2']);
  for (let k = 0; k < 3; k++) await assertMatches(t, S[k], e[`s${k}`], `net force along axis ${k}`, { rtol: 1e-12 });
});

test.serial('NaN propagates through fused min, max and sums; float32 results are rounded as NumPy rounds them', async (t) => {
  const a = dn.array([1, NaN, 3, -2, 5, 0.5, Infinity, -1, 2, 4, 6, NaN], { dtype: 'float64' }).reshape(3, 4);
  const x = randomArray([3, 4], 5, 'float32');
  let r: Record<string, dn.NdArray> = {};
  await fused(t, true, () => {
    const y = a.mul(2).add(x);
    r = { mx: y.max(1), mn: y.min(1), s: y.sum(1), all: y.max(), p: y.prod(1) };
  });
  const e = await numpyAfter({ a, x }, `y = a * 2 + x\nmx = y.max(1); mn = y.min(1); s = y.sum(1); al = y.max(); p = y.prod(1)`, ['mx', 'mn', 's', 'al', 'p']);
  await assertMatches(t, r.mx, e.mx, 'max(y, 1)');
  await assertMatches(t, r.mn, e.mn, 'min(y, 1)');
  await assertMatches(t, r.s, e.s, 'sum(y, 1)', { rtol: 1e-15 });
  await assertMatches(t, r.all, e.al, 'max(y)');
  await assertMatches(t, r.p, e.p, 'prod(y, 1)', { rtol: 1e-15 });
  const x32 = randomArray([5, 6], 6, 'float32');
  const out32 = dn.zeros([5, 6], { dtype: 'float32' });
  let s32: dn.NdArray | undefined;
  // Kept apart: the loop hands a later step only float64 values it stored (a float32 store rounds).
  await fused(t, false, () => {
    out32.assign(x32.mul(3).add(1));
    s32 = out32.mul(2).sum(1);
  });
  const e32 = await numpyAfter({ x32 }, 'o = (x32 * 3 + 1).astype(np.float32)\ns = (o * 2).sum(1)', ['o', 's']);
  await assertMatches(t, out32, e32.o, 'float32 store');
  await assertMatches(t, s32!, e32.s, 'sum of the float32 store, read back from memory', { rtol: 1e-6 });
});

test.serial('a step reading what an earlier step wrote, at another element, waits for it', async (t) => {
  const a = randomArray([12, 9], 7);
  const b = dn.zeros([12, 9]);
  let s: dn.NdArray | undefined;
  await fused(t, false, () => {
    b.slice(':-1, :').assign(a.slice(':-1, :').mul(2));
    s = b.slice('1:, :').add(1).sum();
  });
  const e = await numpyAfter({ a }, 'b = np.zeros((12, 9)); b[:-1, :] = a[:-1, :] * 2\ns = (b[1:, :] + 1).sum()', ['b', 's']);
  await assertMatches(t, b, e.b, 'b');
  await assertMatches(t, s!, e.s, 'sum of b shifted by a row', { rtol: 1e-14 });
});

test.serial('a step writing where an earlier step read, at another element, waits for it', async (t) => {
  const x0 = randomArray([10, 7], 8);
  const x = x0.copy();
  const y = randomArray([9, 7], 9);
  let s: dn.NdArray | undefined;
  await fused(t, false, () => {
    // (A lazy x[1:] * 3 would be realised by the write first: that copy and the sum share a loop.)
    s = x.slice('1:, :').sum(1);
    x.slice(':-1, :').assign(y.add(1));
  });
  const e = await numpyAfter({ x: x0, y }, 's = x[1:, :].sum(1)\nx[:-1, :] = y + 1', ['s', 'x']);
  await assertMatches(t, s!, e.s, 'sum read before the write', { rtol: 1e-14 });
  await assertMatches(t, x, e.x, 'x after the write');
});

test.serial('one loop shares equal instructions only: 0 and -0, a - b and b - a, float32 and float64 stay apart', async (t) => {
  const a = randomArray([9, 13], 21);
  const b = randomArray([9, 13], 22);
  const outs = Array.from({ length: 6 }, () => dn.zeros([9, 13]));
  await fused(t, true, () => {
    outs[0].assign(dn.div(1, a.mul(0)));
    outs[1].assign(dn.div(1, a.mul(-0)));
    outs[2].assign(a.sub(b));
    outs[3].assign(b.sub(a));
    outs[4].assign(a.astype('float32').mul(0.1));
    outs[5].assign(a.mul(0.1).add(NaN).add(a.mul(0.1)));
  });
  const e = await numpyAfter({ a, b }, `
o0 = 1 / (a * 0); o1 = 1 / (a * -0.0); o2 = a - b; o3 = b - a
o4 = (a.astype(np.float32) * np.float32(0.1)).astype(np.float64); o5 = a * 0.1 + np.nan + a * 0.1
`, ['o0', 'o1', 'o2', 'o3', 'o4', 'o5']);
  for (let k = 0; k < outs.length; k++) await assertMatches(t, outs[k], e[`o${k}`], `output ${k}`);
});

test.serial('a step of more than 256 instructions (where of three long chains) equals NumPy; a next step does not join it', async (t) => {
  const a = randomArray([6, 9], 31);
  const b = randomArray([6, 9], 32);
  // Chains of 46 operations each (below the weight at which a chain is materialised), the same
  // constants in each: many equal instructions, at indices past 255 (MAX_INSTRS keeps the mean
  // out of the where's loop).
  const chain = (x: dn.NdArray): dn.NdArray => {
    let y = x;
    for (let i = 0; i < 23; i++) y = y.mul(1.01).add(i % 5);
    return y;
  };
  let r: dn.NdArray | undefined;
  let m: dn.NdArray | undefined;
  await fused(t, false, () => {
    r = dn.where(chain(a.sub(b)).gt(1.5), chain(a), chain(b.mul(2)));
    m = r.mean(1);
  });
  const e = await numpyAfter({ a, b }, `
def chain(x):
    for i in range(23):
        x = x * 1.01 + (i % 5)
    return x
r = np.where(chain(a - b) > 1.5, chain(a), chain(b * 2)); m = r.mean(1)
`, ['r', 'm']);
  await assertMatches(t, r!, e.r, 'where of the chains');
  await assertMatches(t, m!, e.m, 'its row means', { rtol: 1e-14 });
});

test.serial('a step reading what an earlier step wrote, at the same element, takes the value in the loop', async (t) => {
  const a = randomArray([8, 11], 10);
  const b = dn.zeros([8, 11]);
  const c = dn.zeros([8, 11]);
  let m: dn.NdArray | undefined;
  await fused(t, true, () => {
    b.assign(dn.exp(a.mul(0.1)));
    c.assign(b.mul(b).sub(a));
    m = c.add(b).mean(1);
  });
  const e = await numpyAfter({ a }, 'b = np.exp(a * 0.1); c = b * b - a; m = (c + b).mean(1)', ['b', 'c', 'm']);
  await assertMatches(t, b, e.b, 'b = exp(a/10)', { ulps: 4 });
  await assertMatches(t, c, e.c, 'c = b*b - a', { rtol: 1e-14 });
  await assertMatches(t, m!, e.m, 'mean(c + b, 1)', { rtol: 1e-14 });
});
