// Array creation against NumPy: zeros ones empty full arange linspace eye array, copy and astype
// between every pair of dtypes (with values whose conversion NumPy defines).
import test, { type ExecutionContext } from 'ava';
import { isDeepStrictEqual } from 'node:util';
import * as dn from '../../lib/index.js';
import { type CompareOptions, type NpResult, assertMatches, numpy } from '../helpers/numpy.js';
import { collecting } from '../helpers/cases.js';

type DT = 'float64' | 'float32' | 'int32' | 'uint8' | 'bool';
const DTYPES: DT[] = ['float64', 'float32', 'int32', 'uint8', 'bool'];

// ---- a batch of cases, one NumPy call --------------------------------------------------------
interface Case {
  label: string;
  actual: () => dn.NdArray;
  np: string;
  opts?: CompareOptions;
}

/** Build every case, evaluate every NumPy expression in one call, report every failed check. */
async function runCases(t: ExecutionContext, inputs: Record<string, dn.NdArray>, cases: Case[]): Promise<void> {
  const built = cases.map((c) => {
    try {
      return { v: c.actual() } as const;
    } catch (e) {
      return { e } as const;
    }
  });
  const expected = await numpy(inputs, Object.fromEntries(cases.map((c, i) => [`c${i}`, c.np])));
  const failures: string[] = [];
  const ctx = collecting(failures);
  for (let i = 0; i < cases.length; i++) {
    const b = built[i];
    const exp: NpResult | undefined = expected[`c${i}`];
    if ('e' in b) {
      ctx.fail(`${cases[i].label}: threw ${String(b.e)} (NumPy: ${exp && 'error' in exp ? `${exp.error}: ${exp.message}` : 'a result'})`);
      continue;
    }
    await assertMatches(ctx, b.v, exp, cases[i].label, cases[i].opts);
  }
  // ava reports only the first failed assertion of a test: report every failed case at once.
  if (failures.length > 0) t.fail(`${failures.length} failed checks in ${cases.length} cases:\n${failures.join('\n')}`);
  else t.pass();
}

