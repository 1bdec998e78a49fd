// Reductions against NumPy: every op x every axis x every dtype, on contiguous arrays, strided
// views and fused element-wise chains; 0-d, size-1 and size-0 inputs; NaN handling; arrays big
// enough to be split over threads (ties and NaNs placed in different pieces).
import test, { type ExecutionContext } from 'ava';
import * as dn from '../../lib/index.js';
import { type CompareOptions, type NpResult, assertMatches, numpy } from '../helpers/numpy.js';
import { lcg } from '../helpers/cases.js';

type DType = dn.DType;
type Op = 'sum' | 'mean' | 'prod' | 'min' | 'max' | 'argmin' | 'argmax' | 'all' | 'any';
const OPS: Op[] = ['sum', 'mean', 'prod', 'min', 'max', 'argmin', 'argmax', 'all', 'any'];
const DTYPES: DType[] = ['float64', 'float32', 'int32', 'uint8', 'bool'];

/** Values for `dtype`; `prod` keeps them small so integer products stay exact below 2^53. */
function values(dtype: DType, n: number, seed: number, kind: 'general' | 'prod' | 'positive' = 'general'): number[] {
  const r = lcg(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    switch (dtype) {
      case 'float64':
        out.push(kind === 'prod' ? 0.5 + u : kind === 'positive' ? u : u * 20 - 10);
        break;
      case 'float32':
        out.push(Math.fround(kind === 'prod' ? 0.5 + u : kind === 'positive' ? u : u * 20 - 10));
        break;
      case 'int32':
        out.push(kind === 'prod' ? Math.floor(u * 7) - 3 : Math.floor(u * 201) - 100);
        break;
      case 'uint8':
        out.push(kind === 'prod' ? Math.floor(u * 5) : Math.floor(u * 256));
        break;
      case 'bool':
        out.push(u < 0.5 ? 1 : 0);
        break;
    }
  }
  return out;
}

function arr(dtype: DType, shape: number[], seed: number, kind: 'general' | 'prod' | 'positive' = 'general'): dn.NdArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = values(dtype, n, seed, kind);
  return dn.array(dtype === 'bool' ? v.map((x) => x !== 0) : v, { dtype, shape });
}

/** How closely a result must match NumPy's (sums are accumulated in a different order). */
function tolerance(op: Op, dtype: DType, big = false): CompareOptions {
  const sumLike = op === 'sum' || op === 'mean' || op === 'prod';
  const opts: CompareOptions = { dtypeContext: op === 'sum' || op === 'prod' ? 'sum' : 'default' };
  if (sumLike && dtype === 'float64') return { ...opts, rtol: 1e-12, atol: big ? 1e-9 : 1e-12 };
  if (sumLike && dtype === 'float32') return { ...opts, rtol: 1e-5, atol: big ? 1e-2 : 1e-4 };
  return opts; // integer and bool sums, min/max/arg*/all/any: identical bits
}

const axisArg = (axis: number | undefined) => (axis === undefined ? '' : `axis=${axis}`);

interface Case {
  label: string;
  /** Our computation; called after NumPy answered, so that it may be expected to throw. */
  actual: () => dn.NdArray;
  expr: string;
  opts?: CompareOptions;
}

/** The error class we throw where NumPy raises (API.md, "Errors"). */
const ERROR_CLASS: Record<string, new (...a: never[]) => Error> = {
  AxisError: RangeError,
  ValueError: dn.ShapeError,
  TypeError: TypeError,
};

/**
 * Evaluate every case's NumPy expression in one python3 call and compare each; where NumPy
 * raises, our call must throw the matching class synchronously.
 */
