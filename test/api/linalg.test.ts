// dot, matmul and outer against NumPy: every pairing of 1-D and 2-D operands, transposed, sliced
// and negatively strided operands, odd sizes, every dtype, size-0 inner dimensions, and the
// ShapeError for operands that do not line up.
import test, { type ExecutionContext } from 'ava';
import * as dn from '../../lib/index.js';
import { type CompareOptions, type NpResult, assertMatches, numpy } from '../helpers/numpy.js';
import { lcg } from '../helpers/cases.js';

type DType = dn.DType;

/** Deterministic data: floats in [-1, 1), integers in [-9, 9] (int32 products stay exact). */
function arr(dtype: DType, shape: number[], seed: number): dn.NdArray {
  const r = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v: (number | boolean)[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    if (dtype === 'float64' || dtype === 'float32') v.push(u * 2 - 1);
    else if (dtype === 'int32') v.push(Math.floor(u * 19) - 9);
    else if (dtype === 'uint8') v.push(Math.floor(u * 10));
    else v.push(u < 0.5);
  }
  return dn.array(v, { dtype, shape });
}

const TOL: Record<DType, CompareOptions> = {
  float64: { rtol: 1e-12, atol: 1e-13 },
  float32: { rtol: 1e-5, atol: 1e-5 },
  int32: {},
  uint8: {},
  bool: {},
};

interface Case {
  label: string;
  actual: () => dn.NdArray;
  expr: string;
  opts?: CompareOptions;
}