/** A Python shape literal. */
function pyShape(s: number | number[]): string {
  if (typeof s === 'number') return String(s);
  return s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`;
}

function py(v: number | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Number.isNaN(v)) return "float('nan')";
  if (v === Infinity) return "float('inf')";
  if (v === -Infinity) return "float('-inf')";
  return String(v);
}

const SHAPES: (number | number[])[] = [[], [0], 5, [2, 3], [2, 0, 3], [1, 1, 1], [7, 13]];

// ---- zeros, ones, full, empty -------------------------------------------------------------------
test('zeros, ones and full match NumPy for every dtype and shape form', async (t) => {
  const cases: Case[] = [];
  for (const s of SHAPES) {
    const ps = pyShape(s);
    cases.push({ label: `zeros ${ps}`, actual: () => dn.zeros(s), np: `np.zeros(${ps})` });
    cases.push({ label: `ones ${ps}`, actual: () => dn.ones(s), np: `np.ones(${ps})` });
    for (const dt of DTYPES) {
      cases.push({ label: `zeros ${ps} ${dt}`, actual: () => dn.zeros(s, { dtype: dt }), np: `np.zeros(${ps}, dtype='${dt}')` });
      cases.push({ label: `ones ${ps} ${dt}`, actual: () => dn.ones(s, { dtype: dt }), np: `np.ones(${ps}, dtype='${dt}')` });
    }
    // full: the dtype follows the fill value (Python int -> int64 -> int32 here) unless given.
    const fills: [number | boolean, DT | undefined][] = [
      [2.5, undefined],
      [3, undefined],
      [-7, undefined],
      [true, undefined],
      [NaN, undefined],
      [-Infinity, undefined],
      [-1.5, 'float32'],
      [0.1, 'float32'],
      [7, 'uint8'],
      [255, 'uint8'],
      [-2, 'int32'],
      [2.75, 'int32'],
      [3, 'bool'],
      [0, 'bool'],
      [false, 'float64'],
      [5, 'float64'],
    ];
    for (const [v, dt] of fills) {
      cases.push({
        label: `full ${ps} ${String(v)} ${dt ?? ''}`,
        actual: () => (dt ? dn.full(s, v, { dtype: dt }) : dn.full(s, v)),
        np: dt ? `np.full(${ps}, ${py(v)}, dtype='${dt}')` : `np.full(${ps}, ${py(v)})`,
      });
    }
  }
  await runCases(t, {}, cases);
});

test('empty has the requested shape, dtype, ndim and size', async (t) => {
  for (const s of SHAPES) {
    for (const dt of [undefined, ...DTYPES]) {
      const x = dt ? dn.empty(s, { dtype: dt }) : dn.empty(s);
      const shape = typeof s === 'number' ? [s] : s;
      const size = shape.reduce((p, d) => p * d, 1);
      t.deepEqual(x.shape, shape, `empty ${JSON.stringify(s)} ${dt}: shape`);
      t.is(x.dtype, dt ?? 'float64', `empty ${JSON.stringify(s)}: dtype`);
      t.is(x.ndim, shape.length);
      t.is(x.size, size);
      t.is((await x.data()).length, size);
    }
  }
  // An empty array can be written and read like any other.
  const e = dn.empty([2, 3], { dtype: 'int32' });
  e.assign(4);
  t.deepEqual(await e.toArray(), [
    [4, 4, 4],
    [4, 4, 4],
  ]);
});

// ---- arange --------------------------------------------------------------------------------------
test('arange with 1 to 3 arguments, negative and fractional steps and dtypes matches NumPy', async (t) => {
  type A = [number, number?, number?, DT?];
  const args: A[] = [
    [5],
    [0],
    [-3],
    [2, 7],
    [-3, 3],
    [7, 2],
    [0, 10, 3],
    [10, 0, -3],
    [10, 0, -1],
    [0, 1, 0.1],
    [0.1, 0.5, 0.1],
    [1, 2, 0.3],
    [2, -1, -0.25],
    [-1.5, 1.5, 0.25],
    [0.5, 5, 1.5],
    [1e9, 1e9 + 5],
    [0, 1, 1e-1 / 3],
    [5, undefined, undefined, 'float64'],
    [5, undefined, undefined, 'float32'],
    [0, 1, 0.1, 'float32'],
    [-1.5, 1.5, 0.25, 'float32'],
    [0, 2, 1 / 3, 'float32'],
    [0.5, 5, 1.5, 'int32'],
    [0, 255, 7, 'uint8'],
    [10, 0, -2, 'uint8'],
    [3, 30, 4, 'float64'],
    [-2.5, 2.5, 0.5, 'int32'],
  ];
  const cases: Case[] = args.map(([a, b, c, dt]) => {
    const nums = [a, b, c].filter((v): v is number => v !== undefined);
    const label = `arange(${nums.join(', ')}${dt ? `, ${dt}` : ''})`;
    const call = (): dn.NdArray => {
      const o = dt ? { dtype: dt } : undefined;
      if (nums.length === 1) return o ? dn.arange(nums[0], o) : dn.arange(nums[0]);
      if (nums.length === 2) return o ? dn.arange(nums[0], nums[1], o) : dn.arange(nums[0], nums[1]);
      return o ? dn.arange(nums[0], nums[1], nums[2], o) : dn.arange(nums[0], nums[1], nums[2]);
    };
    return { label, actual: call, np: `np.arange(${nums.map(py).join(', ')}${dt ? `, dtype='${dt}'` : ''})` };
  });
  // arange is lazy: it must also be right when consumed by views and fused operations.
  cases.push(
    { label: 'arange(12).reshape(3,4) * 2.5', actual: () => dn.arange(12).reshape([3, 4]).mul(2.5), np: 'np.arange(12).reshape(3, 4) * 2.5' },
    { label: 'arange(10) + arange(10, 0, -1)', actual: () => dn.arange(10).add(dn.arange(10, 0, -1)), np: 'np.arange(10) + np.arange(10, 0, -1)' },
    { label: 'arange(10)[::-2]', actual: () => dn.arange(10).slice('::-2'), np: 'np.arange(10)[::-2]' },
    { label: 'arange(0,1,0.1,f32) * arange(0,1,0.1,f32)', actual: () => dn.arange(0, 1, 0.1, { dtype: 'float32' }).mul(dn.arange(0, 1, 0.1, { dtype: 'float32' })), np: "np.arange(0, 1, 0.1, dtype='float32') ** 2" },
    { label: 'arange(6)[:, None] + arange(4)', actual: () => dn.arange(6).reshape([6, 1]).add(dn.arange(4)), np: 'np.arange(6)[:, None] + np.arange(4)' },
    { label: 'arange(5).sum()', actual: () => dn.arange(5).sum(), np: 'np.arange(5).sum()', opts: { dtypeContext: 'sum' } },
  );
  await runCases(t, {}, cases);
});

// ---- linspace ------------------------------------------------------------------------------------
test('linspace matches NumPy (including num 0 and 1, reversed, endpoint false)', async (t) => {
  const args: [number, number, number | undefined, { endpoint?: boolean; dtype?: DT }?][] = [
    [0, 1, 5],
    [0, 1, 50],
    [0, 1, undefined],
    [-3.5, 7, 11],
    [1, 0, 4],
    [2, 5, 2],
    [2, 5, 1],
    [2, 2, 1],
    [2, 5, 0],
    [5, 5, 3],
    [0, 1, 7, { endpoint: false }],
    [0, 1, 1, { endpoint: false }],
    [-1e-300, 1e-300, 5],
    [0, 1e300, 4],
    [0, 10, 5, { dtype: 'float32' }],
    [0, 1, 10, { dtype: 'float32' }],
    // Integer dtypes: NumPy 2 floors before casting (linspace(-1, 1, 5, dtype=int) is [-1 -1 0 0 1]).
    [-1, 1, 5, { dtype: 'int32' }],
    [0, 10, 4, { dtype: 'int32' }],
  ];
  const cases: Case[] = args.map(([a, b, n, o]) => {
    const extra = o ? `${o.endpoint === false ? ', endpoint=False' : ''}${o.dtype ? `, dtype='${o.dtype}'` : ''}` : '';
    return {
      label: `linspace(${a}, ${b}, ${n}${extra})`,
      actual: () => (o ? dn.linspace(a, b, n, o) : n === undefined ? dn.linspace(a, b) : dn.linspace(a, b, n)),
      np: `np.linspace(${py(a)}, ${py(b)}${n === undefined ? '' : `, ${n}`}${extra})`,
    };
  });
  await runCases(t, {}, cases);
});

// ---- eye -----------------------------------------------------------------------------------------
test('eye matches NumPy (square, rectangular, offset k, dtype)', async (t) => {
  const cases: Case[] = [
    { label: 'eye(3)', actual: () => dn.eye(3), np: 'np.eye(3)' },
    { label: 'eye(1)', actual: () => dn.eye(1), np: 'np.eye(1)' },
    { label: 'eye(0)', actual: () => dn.eye(0), np: 'np.eye(0)' },
    { label: 'eye(3, 4)', actual: () => dn.eye(3, 4), np: 'np.eye(3, 4)' },
    { label: 'eye(4, 3, k=-2)', actual: () => dn.eye(4, 3, { k: -2 }), np: 'np.eye(4, 3, k=-2)' },
    { label: 'eye(3, 3, k=1, int32)', actual: () => dn.eye(3, 3, { k: 1, dtype: 'int32' }), np: "np.eye(3, 3, k=1, dtype='int32')" },
    { label: 'eye(3, k=5)', actual: () => dn.eye(3, undefined, { k: 5 }), np: 'np.eye(3, k=5)' },
    { label: 'eye(2, 5, k=-1, bool)', actual: () => dn.eye(2, 5, { k: -1, dtype: 'bool' }), np: "np.eye(2, 5, k=-1, dtype='bool')" },
    { label: 'eye(5, 2, k=1, float32)', actual: () => dn.eye(5, 2, { k: 1, dtype: 'float32' }), np: "np.eye(5, 2, k=1, dtype='float32')" },
    { label: 'eye(7) * 3 + 1', actual: () => dn.eye(7).mul(3).add(1), np: 'np.eye(7) * 3 + 1' },
  ];
  await runCases(t, {}, cases);
});

// ---- array ---------------------------------------------------------------------------------------
test('array from nested arrays, typed arrays and scalars, with dtype and shape options, matches NumPy', async (t) => {
  const cases: Case[] = [
    { label: 'nested ints', actual: () => dn.array([[1, 2, 3], [4, 5, 6]]), np: 'np.array([[1, 2, 3], [4, 5, 6]])' },
    { label: 'nested floats', actual: () => dn.array([[1.5, 2], [3, -4.25]]), np: 'np.array([[1.5, 2], [3, -4.25]])' },
    { label: 'bools infer bool', actual: () => dn.array([true, false, true]), np: 'np.array([True, False, True])' },
    { label: 'bool and int infer int', actual: () => dn.array([true, 2, false]), np: 'np.array([True, 2, False])' },
    { label: 'bool and float infer float', actual: () => dn.array([true, 2.5]), np: 'np.array([True, 2.5])' },
    { label: 'empty list', actual: () => dn.array([]), np: 'np.array([])' },
    { label: '[[]]', actual: () => dn.array([[]]), np: 'np.array([[]])' },
    { label: 'scalar int (0-d)', actual: () => dn.array(5), np: 'np.array(5)' },
    { label: 'scalar float (0-d)', actual: () => dn.array(-2.5), np: 'np.array(-2.5)' },
    { label: 'scalar bool (0-d)', actual: () => dn.array(true), np: 'np.array(True)' },
    { label: '3-D', actual: () => dn.array([[[1], [2]], [[3], [4]], [[5], [6]]]), np: 'np.array([[[1], [2]], [[3], [4]], [[5], [6]]])' },
    { label: 'NaN and inf', actual: () => dn.array([1, NaN, Infinity, -Infinity]), np: "np.array([1, float('nan'), float('inf'), float('-inf')])" },
    { label: 'dtype float32', actual: () => dn.array([[0.1, 0.2], [1e-40, 3e38]], { dtype: 'float32' }), np: "np.array([[0.1, 0.2], [1e-40, 3e38]], dtype='float32')" },
    { label: 'dtype int32 from ints', actual: () => dn.array([-5, 0, 2147483647], { dtype: 'int32' }), np: "np.array([-5, 0, 2147483647], dtype='int32')" },
    { label: 'dtype uint8', actual: () => dn.array([0, 17, 255], { dtype: 'uint8' }), np: "np.array([0, 17, 255], dtype='uint8')" },
    { label: 'dtype bool from numbers', actual: () => dn.array([0, 2, -1, 0.5, NaN], { dtype: 'bool' }), np: "np.array([0, 2, -1, 0.5, float('nan')], dtype='bool')" },
    { label: 'dtype float64 from bools', actual: () => dn.array([true, false], { dtype: 'float64' }), np: "np.array([True, False], dtype='float64')" },
    { label: 'dtype int32 from floats (truncates)', actual: () => dn.array([1.9, -1.9, 0.5], { dtype: 'int32' }), np: "np.array([1.9, -1.9, 0.5]).astype('int32')" },
    { label: 'Float64Array', actual: () => dn.array(new Float64Array([1.5, -0.25, 3])), np: "np.array([1.5, -0.25, 3], dtype='float64')" },
    { label: 'Float32Array', actual: () => dn.array(new Float32Array([0.1, 2, -3])), np: "np.array([0.1, 2, -3], dtype='float32')" },
    { label: 'Int32Array', actual: () => dn.array(new Int32Array([-7, 0, 9])), np: "np.array([-7, 0, 9], dtype='int32')" },
    { label: 'Uint8Array', actual: () => dn.array(new Uint8Array([0, 128, 255])), np: "np.array([0, 128, 255], dtype='uint8')" },
    { label: 'Int16Array (int16 -> int32)', actual: () => dn.array(new Int16Array([-300, 5])), np: "np.array([-300, 5], dtype='int32')" },
    { label: 'typed array with shape', actual: () => dn.array(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }), np: 'np.array([1., 2, 3, 4, 5, 6]).reshape(2, 3)' },
    { label: 'typed array with shape and dtype', actual: () => dn.array(new Int32Array([1, 2, 3, 4]), { shape: [2, 2], dtype: 'float32' }), np: "np.array([1, 2, 3, 4], dtype='float32').reshape(2, 2)" },
    { label: 'nested with shape', actual: () => dn.array([1, 2, 3, 4, 5, 6], { shape: [3, 2] }), np: 'np.array([1, 2, 3, 4, 5, 6]).reshape(3, 2)' },
    { label: 'nested with shape []', actual: () => dn.array([7.5], { shape: [] }), np: 'np.array([7.5]).reshape(())' },
    { label: 'from an NdArray (a copy)', actual: () => dn.array(dn.arange(4)), np: 'np.array(np.arange(4))' },
    { label: 'from an NdArray with dtype', actual: () => dn.array(dn.arange(4), { dtype: 'float32' }), np: "np.array(np.arange(4), dtype='float32')" },
  ];
  await runCases(t, {}, cases);
  // The typed array's memory is copied: changing it later does not change the array.
  const src = new Float64Array([1, 2, 3]);
  const x = dn.array(src);
  src[0] = 100;
  t.deepEqual(Array.from(await x.data()), [1, 2, 3]);
  const nested = [1, 2, 3];
  const y = dn.array(nested);
  nested[1] = 50;
  t.deepEqual(await y.toArray(), [1, 2, 3]);
});

// ---- copy ----------------------------------------------------------------------------------------
test('copy and dn.copy give independent C-ordered arrays with the values NumPy gives', async (t) => {
  const vals = Array.from({ length: 24 }, (_, i) => i * 1.5 - 7);
  const x = dn.array(vals, { shape: [4, 6] });
  const x0 = dn.array(vals, { shape: [4, 6] });
  const c1 = x.slice('::-1, 1::2').copy();
  const c2 = dn.copy(x.T);
  const c3 = x.add(1).copy();
  const c4 = x.slice('2, 3').copy();
  const typed = DTYPES.map((dt) => dn.array([0, 1, 2, 3], { dtype: dt }).copy());
  // Writes to the base after the copy must not reach the copies.
  x.set(':', 0);
  // The copy is C-contiguous: its reshape is a view, so a write through it changes the copy.
  const r = c1.reshape([-1]);
  r.set('0', 42);
  // Writing into a copy does not change the base.
  c2.set('0, 0', -99);
  const exp = await numpy(
    { x0 },
    {
      c1: '(lambda c: [c.reshape(-1).__setitem__(0, 42), c][1])(x0[::-1, 1::2].copy())',
      c2: '(lambda c: [c.__setitem__((0, 0), -99), c][1])(x0.T.copy())',
      c3: 'x0 + 1',
      c4: 'x0[2, 3].copy()',
      x: 'np.zeros_like(x0)',
    },
  );
  const failures: string[] = [];
  const ctx = collecting(failures);
  await assertMatches(ctx, c1, exp.c1, 'copy of a strided view (written through its reshape)');
  await assertMatches(ctx, c2, exp.c2, 'dn.copy of a transpose');
  await assertMatches(ctx, c3, exp.c3, 'copy of a lazy expression');
  await assertMatches(ctx, c4, exp.c4, 'copy of a 0-d view');
  await assertMatches(ctx, x, exp.x, 'the base after its copies were written');
  for (const [i, dt] of DTYPES.entries()) {
    if (typed[i].dtype !== dt) ctx.fail(`copy keeps dtype ${dt}: got ${typed[i].dtype}`);
    const want = dt === 'bool' ? [0, 1, 1, 1] : [0, 1, 2, 3];
    if (!isDeepStrictEqual(Array.from(await typed[i].data()), want)) ctx.fail(`copy ${dt}: values`);
  }
  if (failures.length > 0) t.fail(failures.join('\n'));
  else t.pass();
});

// ---- astype --------------------------------------------------------------------------------------
test('astype between every pair of dtypes matches NumPy (values with defined conversions)', async (t) => {
  // Values every dtype can take exactly or that every target converts in a defined way.
  const nonNeg = [0, 1, 2.75, 3.5, 100.25, 254.9, 7, 0.1, 1e-3, 128.5];
  const signed = [-3.5, -0, -100.75, -1e-3, -1, 2147483.5, -2147483.5, 1e6 + 0.5];
  const special = [NaN, Infinity, -Infinity, 1e-40, 1e39, -1e39, 1 / 3, 16777217];
  const ints = [0, 1, 7, 255, 100, 2147483647, -2147483648, -1, 300, 256, -129, 16777217, 16777219];
  const srcValues = (src: DT, dst: DT): (number | boolean)[] => {
    if (src === 'bool') return [true, false, true, false];
    if (src === 'uint8') return [0, 1, 7, 128, 200, 255];
    // int32 -> uint8 wraps modulo 256 (defined); int32 -> float32 rounds 2**24 + 1.
    if (src === 'int32') return ints;
    // Floats: negative values and NaN/inf only where NumPy's conversion is defined.
    if (dst === 'uint8') return nonNeg;
    if (dst === 'int32') return [...nonNeg, ...signed];
    return [...nonNeg, ...signed, ...special];
  };
  const inputs: Record<string, dn.NdArray> = {};
  const cases: Case[] = [];
  for (const src of DTYPES) {
    for (const dst of DTYPES) {
      const name = `${src}_to_${dst}`;
      inputs[name] = dn.array(srcValues(src, dst), { dtype: src });
      cases.push({ label: `astype ${src} -> ${dst}`, actual: () => inputs[name].astype(dst), np: `${name}.astype('${dst}')` });
      cases.push({ label: `dn.astype ${src} -> ${dst} (reversed view)`, actual: () => dn.astype(inputs[name].slice('::-1'), dst), np: `${name}[::-1].astype('${dst}')` });
    }
  }
  // 2-D and transposed sources.
  inputs.m = dn.array(Array.from({ length: 12 }, (_, i) => i * 0.75 - 4), { shape: [3, 4] });
  cases.push(
    { label: 'astype of a transpose', actual: () => inputs.m.T.astype('int32'), np: "m.T.astype('int32')" },
    { label: 'astype of a lazy expression', actual: () => inputs.m.mul(3).astype('float32'), np: "(m * 3).astype('float32')" },
    { label: 'astype chained', actual: () => inputs.m.astype('int32').astype('bool').astype('uint8'), np: "m.astype('int32').astype('bool').astype('uint8')" },
  );
  await runCases(t, inputs, cases);
  // astype always copies, even to the same dtype: later writes to the source do not show.
  const a = dn.array([1.5, 2.5]);
  const same = a.astype('float64');
  const other = a.astype('int32');
  a.set(':', 0);
  t.deepEqual(Array.from(await same.data()), [1.5, 2.5]);
  t.deepEqual(Array.from(await other.data()), [1, 2]);
});