async function check(t: ExecutionContext, inputs: Record<string, dn.NdArray>, cases: Case[]): Promise<void> {
  const exprs: Record<string, string> = {};
  for (const c of cases) exprs[c.label] = c.expr;
  const expected: Record<string, NpResult> = await numpy(inputs, exprs);
  for (const c of cases) {
    const e = expected[c.label];
    if (e && 'error' in e) {
      const cls = ERROR_CLASS[e.error] ?? Error;
      t.throws(c.actual, { instanceOf: cls }, `${c.label}: NumPy raises ${e.error} (${e.message}); expected a synchronous ${cls.name}`);
      continue;
    }
    try {
      await assertMatches(t, c.actual(), e, c.label, c.opts);
    } catch (err) {
      t.fail(`${c.label}: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
}

test.after.always(async () => {
  await dn.shutdown();
});

test.serial('every reduction over every axis and every dtype (contiguous 3-D)', async (t) => {
  const inputs: Record<string, dn.NdArray> = {};
  const cases: Case[] = [];
  DTYPES.forEach((dt, k) => {
    const a = arr(dt, [4, 5, 6], 100 + k);
    const p = arr(dt, [2, 3, 4], 200 + k, 'prod');
    inputs[`a_${dt}`] = a;
    inputs[`p_${dt}`] = p;
    for (const op of OPS) {
      for (const axis of [undefined, 0, 1, 2, -1, -2, -3]) {
        const src = op === 'prod' ? p : a;
        const name = op === 'prod' ? `p_${dt}` : `a_${dt}`;
        cases.push({
          label: `${name}.${op}(${axis ?? ''})`,
          actual: () => src[op](axis),
          expr: `${name}.${op}(${axisArg(axis)})`,
          opts: tolerance(op, dt),
        });
      }
    }
  });
  await check(t, inputs, cases);
});

test.serial('whole-array reductions give 0-d arrays with the documented dtypes', (t) => {
  const expectedDType: Record<Op, Record<DType, DType>> = {
    sum: { float64: 'float64', float32: 'float32', int32: 'float64', uint8: 'float64', bool: 'float64' },
    prod: { float64: 'float64', float32: 'float32', int32: 'float64', uint8: 'float64', bool: 'float64' },
    mean: { float64: 'float64', float32: 'float32', int32: 'float64', uint8: 'float64', bool: 'float64' },
    min: { float64: 'float64', float32: 'float32', int32: 'int32', uint8: 'uint8', bool: 'bool' },
    max: { float64: 'float64', float32: 'float32', int32: 'int32', uint8: 'uint8', bool: 'bool' },
    argmin: { float64: 'int32', float32: 'int32', int32: 'int32', uint8: 'int32', bool: 'int32' },
    argmax: { float64: 'int32', float32: 'int32', int32: 'int32', uint8: 'int32', bool: 'int32' },
    all: { float64: 'bool', float32: 'bool', int32: 'bool', uint8: 'bool', bool: 'bool' },
    any: { float64: 'bool', float32: 'bool', int32: 'bool', uint8: 'bool', bool: 'bool' },
  };
  for (const dt of DTYPES) {
    const a = arr(dt, [3, 4], 7);
    for (const op of OPS) {
      const r = a[op]();
      t.deepEqual(r.shape, [], `${dt}.${op}(): shape`);
      t.is(r.ndim, 0, `${dt}.${op}(): ndim`);
      t.is(r.dtype, expectedDType[op][dt], `${dt}.${op}(): dtype`);
    }
  }
});

test.serial('reductions of strided views: transposed, negative steps, slices, integer index', async (t) => {
  const views: [string, (a: dn.NdArray) => dn.NdArray, string][] = [
    ['T', (a) => a.T, '{}.T'],
    ['perm', (a) => a.transpose([1, 2, 0]), '{}.transpose(1, 2, 0)'],
    ['neg', (a) => a.slice('::-1, :, ::-2'), '{}[::-1, :, ::-2]'],
    ['slice', (a) => a.slice('1:5, ::3, 2:-1'), '{}[1:5, ::3, 2:-1]'],
    ['index', (a) => a.slice('2, :, ::-1'), '{}[2, :, ::-1]'],
    ['arrspec', (a) => a.slice([[null, null, -1], 3, [1, 7, 2]]), '{}[::-1, 3, 1:7:2]'],
  ];
  const inputs: Record<string, dn.NdArray> = {};
  const cases: Case[] = [];
  DTYPES.forEach((dt, k) => {
    const a = arr(dt, [6, 7, 8], 300 + k);
    const p = arr(dt, [6, 7, 8], 400 + k, 'prod');
    inputs[`a_${dt}`] = a;
    inputs[`p_${dt}`] = p;
    for (const [vname, view, pyView] of views) {
      for (const op of OPS) {
        // Products over 6*7*8 elements would leave the exact range: take them along an axis only.
        const axes = op === 'prod' ? [0, -1] : [undefined, 0, -1];
        for (const axis of axes) {
          const base = op === 'prod' && vname !== 'index' ? p : a;
          const name = base === p ? `p_${dt}` : `a_${dt}`;
          cases.push({
            label: `${name} ${vname}.${op}(${axis ?? ''})`,
            actual: () => view(base)[op](axis),
            expr: `${pyView.replace('{}', name)}.${op}(${axisArg(axis)})`,
            opts: tolerance(op, dt),
          });
        }
      }
    }
  });
  await check(t, inputs, cases);
});

test.serial('reductions fused with the element-wise chain that feeds them', async (t) => {
  const x = arr('float64', [4, 5, 6], 11);
  const y = arr('float64', [4, 5, 6], 12);
  const i = arr('int32', [4, 5, 6], 13);
  const f = arr('float32', [4, 5, 6], 14);
  const X = arr('float64', [100003], 15);
  const Y = arr('float64', [100003], 16);
  const sum64 = tolerance('sum', 'float64');
  const cases: Case[] = [
    { label: 'abs(x-y).sum()', actual: () => dn.abs(x.sub(y)).sum(), expr: 'np.abs(x-y).sum()', opts: sum64 },
    { label: 'abs(x-y).sum(1)', actual: () => dn.abs(x.sub(y)).sum(1), expr: 'np.abs(x-y).sum(axis=1)', opts: sum64 },
    { label: 'abs(X-Y).sum() (big)', actual: () => dn.abs(X.sub(Y)).sum(), expr: 'np.abs(X-Y).sum()', opts: tolerance('sum', 'float64', true) },
    { label: 'abs(X-Y).max() (big)', actual: () => dn.abs(X.sub(Y)).max(), expr: 'np.abs(X-Y).max()' },
    { label: 'abs(X-Y).argmax() (big)', actual: () => dn.abs(X.sub(Y)).argmax(), expr: 'np.abs(X-Y).argmax()' },
    { label: '(x*y+1).max(-1)', actual: () => x.mul(y).add(1).max(-1), expr: '(x*y+1).max(axis=-1)' },
    { label: '(x*y+1).argmax(0)', actual: () => x.mul(y).add(1).argmax(0), expr: '(x*y+1).argmax(axis=0)' },
    { label: '(x*y+1).argmin()', actual: () => x.mul(y).add(1).argmin(), expr: '(x*y+1).argmin()' },
    { label: '(x>0).all(1)', actual: () => x.gt(0).all(1), expr: '(x>0).all(axis=1)' },
    { label: '(x>y).any(2)', actual: () => x.gt(y).any(2), expr: '(x>y).any(axis=2)' },
    { label: '(x>y).sum()', actual: () => x.gt(y).sum(), expr: '(x>y).sum()', opts: { dtypeContext: 'sum' } },
    { label: '(x>y).mean(0)', actual: () => x.gt(y).mean(0), expr: '(x>y).mean(axis=0)' },
    { label: 'sqrt(abs(x)).mean(0)', actual: () => dn.sqrt(dn.abs(x)).mean(0), expr: 'np.sqrt(np.abs(x)).mean(axis=0)', opts: sum64 },
    { label: 'abs(x.T-y.T).sum(0)', actual: () => dn.abs(x.T.sub(y.T)).sum(0), expr: 'np.abs(x.T-y.T).sum(axis=0)', opts: sum64 },
    { label: '(x[::-1]*y[:, ::-2]...)', actual: () => x.slice('::-1, :, ::2').mul(y.slice(':, ::-1, 1::2')).min(1), expr: '(x[::-1, :, ::2]*y[:, ::-1, 1::2]).min(axis=1)' },
    { label: '(i+x).sum()', actual: () => i.add(x).sum(), expr: '(i+x).sum()', opts: sum64 },
    { label: '(i*i).sum()', actual: () => i.mul(i).sum(), expr: '(i*i).sum()', opts: { dtypeContext: 'sum' } },
    { label: '(i*i).sum(-2)', actual: () => i.mul(i).sum(-2), expr: '(i*i).sum(axis=-2)', opts: { dtypeContext: 'sum' } },
    { label: '(i-3).prod(0) on a slice', actual: () => i.slice(':2, 0, :').prod(0), expr: 'i[:2, 0, :].prod(axis=0)', opts: { dtypeContext: 'sum' } },
    { label: 'square(f).sum(1)', actual: () => f.square().sum(1), expr: 'np.square(f).sum(axis=1)', opts: tolerance('sum', 'float32') },
    { label: 'f.mean() (float32)', actual: () => f.mean(), expr: 'f.mean()', opts: tolerance('mean', 'float32') },
    { label: '(f*2).max(0)', actual: () => f.mul(2).max(0), expr: '(f*2).max(axis=0)' },
    { label: 'x.sum(0).max()', actual: () => x.sum(0).max(), expr: 'x.sum(axis=0).max()', opts: sum64 },
    { label: 'where(x>0,x,0).sum(2)', actual: () => dn.where(x.gt(0), x, 0).sum(2), expr: 'np.where(x>0, x, 0).sum(axis=2)', opts: sum64 },
  ];
  await check(t, { x, y, i, f, X, Y }, cases);
});

test.serial('0-d and size-1 inputs', async (t) => {
  const inputs: Record<string, dn.NdArray> = {
    s64: dn.array(3.5),
    s32: dn.array(-2.25, { dtype: 'float32' }),
    si: dn.array(7),
    su: dn.array(200, { dtype: 'uint8' }),
    sb: dn.array(true),
    o1: dn.array([4.5]),
    o11: dn.array([[-6]]),
    ob: dn.array([[false]]),
    r15: arr('float64', [1, 5], 21),
    c51: arr('int32', [5, 1], 22),
  };
  const cases: Case[] = [];
  for (const [name, a] of Object.entries(inputs)) {
    const axes = a.ndim === 0 ? [undefined, 0, -1] : [undefined, ...Array.from({ length: a.ndim }, (_, k) => k), -1];
    for (const op of OPS) {
      for (const axis of axes) {
        if (a.ndim === 0 && op === 'mean' && axis !== undefined) continue; // its own test below
        cases.push({ label: `${name}.${op}(${axis ?? ''})`, actual: () => a[op](axis), expr: `${name}.${op}(${axisArg(axis)})`, opts: tolerance(op, a.dtype) });
      }
    }
  }
  t.deepEqual(inputs.s64.sum().shape, [], '0-d sum is 0-d');
  t.deepEqual(inputs.s64.sum(0).shape, [], '0-d sum(axis=0) is 0-d');
  await check(t, inputs, cases);
});

test.serial('0-d mean with an axis raises as NumPy does (AxisError -> RangeError), unlike 0-d sum', async (t) => {
  const s = dn.array(3.5);
  const cases: Case[] = [
    { label: 's.mean(0)', actual: () => s.mean(0), expr: 's.mean(axis=0)' },
    { label: 's.mean(-1)', actual: () => s.mean(-1), expr: 's.mean(axis=-1)' },
    { label: 's.sum(0)', actual: () => s.sum(0), expr: 's.sum(axis=0)' },
  ];
  await check(t, { s }, cases);
});

test.serial('size-0 inputs: sum/prod/mean/all/any have identities, min/max/argmin/argmax of nothing throw ShapeError', async (t) => {
  const inputs: Record<string, dn.NdArray> = {
    e: dn.zeros([0]),
    e30: dn.zeros([3, 0]),
    e04: dn.zeros([0, 4], { dtype: 'int32' }),
    eb: dn.zeros([2, 0, 3], { dtype: 'bool' }),
    ef: dn.zeros([0], { dtype: 'float32' }),
  };
  const cases: Case[] = [];
  for (const [name, a] of Object.entries(inputs)) {
    const axes = [undefined, ...Array.from({ length: a.ndim }, (_, k) => k), -1];
    for (const op of OPS) {
      for (const axis of axes) {
        // Along a zero-length axis: its own test below.
        const emptyAxis = axis !== undefined && a.shape.at(axis) === 0;
        if (emptyAxis && ['min', 'max', 'argmin', 'argmax'].includes(op)) continue;
        // Where NumPy raises (min of nothing ...), check() demands a synchronous ShapeError.
        cases.push({ label: `${name}.${op}(${axis ?? ''})`, actual: () => a[op](axis), expr: `${name}.${op}(${axisArg(axis)})`, opts: tolerance(op, a.dtype) });
      }
    }
  }
  await check(t, inputs, cases);
  const e = inputs.e;
  t.regex(t.throws(() => e.min(), { instanceOf: dn.ShapeError })?.message ?? '', /zero-size array.*minimum.*no identity/);
  t.regex(t.throws(() => e.argmax(), { instanceOf: dn.ShapeError })?.message ?? '', /argmax.*empty/);
  t.true(t.throws(() => e.max()) instanceof Error, 'ShapeError is an Error');
  // Nothing was recorded by the failed calls: the runtime still works.
  t.is(await dn.ones([3]).sum().item(), 3);
  t.is(await e.sum().item(), 0, 'sum of empty is 0');
  t.is(await e.prod().item(), 1, 'prod of empty is 1');
});

test.serial('min/max/argmin/argmax along a zero-length axis throw ShapeError, even when the result is empty too', async (t) => {
  const inputs: Record<string, dn.NdArray> = {
    e: dn.zeros([0]), // axis 0: a 0-d result with nothing to reduce
    ei: dn.zeros([0], { dtype: 'int32' }),
    e30: dn.zeros([3, 0]), // axis 1: three results, each of nothing
    e04: dn.zeros([0, 4], { dtype: 'uint8' }), // axis 0: four results
    // NumPy raises whenever the reduced length is 0, also when the result has no elements.
    e00: dn.zeros([0, 0]),
    e200: dn.zeros([2, 0, 0], { dtype: 'int32' }),
    e020: dn.zeros([0, 2, 0], { dtype: 'bool' }),
  };
  const cases: Case[] = [];
  for (const [name, a] of Object.entries(inputs)) {
    for (const op of ['min', 'max', 'argmin', 'argmax'] as Op[]) {
      for (let axis = -a.ndim; axis < a.ndim; axis++) {
        if (a.shape.at(axis) !== 0) continue;
        cases.push({ label: `${name}.${op}(${axis})`, actual: () => a[op](axis), expr: `${name}.${op}(axis=${axis})` });
      }
    }
  }
  await check(t, inputs, cases);
  // The same arrays reduce where the axis is not empty (an empty result, no error).
  t.deepEqual((await inputs.e020.max(1).toArray()) as unknown, [], 'e020.max(1): shape (0, 0)');
  t.deepEqual(inputs.e020.max(1).shape, [0, 0]);
});

test.serial('integer products wrap modulo 2^64 as NumPy\'s int64/uint64 products do (as float64 here)', async (t) => {
  // NumPy's product of integers is int64 (uint64 for uint8) and wraps; distnumpy returns that
  // integer as a float64. A zero after the product passed float64's range gave NaN (inf * 0).
  const rep = (v: number, n: number) => new Array<number>(n).fill(v);
  const odd = values('int32', 5000, 71).map((v, k) => (k % 7 === 0 ? v * 40000 + 1 : k % 2 ? 1 : -1) | 1);
  const inputs: Record<string, dn.NdArray> = {
    u255z: dn.array([...rep(255, 130), 0], { dtype: 'uint8' }),
    u2: dn.array(rep(2, 64), { dtype: 'uint8' }),
    u3: dn.array(rep(3, 41), { dtype: 'uint8' }),
    u255: dn.array(rep(255, 8), { dtype: 'uint8' }),
    i2: dn.array(rep(2, 63), { dtype: 'int32' }),
    im3: dn.array(rep(-3, 41), { dtype: 'int32' }),
    ibig: dn.array([2147483647, 2147483647, -2147483648, 65537, 3], { dtype: 'int32' }),
    izero: dn.array([...rep(2147483647, 40), 0, 5], { dtype: 'int32' }),
    b: dn.array([...new Array<boolean>(999).fill(true), false]),
    bt: dn.array(new Array<boolean>(999).fill(true)),
    odd: dn.array(odd, { dtype: 'int32' }),
    m: dn.array(odd.slice(0, 50 * 97), { dtype: 'int32', shape: [50, 97] }),
    mu: dn.array(values('uint8', 40 * 33, 72).map((v) => v | 1), { dtype: 'uint8', shape: [40, 33] }),
  };
  const cases: Case[] = [];
  for (const [name, a] of Object.entries(inputs)) {
    const axes = a.ndim === 2 ? [undefined, 0, 1] : [undefined];
    for (const axis of axes) {
      cases.push({ label: `${name}.prod(${axis ?? ''})`, actual: () => a.prod(axis), expr: `${name}.prod(${axisArg(axis)})`, opts: tolerance('prod', a.dtype) });
    }
  }
  cases.push({ label: 'odd[::-3].prod()', actual: () => inputs.odd.slice('::-3').prod(), expr: 'odd[::-3].prod()', opts: tolerance('prod', 'int32') });
  cases.push({ label: 'm.T[::2].prod(1)', actual: () => inputs.m.T.slice('::2').prod(1), expr: 'm.T[::2].prod(axis=1)', opts: tolerance('prod', 'int32') });
  cases.push({ label: '(m * 3).prod(0)', actual: () => inputs.m.mul(3).prod(0), expr: '(m * 3).prod(axis=0)', opts: tolerance('prod', 'int32') });
  await check(t, inputs, cases);
  t.is(await inputs.u255z.prod().item(), 0, 'a zero after the product passed 2^1024 gives 0, not NaN');
});

test.serial('NaN propagates through min/max and wins argmin/argmax at its first position', async (t) => {
  const N = NaN;
  const inputs: Record<string, dn.NdArray> = {
    n1: dn.array([1, N, 3, N, 0]),
    nfirst: dn.array([N, -Infinity, Infinity, 2]),
    nlast: dn.array([-Infinity, 5, Infinity, N]),
    n2: dn.array([[1, 2, N, 4], [5, 6, 7, 8], [9, N, 11, N]]),
    n2f: dn.array([[1, 2, N, 4], [5, 6, 7, 8], [9, N, 11, N]], { dtype: 'float32' }),
    inf: dn.array([Infinity, -Infinity, 0, -Infinity, Infinity]),
  };
  // Big arrays: NaNs (and an -inf before them) land in different thread pieces.
  const bigv = values('float64', 100003, 31);
  bigv[10] = -Infinity;
  bigv[70001] = N;
  bigv[95000] = N;
  inputs.big = dn.array(bigv);
  const bigf = values('float32', 100003, 32);
  bigf[99999] = N;
  inputs.bigf = dn.array(bigf, { dtype: 'float32' });
  const cases: Case[] = [];
  for (const [name, a] of Object.entries(inputs)) {
    for (const op of ['min', 'max', 'argmin', 'argmax', 'sum', 'any', 'all'] as Op[]) {
      const axes = a.ndim === 2 ? [undefined, 0, 1] : [undefined];
      for (const axis of axes) {
        cases.push({ label: `${name}.${op}(${axis ?? ''})`, actual: () => a[op](axis), expr: `${name}.${op}(${axisArg(axis)})`, opts: tolerance(op, a.dtype, true) });
      }
    }
  }
  await check(t, inputs, cases);
  t.is(await inputs.n1.argmin().item(), 1, 'first NaN wins argmin');
  t.is(await inputs.big.argmax().item(), 70001, 'first NaN wins argmax across thread pieces');
  t.true(Number.isNaN(await inputs.big.min().item()), 'NaN beats -inf in min');
});

test.serial('arrays split over threads: sums exact for integers, ties resolved to the first index', async (t) => {
  const n = 100003;
  const inputs: Record<string, dn.NdArray> = {
    f64: arr('float64', [n], 41),
    f32: arr('float32', [n], 42, 'positive'),
    i32: dn.array(values('int32', n, 43).map((v) => v * 1000), { dtype: 'int32' }), // sums beyond int32
    u8: arr('uint8', [n], 44), // sums beyond uint8
    b: arr('bool', [n], 45),
    m2: arr('float64', [317, 331], 46),
    m2i: arr('int32', [331, 317], 47),
  };
  // Ties in different pieces: argmin/argmax must give the first occurrence.
  const ties = new Array<number>(n).fill(5);
  for (const k of [60000, 30000, 90000]) ties[k] = 0;
  for (const k of [99999, 50001, 75000]) ties[k] = 9;
  inputs.ties = dn.array(ties, { dtype: 'int32' });
  const allTrue = new Array<boolean>(n).fill(true);
  allTrue[88888] = false;
  inputs.bt = dn.array(allTrue);
  const anyFalse = new Array<boolean>(n).fill(false);
  anyFalse[77777] = true;
  inputs.bf = dn.array(anyFalse);
  // Integer products that do not end at 0: odd factors, most of them +-1, a wide one now and then.
  inputs.podd = dn.array(values('int32', n, 48).map((v, k) => (k % 1000 === 0 ? v * 20000 + 1 : v < 0 ? -1 : 1) | 1), { dtype: 'int32' });
  inputs.poddu = dn.array(values('uint8', n, 49).map((v, k) => (k % 500 === 0 ? v | 1 : 1)), { dtype: 'uint8' });
  inputs.poddm = dn.array(values('int32', 331 * 317, 50).map((v) => v | 1), { dtype: 'int32', shape: [331, 317] });
  const cases: Case[] = [];
  for (const [name, a] of Object.entries(inputs)) {
    const axes = a.ndim === 2 ? [undefined, 0, 1, -1] : [undefined];
    for (const op of OPS) {
      // Float products of 10^5 values overflow; integer ones wrap modulo 2^64, exactly as NumPy's.
      if (op === 'prod' && (a.dtype === 'float64' || a.dtype === 'float32')) continue;
      for (const axis of axes) {
        cases.push({ label: `${name}.${op}(${axis ?? ''})`, actual: () => a[op](axis), expr: `${name}.${op}(${axisArg(axis)})`, opts: tolerance(op, a.dtype, true) });
      }
    }
  }
  await check(t, inputs, cases);
  t.is(await inputs.ties.argmin().item(), 30000, 'argmin: first of the tied minima');
  t.is(await inputs.ties.argmax().item(), 50001, 'argmax: first of the tied maxima');
  t.is(await inputs.bt.all().item(), false);
  t.is(await inputs.bf.any().item(), true);
});

test.serial('reductions as functions (dn.sum(x, axis) ...) equal the methods', async (t) => {
  const x = arr('float64', [5, 6], 51);
  const cases: Case[] = [
    { label: 'dn.sum(x)', actual: () => dn.sum(x), expr: 'np.sum(x)', opts: tolerance('sum', 'float64') },
    { label: 'dn.sum(x, 1)', actual: () => dn.sum(x, 1), expr: 'np.sum(x, axis=1)', opts: tolerance('sum', 'float64') },
    { label: 'dn.mean(x, 0)', actual: () => dn.mean(x, 0), expr: 'np.mean(x, axis=0)', opts: tolerance('mean', 'float64') },
    { label: 'dn.amax(x)', actual: () => dn.amax(x), expr: 'np.amax(x)' },
    { label: 'dn.amin(x, -1)', actual: () => dn.amin(x, -1), expr: 'np.amin(x, axis=-1)' },
    { label: 'dn.argmin(x, 0)', actual: () => dn.argmin(x, 0), expr: 'np.argmin(x, axis=0)' },
    { label: 'dn.argmax(x)', actual: () => dn.argmax(x), expr: 'np.argmax(x)' },
    { label: 'dn.prod(x, 1)', actual: () => dn.prod(x, 1), expr: 'np.prod(x, axis=1)', opts: tolerance('prod', 'float64') },
    { label: 'dn.all(x)', actual: () => dn.all(x), expr: 'np.all(x)' },
    { label: 'dn.any(x.gt(9), 0)', actual: () => dn.any(x.gt(9), 0), expr: 'np.any(x > 9, axis=0)' },
  ];
  await check(t, { x }, cases);
});

test.serial('bad axes throw synchronously: RangeError out of bounds, TypeError for non-integers', (t) => {
  const x = dn.zeros([2, 3]);
  for (const op of OPS) {
    const e = t.throws(() => x[op](2), { instanceOf: RangeError }, `${op}(2)`);
    t.regex(e?.message ?? '', /axis 2 is out of bounds for array of dimension 2/);
    t.throws(() => x[op](-3), { instanceOf: RangeError }, `${op}(-3)`);
    t.throws(() => x[op](1.5), { instanceOf: TypeError }, `${op}(1.5)`);
  }
  t.throws(() => dn.array(1).sum(1), { instanceOf: RangeError }, '0-d sum(1)');
});
