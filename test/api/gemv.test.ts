// Row sums of a matrix times a broadcast vector, sum(A * x, axis=-1), run as a BLAS gemv
// (kernels/codegen.ts gemvPlan, smp/exec.ts runGemv) when OpenBLAS is there: the dense Jacobi
// solver's step. Each case is checked against NumPy, including the sign of zero sums (+0, as NumPy
// 2 starts its sums from 0), and the shapes that must not go to BLAS still give NumPy's answer.
import test from 'ava';
import * as dn from '../../lib/index.js';
import { gemvCount } from '../../lib/smp/exec.js';
import { assertMatches, numpy, numpyAfter, randomArray } from '../helpers/numpy.js';

test.after.always(async () => {
  await dn.shutdown();
});

// Row sums are reordered (BLAS runs SIMD lanes): equal to NumPy's within rounding.
const ROUNDING = { rtol: 1e-12, atol: 1e-12 };

/** Runs `make` and says whether BLAS took the row sums (known only where rank 0 computes rows). */
async function viaGemv(make: () => dn.NdArray): Promise<{ result: dn.NdArray; used: boolean }> {
  await dn.flush();
  const before = gemvCount();
  const result = make();
  await result.data();
  return { result, used: gemvCount() > before };
}

const blasHere = (): boolean => dn.runtimeInfo().blas !== null && dn.runtimeInfo().blas !== undefined && process.env.DISTNUMPY_NO_BLAS !== '1';

test.serial('sum(A * x, axis=1) and sum(x * A, axis=-1) equal NumPy, through gemv when BLAS is there', async (t) => {
  const A = randomArray([300, 200], 1);
  const x = randomArray([200], 2);
  const want = await numpy({ A, x }, { ax: 'np.sum(A * x, axis=1)', xa: 'np.sum(x * A, axis=-1)' });
  const ax = await viaGemv(() => A.mul(x).sum(1));
  const xa = await viaGemv(() => x.mul(A).sum(-1));
  await assertMatches(t, ax.result, want.ax, 'A * x', ROUNDING);
  await assertMatches(t, xa.result, want.xa, 'x * A', ROUNDING);
  if (blasHere() && dn.rank === 0) {
    t.true(ax.used, 'A * x went to gemv');
    t.true(xa.used, 'x * A went to gemv');
  }
});

test.serial('strided rows, a strided vector and a 3-D matrix equal NumPy', async (t) => {
  const A = randomArray([400, 300], 3);
  const x = randomArray([300], 4);
  const B = randomArray([4, 60, 150], 5);
  const y = randomArray([150], 6);
  const want = await numpy({ A, x, B, y }, {
    rows: 'np.sum(A[::2, ::2] * x[::2], axis=1)',
    cube: 'np.sum(B * y, axis=2)',
    part: 'np.sum(A[10:390, 50:250] * x[100:], axis=1)',
  });
  await assertMatches(t, (await viaGemv(() => A.slice('::2, ::2').mul(x.slice('::2')).sum(1))).result, want.rows, 'every other row and column', ROUNDING);
  await assertMatches(t, (await viaGemv(() => B.mul(y).sum(2))).result, want.cube, '3-D', ROUNDING);
  await assertMatches(t, (await viaGemv(() => A.slice('10:390, 50:250').mul(x.slice('100:')).sum(1))).result, want.part, 'a window', ROUNDING);
});

test.serial('zero sums keep NumPy\'s sign, and NaN and inf rows propagate', async (t) => {
  const n = 128;
  const rows: number[][] = [];
  rows.push(Array.from({ length: n }, () => -0)); // -0 * positive: every product -0
  rows.push(Array.from({ length: n }, () => 0));
  rows.push(Array.from({ length: n }, (_, j) => (j === 5 ? NaN : 1)));
  rows.push(Array.from({ length: n }, (_, j) => (j === 7 ? Infinity : 1)));
  rows.push(Array.from({ length: n }, (_, j) => (j === 7 ? Infinity : j === 9 ? -Infinity : 1)));
  for (let i = rows.length; i < 200; i++) rows.push(Array.from({ length: n }, (_, j) => ((i * 31 + j * 17) % 13) - 6));
  const A = dn.array(rows);
  const x = dn.array(Array.from({ length: n }, (_, j) => 1 + (j % 3)));
  const want = await numpy({ A, x }, { s: 'np.sum(A * x, axis=1)' });
  const got = await viaGemv(() => A.mul(x).sum(1));
  await assertMatches(t, got.result, want.s, 'special rows', ROUNDING);
  const data = await got.result.data();
  const expected = want.s;
  if (!('error' in expected!)) {
    for (let i = 0; i < 2; i++) t.true(Object.is(data[i], expected!.data[i]), `row ${i}: ${data[i]} has NumPy's sign (${expected!.data[i]})`);
  }
});

test.serial('what gemv cannot take still equals NumPy: a transposed matrix, int data, a sum of squares', async (t) => {
  const A = randomArray([200, 200], 7);
  const x = randomArray([200], 8);
  const I = dn.array(Array.from({ length: 200 * 100 }, (_, i) => (i % 11) - 5), { dtype: 'int32' }).reshape([200, 100]);
  const xi = dn.array(Array.from({ length: 100 }, (_, i) => (i % 5) - 2), { dtype: 'int32' });
  const want = await numpy({ A, x, I, xi }, { tr: 'np.sum(A.T * x, axis=1)', ints: 'np.sum(I * xi, axis=1)', sq: 'np.sum(A * A, axis=1)' });
  const tr = await viaGemv(() => A.T.mul(x).sum(1));
  const ints = await viaGemv(() => I.mul(xi).sum(1));
  const sq = await viaGemv(() => A.mul(A).sum(1));
  await assertMatches(t, tr.result, want.tr, 'A.T * x', ROUNDING);
  await assertMatches(t, ints.result, want.ints, 'int32', { dtypeContext: 'sum' });
  await assertMatches(t, sq.result, want.sq, 'A * A', ROUNDING);
  t.false(tr.used || ints.used || sq.used, 'none of them went to gemv');
});