async function check(t: ExecutionContext, inputs: Record<string, dn.NdArray>, cases: Case[]): Promise<void> {
  const exprs: Record<string, string> = {};
  for (const c of cases) exprs[c.label] = c.expr;
  const expected: Record<string, NpResult> = await numpy(inputs, exprs);
  for (const c of cases) {
    try {
      await assertMatches(t, c.actual(), expected[c.label], c.label, c.opts);
    } catch (e) {
      t.fail(`${c.label}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
}

test.after.always(async () => {
  await dn.shutdown();
});

for (const dt of ['float64', 'float32', 'int32'] as DType[]) {
  test.serial(`${dt}: dot and matmul for 1-D.1-D, 2-D.1-D, 1-D.2-D and 2-D.2-D (odd sizes)`, async (t) => {
    const inputs = {
      A: arr(dt, [37, 53], 1), // 37x53
      B: arr(dt, [53, 29], 2), // 53x29
      u: arr(dt, [53], 3),
      v: arr(dt, [53], 4),
      w: arr(dt, [37], 5),
      z: arr(dt, [29], 6),
      S: arr(dt, [1, 1], 7),
      s1: arr(dt, [1], 8),
    };
    const { A, B, u, v, w, z, S, s1 } = inputs;
    const o = TOL[dt];
    const cases: Case[] = [
      { label: 'dot(u,v)', actual: () => dn.dot(u, v), expr: 'np.dot(u, v)', opts: o },
      { label: 'matmul(u,v)', actual: () => dn.matmul(u, v), expr: 'np.matmul(u, v)', opts: o },
      { label: 'u.matmul(v)', actual: () => u.matmul(v), expr: 'u @ v', opts: o },
      { label: 'u.dot(v)', actual: () => u.dot(v), expr: 'u.dot(v)', opts: o },
      { label: 'dot(A,u)', actual: () => dn.dot(A, u), expr: 'np.dot(A, u)', opts: o },
      { label: 'matmul(A,u)', actual: () => dn.matmul(A, u), expr: 'A @ u', opts: o },
      { label: 'dot(w,A)', actual: () => dn.dot(w, A), expr: 'np.dot(w, A)', opts: o },
      { label: 'matmul(w,A)', actual: () => dn.matmul(w, A), expr: 'w @ A', opts: o },
      { label: 'dot(A,B)', actual: () => dn.dot(A, B), expr: 'np.dot(A, B)', opts: o },
      { label: 'matmul(A,B)', actual: () => dn.matmul(A, B), expr: 'A @ B', opts: o },
      { label: 'A.matmul(B)', actual: () => A.matmul(B), expr: 'A @ B', opts: o },
      { label: 'B.matmul(z)', actual: () => B.matmul(z), expr: 'B @ z', opts: o },
      { label: 'u.matmul(B)', actual: () => u.matmul(B), expr: 'u @ B', opts: o },
      { label: 'S@S (1x1)', actual: () => dn.matmul(S, S), expr: 'S @ S', opts: o },
      { label: 's1@s1 (size 1)', actual: () => dn.matmul(s1, s1), expr: 's1 @ s1', opts: o },
      { label: 'S@s1', actual: () => dn.matmul(S, s1), expr: 'S @ s1', opts: o },
      { label: '(A@B)@z chained', actual: () => A.matmul(B).matmul(z), expr: '(A @ B) @ z', opts: o },
      { label: 'A@B + 1 fused after', actual: () => A.matmul(B).add(1), expr: 'A @ B + 1', opts: o },
      { label: '(A*2)@B lazy operand', actual: () => A.mul(2).matmul(B), expr: '(A * 2) @ B', opts: o },
    ];
    for (const c of cases) t.is(c.actual().dtype, dt, `${c.label}: dtype is ${dt}`);
    await check(t, inputs, cases);
  });

  test.serial(`${dt}: transposed, sliced and negatively strided operands`, async (t) => {
    const inputs = {
      A: arr(dt, [37, 53], 11),
      B: arr(dt, [53, 29], 12),
      C: arr(dt, [29, 37], 13),
      M: arr(dt, [60, 70], 14),
      u: arr(dt, [106], 15),
    };
    const { A, B, C, M, u } = inputs;
    const o = TOL[dt];
    const cases: Case[] = [
      { label: 'B.T@A.T', actual: () => B.T.matmul(A.T), expr: 'B.T @ A.T', opts: o },
      { label: 'A.T@C.T', actual: () => dn.matmul(A.T, C.T), expr: 'A.T @ C.T', opts: o },
      { label: 'C@A (plain)', actual: () => dn.matmul(C, A), expr: 'C @ A', opts: o },
      { label: 'A.T@C.T via dot', actual: () => dn.dot(A.T, C.T), expr: 'np.dot(A.T, C.T)', opts: o },
      { label: 'C.T@B.T', actual: () => C.T.matmul(B.T), expr: 'C.T @ B.T', opts: o },
      { label: 'M[::2,1:54]@B', actual: () => M.slice('::2, 1:54').matmul(B), expr: 'M[::2, 1:54] @ B', opts: o },
      { label: 'M[5:42,::-1][:, :53]@B', actual: () => M.slice('5:42, ::-1').slice(':, :53').matmul(B), expr: 'M[5:42, ::-1][:, :53] @ B', opts: o },
      { label: 'A@M[::-1, ::2][:53, :29]', actual: () => A.matmul(M.slice('::-1, ::2').slice(':53, :29')), expr: 'A @ M[::-1, ::2][:53, :29]', opts: o },
      { label: 'M[1:54, 3:32].T@M[7:60, 2:39]', actual: () => dn.matmul(M.slice('1:54, 3:32').T, M.slice('7:60, 2:39')), expr: 'M[1:54, 3:32].T @ M[7:60, 2:39]', opts: o },
      { label: 'A@u[::2]', actual: () => A.matmul(u.slice('::2')), expr: 'A @ u[::2]', opts: o },
      { label: 'A@u[::-2]', actual: () => A.matmul(u.slice('::-2')), expr: 'A @ u[::-2]', opts: o },
      { label: 'u[1::2]@A.T', actual: () => dn.matmul(u.slice('1::2'), A.T), expr: 'u[1::2] @ A.T', opts: o },
      { label: 'u[::2].dot(u[::-2])', actual: () => dn.dot(u.slice('::2'), u.slice('::-2')), expr: 'np.dot(u[::2], u[::-2])', opts: o },
      { label: 'A.T@(column of M)', actual: () => A.T.matmul(M.slice(':37, 4')), expr: 'A.T @ M[:37, 4]', opts: o },
      { label: 'row of M @ M[:70, :10]... (1-D.2-D sliced)', actual: () => dn.matmul(M.slice('3, :60'), M.slice(':, ::-7')), expr: 'M[3, :60] @ M[:, ::-7]', opts: o },
    ];
    await check(t, inputs, cases);
  });
}

test.serial('mixed dtypes promote as NumPy (int32 @ float64 -> float64, float32 @ int32 -> float64)', async (t) => {
  const inputs = {
    I: arr('int32', [7, 9], 21),
    F: arr('float64', [9, 5], 22),
    G: arr('float32', [7, 9], 23),
    J: arr('int32', [9, 4], 24),
    U: arr('uint8', [9, 3], 25),
    b: arr('bool', [9], 26),
  };
  const { I, F, G, J, U, b } = inputs;
  const cases: Case[] = [
    { label: 'I@F', actual: () => I.matmul(F), expr: 'I @ F', opts: TOL.float64 },
    { label: 'G@J', actual: () => G.matmul(J), expr: 'G @ J', opts: TOL.float64 },
    { label: 'G@F', actual: () => G.matmul(F), expr: 'G @ F', opts: TOL.float64 },
    { label: 'I@U', actual: () => I.matmul(U), expr: 'I @ U' },
    { label: 'I@b', actual: () => I.matmul(b), expr: 'I @ b' },
    { label: 'dot(G, b)', actual: () => dn.dot(G, b), expr: 'np.dot(G, b)', opts: TOL.float32 },
  ];
  await check(t, inputs, cases);
});

test.serial('size-0 inner dimension, 2-D @ 2-D: a zero matrix for every dtype', async (t) => {
  const inputs = {
    A0: dn.zeros([3, 0]),
    B0: dn.zeros([0, 4]),
    A0f: dn.zeros([3, 0], { dtype: 'float32' }),
    B0f: dn.zeros([0, 4], { dtype: 'float32' }),
    Ai: dn.zeros([2, 0], { dtype: 'int32' }),
    Bi: dn.zeros([0, 3], { dtype: 'int32' }),
  };
  const { A0, B0, A0f, B0f, Ai, Bi } = inputs;
  const cases: Case[] = [
    { label: 'A0@B0 float64', actual: () => A0.matmul(B0), expr: 'A0 @ B0' },
    { label: 'dot(A0,B0) float64', actual: () => dn.dot(A0, B0), expr: 'np.dot(A0, B0)' },
    { label: 'B0.T@A0.T float64', actual: () => B0.T.matmul(A0.T), expr: 'B0.T @ A0.T' },
    { label: 'A0f@B0f float32', actual: () => A0f.matmul(B0f), expr: 'A0f @ B0f' },
    { label: 'Ai@Bi int32', actual: () => Ai.matmul(Bi), expr: 'Ai @ Bi' },
  ];
  await check(t, inputs, cases);
  // A failed product must not break the runtime.
  t.is(await dn.dot(dn.ones([2]), dn.ones([2])).item(), 2);
});

test.serial('size-0 operands with vectors and empty outer dimensions', async (t) => {
  const inputs = {
    A0: dn.zeros([3, 0]),
    B0: dn.zeros([0, 4]),
    e: dn.zeros([0]),
    E: dn.zeros([0, 5]),
    F: arr('float64', [5, 2], 31),
  };
  const { A0, B0, e, E, F } = inputs;
  const cases: Case[] = [
    { label: 'e@e', actual: () => dn.matmul(e, e), expr: 'e @ e' },
    { label: 'dot(e,e)', actual: () => dn.dot(e, e), expr: 'np.dot(e, e)' },
    { label: 'A0@e', actual: () => A0.matmul(e), expr: 'A0 @ e' },
    { label: 'e@B0', actual: () => e.matmul(B0), expr: 'e @ B0' },
    { label: 'E@F (0 rows)', actual: () => E.matmul(F), expr: 'E @ F' },
    { label: 'F.T@E.T (0 columns)', actual: () => F.T.matmul(E.T), expr: 'F.T @ E.T' },
  ];
  await check(t, inputs, cases);
});

test.serial('outer products, including views and mixed dtypes', async (t) => {
  const inputs = {
    a: arr('float64', [7], 41),
    b: arr('float64', [11], 42),
    i: arr('int32', [5], 43),
    f: arr('float32', [4], 44),
    M: arr('float64', [3, 4], 45),
    e: dn.zeros([0]),
  };
  const { a, b, i, f, M, e } = inputs;
  const cases: Case[] = [
    { label: 'outer(a,b)', actual: () => dn.outer(a, b), expr: 'np.outer(a, b)' },
    { label: 'outer(b[::-3],a[1:])', actual: () => dn.outer(b.slice('::-3'), a.slice('1:')), expr: 'np.outer(b[::-3], a[1:])' },
    { label: 'outer(i,i)', actual: () => dn.outer(i, i), expr: 'np.outer(i, i)' },
    { label: 'outer(i,f)', actual: () => dn.outer(i, f), expr: 'np.outer(i, f)' },
    { label: 'outer(f,f)', actual: () => dn.outer(f, f), expr: 'np.outer(f, f)' },
    { label: 'outer(M,a) flattens', actual: () => dn.outer(M, a), expr: 'np.outer(M, a)' },
    { label: 'outer(M.T,i) flattens in C order', actual: () => dn.outer(M.T, i), expr: 'np.outer(M.T, i)' },
    { label: 'outer(e,a)', actual: () => dn.outer(e, a), expr: 'np.outer(e, a)' },
  ];
  await check(t, inputs, cases);
});

test.serial('misaligned operands throw ShapeError synchronously, naming the shapes (dot)', async (t) => {
  const pairs: [number[], number[]][] = [
    [[3, 4], [5, 2]],
    [[3], [4]],
    [[3, 4], [3]],
    [[5], [4, 2]],
  ];
  const shapeRe = (s: number[]) => new RegExp(`\\(${s.join(',\\s*')}${s.length === 1 ? ',' : ''}\\)`);
  for (const [sa, sb] of pairs) {
    const a = dn.zeros(sa);
    const b = dn.zeros(sb);
    const e = t.throws(() => dn.dot(a, b), { instanceOf: dn.ShapeError }, `dot ${sa} ${sb}`);
    t.regex(e?.message ?? '', shapeRe(sa), `dot message names ${JSON.stringify(sa)}`);
    t.regex(e?.message ?? '', shapeRe(sb), `dot message names ${JSON.stringify(sb)}`);
    t.regex(e?.message ?? '', /not aligned/);
  }
  // NumPy agrees that these raise.
  const np = await numpy({ a: dn.zeros([3, 4]), b: dn.zeros([5, 2]) }, { d: 'np.dot(a, b)', m: 'a @ b' });
  t.is((np.d as { error: string }).error, 'ValueError');
  t.is((np.m as { error: string }).error, 'ValueError');
  // Nothing was recorded: the runtime still works.
  t.is(await dn.dot(dn.ones([3]), dn.ones([3])).item(), 3);
});

test.serial('misaligned operands throw ShapeError synchronously, naming the shapes (matmul)', (t) => {
  const pairs: [number[], number[]][] = [
    [[3, 4], [5, 2]],
    [[3], [4]],
    [[3, 4], [3]],
    [[5], [4, 2]],
  ];
  const shapeRe = (s: number[]) => new RegExp(`\\(${s.join(',\\s*')}${s.length === 1 ? ',' : ''}\\)`);
  for (const [sa, sb] of pairs) {
    const a = dn.zeros(sa);
    const b = dn.zeros(sb);
    for (const [name, f] of [['dn.matmul', () => dn.matmul(a, b)], ['a.matmul', () => a.matmul(b)]] as const) {
      const e = t.throws(f, { instanceOf: dn.ShapeError }, `${name} ${sa} ${sb}`);
      t.regex(e?.message ?? '', shapeRe(sa), `${name} message names ${JSON.stringify(sa)}: "${e?.message}"`);
      t.regex(e?.message ?? '', shapeRe(sb), `${name} message names ${JSON.stringify(sb)}: "${e?.message}"`);
    }
  }
});

test.serial('bad operands: 0-d matmul is a ShapeError, non-arrays a TypeError', (t) => {
  t.throws(() => dn.matmul(dn.array(2), dn.ones([3])), { instanceOf: dn.ShapeError });
  t.throws(() => dn.matmul(dn.ones([3]), 2 as unknown as dn.NdArray), { instanceOf: TypeError });
  t.throws(() => dn.dot([1, 2] as unknown as dn.NdArray, dn.ones([2])), { instanceOf: TypeError });
  t.throws(() => dn.outer(dn.ones([2]), null as unknown as dn.NdArray), { instanceOf: TypeError });
});

test.serial('dot with a 0-d operand multiplies, as NumPy', async (t) => {
  const inputs = { s: dn.array(2.5), a: arr('float64', [3, 4], 51) };
  await check(t, inputs, [
    { label: 'dot(s,a)', actual: () => dn.dot(inputs.s, inputs.a), expr: 'np.dot(s, a)' },
    { label: 'dot(a,s)', actual: () => dn.dot(inputs.a, inputs.s), expr: 'np.dot(a, s)' },
  ]);
});
