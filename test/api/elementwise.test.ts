// Element-wise operations against NumPy: every binary and unary op over every dtype and dtype pair,
// weak Python scalars (NEP 50), broadcasting, strided views, fused chains, `out`, where and clip.
// Inputs that feed views are passed to NumPy as their base and indexed there, so the view
// arithmetic is checked too.
import test, { type ExecutionContext } from 'ava';
import { isDeepStrictEqual } from 'node:util';
import * as dn from '../../lib/index.js';
import { type CompareOptions, type NpResult, assertMatches, numpy, pyScalar } from '../helpers/numpy.js';
import { lcg } from '../helpers/cases.js';

type DT = 'float64' | 'float32' | 'int32' | 'uint8' | 'bool';
const DTYPES: DT[] = ['float64', 'float32', 'int32', 'uint8', 'bool'];
const BINARY = [
  'add', 'sub', 'mul', 'div', 'pow', 'mod', 'maximum', 'minimum', 'arctan2',
  'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr',
] as const;
const UNARY = ['neg', 'abs', 'sqrt', 'square', 'exp', 'log', 'sin', 'cos', 'tan', 'floor', 'ceil', 'logicalNot'] as const;
type BinOp = (typeof BINARY)[number];
type UnOp = (typeof UNARY)[number];

const NP_NAME: Record<BinOp | UnOp, string> = {
  add: 'add', sub: 'subtract', mul: 'multiply', div: 'true_divide', pow: 'power', mod: 'remainder',
  maximum: 'maximum', minimum: 'minimum', arctan2: 'arctan2', lt: 'less', le: 'less_equal', gt: 'greater',
  ge: 'greater_equal', eq: 'equal', ne: 'not_equal', logicalAnd: 'logical_and', logicalOr: 'logical_or',
  neg: 'negative', abs: 'absolute', sqrt: 'sqrt', square: 'square', exp: 'exp', log: 'log', sin: 'sin',
  cos: 'cos', tan: 'tan', floor: 'floor', ceil: 'ceil', logicalNot: 'logical_not',
};
/** Functions whose results are not exactly rounded in either library: compared within ULPS. */
const TRANSCENDENTAL = new Set<string>(['exp', 'log', 'sin', 'cos', 'tan', 'arctan2', 'pow']);
const ULPS = 4;
/** NumPy computes these in float16 for bool/uint8 inputs; distnumpy documents float32 instead. */
const FLOAT_FUNCS = new Set<string>(['sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'arctan2']);

// ---- deterministic inputs ------------------------------------------------------------------
const FLOAT_SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 0.5, -2.5, 1, -1, 3, 2.5, -0.5];

function values(dt: DT, n: number, seed: number, kind: 'general' | 'base' | 'exp' = 'general'): (number | boolean)[] {
  const r = lcg(seed);
  const out: (number | boolean)[] = [];
  for (let i = 0; i < n; i++) {
    if (dt === 'bool') out.push(r() < 0.5);
    else if (kind === 'exp') out.push(Math.floor(r() * 5)); // small non-negative integer exponents
    else if (kind === 'base') out.push(dt === 'uint8' ? Math.floor(r() * 7) : Math.floor(r() * 13) - 6);
    else if (dt === 'uint8') out.push(Math.floor(r() * 256));
    else if (dt === 'int32') out.push(Math.floor(r() * 201) - 100);
    else {
      // Specials first (rotated by seed so two inputs pair them differently), then full-mantissa values.
      const k = (i + seed) % (FLOAT_SPECIALS.length * 2);
      out.push(i < FLOAT_SPECIALS.length ? FLOAT_SPECIALS[k % FLOAT_SPECIALS.length] : r() * 20 - 10);
    }
  }
  return out;
}

function make(dt: DT, shape: number[], seed: number, kind: 'general' | 'base' | 'exp' = 'general'): dn.NdArray {
  const n = shape.reduce((p, d) => p * d, 1);
  return dn.array(values(dt, n, seed, kind), { dtype: dt, shape });
}

const py = pyScalar;

// ---- a batch of cases, one NumPy call --------------------------------------------------------
interface Case {
  label: string;
  /** Builds our result; may throw (then `throws` must say so). */
  actual: () => dn.NdArray;
  /** NumPy expression for the expected result. */
  np: string;
  opts?: CompareOptions;
  /** The call must throw this synchronously (and NumPy must raise too). */
  throws?: typeof TypeError;
}

function ulpDistance(a: number, b: number, f32: boolean): number {
  if (Object.is(a, b) || (a !== a && b !== b) || a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  if (f32) {
    const f = new Float32Array([a, b]);
    const i = new Int32Array(f.buffer);
    const x = i[0] < 0 ? -(i[0] & 0x7fffffff) : i[0];
    const y = i[1] < 0 ? -(i[1] & 0x7fffffff) : i[1];
    return Math.abs(x - y);
  }
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const x = i[0] < 0n ? -(i[0] & 0x7fffffffffffffffn) : i[0];
  const y = i[1] < 0n ? -(i[1] & 0x7fffffffffffffffn) : i[1];
  const d = x - y;
  return Number(d < 0n ? -d : d);
}

async function runCases(
  t: ExecutionContext,
  inputs: Record<string, dn.NdArray>,
  cases: Case[],
  worst?: Map<string, number>,
): Promise<void> {
  const built = cases.map((c) => {
    try {
      return { v: c.actual() } as const;
    } catch (e) {
      return { e } as const;
    }
  });
  const expected = await numpy(inputs, Object.fromEntries(cases.map((c, i) => [`c${i}`, c.np])));
  const failures: string[] = [];
  await compareAll(collecting(failures), cases, built, expected, worst);
  if (worst) logWorst(t, worst);
  // ava reports only the first failed assertion of a test: report every failed case at once.
  if (failures.length > 0) t.fail(`${failures.length} failed checks in ${cases.length} cases:\n${failures.join('\n')}`);
  else t.pass();
}

/** A stand-in test context for assertMatches that notes failures instead of failing at once. */
function collecting(failures: string[]): ExecutionContext {
  const ctx = {
    pass: () => true,
    fail: (msg?: string) => (failures.push(msg ?? 'fail'), false),
    true: (v: unknown, msg?: string) => v === true || ctx.fail(msg),
    is: (a: unknown, b: unknown, msg?: string) => Object.is(a, b) || ctx.fail(`${msg}: actual ${String(a)}, expected ${String(b)}`),
    deepEqual: (a: unknown, b: unknown, msg?: string) =>
      isDeepStrictEqual(a, b) || ctx.fail(`${msg}: actual ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`),
  };
  return ctx as unknown as ExecutionContext;
}

async function compareAll(
  t: ExecutionContext,
  cases: Case[],
  built: ({ v: dn.NdArray } | { e: unknown })[],
  expected: Record<string, NpResult>,
  worst?: Map<string, number>,
): Promise<void> {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const b = built[i];
    const exp: NpResult | undefined = expected[`c${i}`];
    if (c.throws) {
      if ('v' in b) t.fail(`${c.label}: expected ${c.throws.name}, got a result`);
      else t.true(b.e instanceof c.throws, `${c.label}: expected ${c.throws.name}, got ${String(b.e)}`);
      t.true(exp !== undefined && 'error' in exp, `${c.label}: NumPy should raise too`);
      continue;
    }
    if ('e' in b) {
      t.fail(`${c.label}: threw ${String(b.e)} (NumPy: ${exp && 'error' in exp ? `${exp.error}: ${exp.message}` : 'a result'})`);
      continue;
    }
    await assertMatches(t, b.v, exp, c.label, c.opts);
    if (worst && c.opts?.ulps && exp && !('error' in exp)) {
      const got = await b.v.data();
      const key = `${c.label.split(' ')[0]} ${b.v.dtype}`;
      let w = worst.get(key) ?? 0;
      for (let k = 0; k < exp.data.length; k++) {
        const u = ulpDistance(Number(got[k]), exp.data[k], b.v.dtype === 'float32');
        if (Number.isFinite(u)) w = Math.max(w, u);
      }
      worst.set(key, w);
    }
  }
}

function logWorst(t: ExecutionContext, worst: Map<string, number>): void {
  const parts = [...worst.entries()].filter(([, w]) => w > 0).map(([k, w]) => `${k}: ${w}`);
  t.log(`worst ulp differences: ${parts.length ? parts.join(', ') : 'none (all exact)'}`);
}

function callBinary(op: BinOp, a: dn.NdArray | number | boolean, b: dn.NdArray | number | boolean): dn.NdArray {
  return (dn[op] as unknown as (x: typeof a, y: typeof b) => dn.NdArray)(a, b);
}
function callUnary(op: UnOp, a: dn.NdArray): dn.NdArray {
  return (dn[op] as unknown as (x: dn.NdArray) => dn.NdArray)(a);
}

/** NumPy's result would be float16: compute in float32 as distnumpy documents. */
function npArg(name: string, dt: DT | 'int', op: string): string {
  return FLOAT_FUNCS.has(op) && (dt === 'bool' || dt === 'uint8') ? `${name}.astype(np.float32)` : name;
}

// ---- binary ops, every dtype pair, array-array ------------------------------------------------
test('binary ops: every op over every dtype pair (array with array) match NumPy', async (t) => {
  const shape = [4, 6];
  const inputs: Record<string, dn.NdArray> = {};
  for (const [i, dt] of DTYPES.entries()) {
    inputs[`a_${dt}`] = make(dt, shape, 11 + i);
    inputs[`b_${dt}`] = make(dt, shape, 23 + i);
    inputs[`pb_${dt}`] = make(dt, shape, 37 + i, 'base');
    inputs[`pe_${dt}`] = make(dt, shape, 41 + i, 'exp');
  }
  const cases: Case[] = [];
  for (const da of DTYPES) {
    for (const db of DTYPES) {
      for (const op of BINARY) {
        // pow uses small bases and non-negative exponents (NumPy refuses negative integer powers).
        const [x, y] = op === 'pow' ? [`pb_${da}`, `pe_${db}`] : [`a_${da}`, `b_${db}`];
        const both16 = FLOAT_FUNCS.has(op) && (da === 'bool' || da === 'uint8') && (db === 'bool' || db === 'uint8');
        const np = both16
          ? `np.${NP_NAME[op]}(${x}.astype(np.float32), ${y}.astype(np.float32))`
          : `np.${NP_NAME[op]}(${x}, ${y})`;
        const c: Case = {
          label: `${op} ${da},${db}`,
          actual: () => callBinary(op, inputs[x], inputs[y]),
          np,
          opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined,
        };
        if (op === 'sub' && da === 'bool' && db === 'bool') c.throws = TypeError;
        cases.push(c);
      }
    }
  }
  const worst = new Map<string, number>();
  await runCases(t, inputs, cases, worst);
});

test('binary ops: methods give the same results as the functions', async (t) => {
  const a = make('float64', [3, 5], 5);
  const b = make('float32', [3, 5], 6);
  const cases: Case[] = BINARY.map((op) => ({
    label: `${op} method`,
    actual: () => (a[op] as (y: dn.NdArray) => dn.NdArray).call(a, b),
    np: `np.${NP_NAME[op]}(a, b)`,
    opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined,
  }));
  await runCases(t, { a, b }, cases);
});

test('pow of special values (1, -1, NaN, +-0, +-inf against NaN, +-inf, +-0 ...) matches C pow as NumPy', async (t) => {
  const bases = [1, -1, NaN, 0, -0, Infinity, -Infinity, 0.5, -0.5, 2, -2];
  const exps = [NaN, Infinity, -Infinity, 0, -0, 0.5, 2, -1, 3, -3, 2.5, 1];
  const xs: number[] = [];
  const ys: number[] = [];
  for (const b of bases) for (const e of exps) xs.push(b), ys.push(e);
  const x = dn.array(xs, { dtype: 'float64' });
  const y = dn.array(ys, { dtype: 'float64' });
  const x32 = x.astype('float32');
  const y32 = y.astype('float32');
  const cases: Case[] = [
    { label: 'pow float64 specials', actual: () => dn.pow(x, y), np: 'np.power(x, y)', opts: { ulps: ULPS } },
    { label: 'pow float32 specials', actual: () => dn.pow(x32, y32), np: 'np.power(x32, y32)', opts: { ulps: ULPS } },
    { label: 'pow 1 ** NaN', actual: () => dn.pow(x.slice('0:1'), NaN), np: "np.power(x[0:1], float('nan'))" },
    { label: 'pow -1 ** inf', actual: () => dn.pow(dn.full([1], -1.5).add(0.5), Infinity), np: "np.power(np.full(1, -1.0), float('inf'))" },
  ];
  for (const e of exps) {
    cases.push({ label: `pow bases ** scalar ${e}`, actual: () => dn.pow(x.slice('::12'), e), np: `np.power(x[::12], ${py(e)})`, opts: { ulps: ULPS } });
  }
  await runCases(t, { x, y, x32, y32 }, cases);
});

// ---- unary ops -------------------------------------------------------------------------------
test('unary ops: every op over every dtype match NumPy', async (t) => {
  const inputs: Record<string, dn.NdArray> = {};
  for (const [i, dt] of DTYPES.entries()) inputs[`a_${dt}`] = make(dt, [5, 7], 101 + i);
  // Larger magnitudes for the transcendental functions' argument reduction.
  inputs.big = dn.array([1e3, -1e4, 12345.678, 1e5 + 0.25, 700, -745, 709.7, 88.5, -103.9, 1e-300, 5e-324, 1e300], {
    dtype: 'float64',
  });
  inputs.big32 = inputs.big.astype('float32');
  const cases: Case[] = [];
  for (const dt of DTYPES) {
    for (const op of UNARY) {
      const c: Case = {
        label: `${op} ${dt}`,
        actual: () => callUnary(op, inputs[`a_${dt}`]),
        np: `np.${NP_NAME[op]}(${npArg(`a_${dt}`, dt, op)})`,
        opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined,
      };
      if (op === 'neg' && dt === 'bool') c.throws = TypeError;
      cases.push(c);
    }
  }
  for (const name of ['big', 'big32']) {
    for (const op of ['exp', 'log', 'sin', 'cos', 'tan', 'sqrt', 'square', 'floor'] as UnOp[]) {
      cases.push({
        label: `${op} ${name}`,
        actual: () => callUnary(op, inputs[name]),
        np: `np.${NP_NAME[op]}(${name})`,
        opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined,
      });
    }
  }
  // Methods too.
  for (const op of UNARY) {
    if (op === 'neg') continue;
    cases.push({
      label: `${op} method float32`,
      actual: () => (inputs.a_float32[op] as () => dn.NdArray).call(inputs.a_float32),
      np: `np.${NP_NAME[op]}(a_float32)`,
      opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined,
    });
  }
  const worst = new Map<string, number>();
  await runCases(t, inputs, cases, worst);
});

test('bool negative and bool subtract throw TypeError as NumPy does; bool with an int scalar promotes', async (t) => {
  const b = dn.array([true, false, true]);
  t.throws(() => dn.neg(b), { instanceOf: TypeError });
  t.throws(() => b.neg(), { instanceOf: TypeError });
  t.throws(() => dn.sub(b, b), { instanceOf: TypeError });
  t.throws(() => b.sub(true), { instanceOf: TypeError });
  t.throws(() => dn.sub(false, b), { instanceOf: TypeError });
  await runCases(t, { b }, [
    { label: 'bool - 1', actual: () => b.sub(1), np: 'b - 1' },
    { label: '1 - bool', actual: () => dn.sub(1, b), np: '1 - b' },
    { label: 'bool - 0.5', actual: () => b.sub(0.5), np: 'b - 0.5' },
    { label: '-(bool + 0)', actual: () => b.add(0).neg(), np: '-(b + 0)' },
    { label: 'bool - bool (after throws)', actual: () => b.astype('int32').sub(b), np: 'b.astype(np.int32) - b' },
  ]);
});

// ---- weak Python scalars (NEP 50) -----------------------------------------------------------
test('binary ops with weak int, float and bool scalars on either side follow NEP 50', async (t) => {
  const inputs: Record<string, dn.NdArray> = {};
  for (const [i, dt] of DTYPES.entries()) {
    inputs[`a_${dt}`] = make(dt, [3, 7], 201 + i);
    inputs[`pb_${dt}`] = make(dt, [3, 7], 211 + i, 'base');
  }
  const scalarsFor = (dt: DT): (number | boolean)[] =>
    dt === 'uint8' ? [3, 0, 200, 2.5, -0.5, 0.1, true] : [3, 0, -2, 2.5, -0.5, 0.1, NaN, Infinity, 1e10 + 0.5, 1e300, true];
  const cases: Case[] = [];
  for (const dt of DTYPES) {
    for (const s of scalarsFor(dt)) {
      for (const op of BINARY) {
        const arr = op === 'pow' ? `pb_${dt}` : `a_${dt}`;
        const kind = typeof s === 'boolean' ? 'bool' : Number.isInteger(s) ? 'int' : 'float';
        // Result stays in the array's kind when the scalar is weak: float16 cases computed in float32.
        const resIsSmall = (dt === 'bool' || dt === 'uint8') && (kind === 'bool' || (kind === 'int' && dt === 'uint8'));
        const x = resIsSmall ? npArg(arr, dt, op) : arr;
        for (const side of ['right', 'left'] as const) {
          // Integer bases to negative integer powers raise in NumPy: keep exponents non-negative.
          if (op === 'pow' && side === 'right' && kind === 'int' && (s as number) < 0 && dt !== 'float32' && dt !== 'float64') continue;
          if (op === 'pow' && side === 'left' && dt !== 'float32' && dt !== 'float64' && kind !== 'float') continue;
          // An int scalar that does not fit uint8 raises OverflowError in NumPy (not a comparison).
          if (kind === 'int' && dt === 'uint8' && ((s as number) > 255 || (s as number) < 0)) continue;
          // Weak ints that do not fit int32 (1e10 is an int to JS) raise in NumPy 2 for int arrays.
          if (kind === 'int' && Math.abs(s as number) > 2147483647 && dt !== 'float32' && dt !== 'float64') continue;
          const sNp = py(s);
          const np = side === 'right' ? `np.${NP_NAME[op]}(${x}, ${sNp})` : `np.${NP_NAME[op]}(${sNp}, ${x})`;
          const c: Case = {
            label: `${op} ${dt} ${side} ${String(s)}`,
            actual: () => (side === 'right' ? callBinary(op, inputs[arr], s) : callBinary(op, s, inputs[arr])),
            np,
            opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined,
          };
          if (op === 'sub' && dt === 'bool' && kind === 'bool') c.throws = TypeError;
          // logical_and/logical_or take a Python int as int64 whatever the array: 1e300 raises.
          if ((op === 'logicalAnd' || op === 'logicalOr') && kind === 'int' && Math.abs(s as number) >= 2 ** 63) c.throws = TypeError;
          cases.push(c);
        }
      }
    }
  }
  const worst = new Map<string, number>();
  await runCases(t, inputs, cases, worst);
});

test('comparisons of uint8 and int32 arrays with out-of-range Python ints give results as NumPy 2 does', async (t) => {
  // NumPy 2 special-cases comparisons: `uint8_array < 300` is all True, `== -1` all False.
  const u = dn.array([0, 1, 200, 255], { dtype: 'uint8' });
  const i = dn.array([-5, 0, 7, 2147483647], { dtype: 'int32' });
  const cases: Case[] = [];
  for (const [name, arr, vals] of [
    ['u', u, [300, -1, 256, -1000]],
    ['i', i, [2 ** 31, -(2 ** 31) - 1, 1e12]],
  ] as const) {
    for (const v of vals) {
      for (const op of ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const) {
        cases.push({ label: `${op} ${name} ${v}`, actual: () => callBinary(op, arr, v), np: `np.${NP_NAME[op]}(${name}, ${py(v)})` });
      }
    }
  }
  await runCases(t, { u, i }, cases);
});

test('a bool array meets a Python int beyond int32 as an int32 array does; beyond int64 NumPy raises', async (t) => {
  // NumPy computes bool with a Python int in int64; distnumpy in int32 (README, dtypes): an int
  // beyond int32 is refused as for an int32 array (NumPy's side reads the bool array as int32),
  // except where NumPy's result does not depend on it: comparisons, divisions, where.
  const b = dn.array([true, false, true]);
  const c = dn.array([true, false, false]);
  const cases: Case[] = [];
  for (const v of [2 ** 31, -(2 ** 31) - 1, 2 ** 40]) {
    for (const op of ['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr', 'div', 'arctan2'] as const) {
      cases.push({ label: `${op} b ${v}`, actual: () => callBinary(op, b, v), np: `np.${NP_NAME[op]}(b, ${py(v)})`, opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined });
    }
    for (const op of ['add', 'sub', 'mul', 'mod', 'maximum', 'minimum'] as const) {
      cases.push({ label: `${op} b ${v}`, actual: () => callBinary(op, b, v), np: `np.${NP_NAME[op]}(b.astype(np.int32), ${py(v)})`, throws: TypeError });
      cases.push({ label: `${op} ${v} b`, actual: () => callBinary(op, v, b), np: `np.${NP_NAME[op]}(${py(v)}, b.astype(np.int32))`, throws: TypeError });
    }
    // np.where wraps the int: int64, then int32 here.
    cases.push({ label: `where b ${v}`, actual: () => dn.where(c, b, v), np: `np.where(c, b, ${py(v)}).astype(np.int32)` });
  }
  for (const v of [2 ** 63, 1e20, -(2 ** 63) - 2048]) {
    for (const op of ['add', 'lt', 'eq', 'maximum', 'logicalAnd'] as const) {
      cases.push({ label: `${op} b ${v}`, actual: () => callBinary(op, b, v), np: `np.${NP_NAME[op]}(b, ${py(v)})`, throws: TypeError });
    }
    for (const op of ['div', 'arctan2'] as const) {
      cases.push({ label: `${op} b ${v}`, actual: () => callBinary(op, b, v), np: `np.${NP_NAME[op]}(b, ${py(v)})`, opts: { ulps: ULPS } });
    }
  }
  cases.push({ label: 'add b 2**31 - 1 (fits int32)', actual: () => b.add(2 ** 31 - 1), np: 'np.add(b, 2147483647).astype(np.int32)' });
  await runCases(t, { b, c }, cases);
});

test('divide and arctan2 of integer arrays take any Python int: their loops are float loops', async (t) => {
  const u = dn.array([0, 4, 200, 255], { dtype: 'uint8' });
  const i = dn.array([-7, 0, 4, 2147483647], { dtype: 'int32' });
  const cases: Case[] = [];
  for (const v of [-2, 300, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, 1e20]) {
    cases.push({ label: `div u ${v}`, actual: () => dn.div(u, v), np: `np.true_divide(u, ${py(v)})` });
    cases.push({ label: `div ${v} u`, actual: () => dn.div(v, u), np: `np.true_divide(${py(v)}, u)` });
    cases.push({ label: `div i ${v}`, actual: () => i.div(v), np: `np.true_divide(i, ${py(v)})` });
    // uint8 arctan2 is float16 in NumPy, float32 here: NumPy's side computes from float32.
    cases.push({ label: `arctan2 u ${v}`, actual: () => dn.arctan2(u, v), np: `np.arctan2(u.astype(np.float32), ${py(v)})`, opts: { ulps: ULPS } });
    cases.push({ label: `arctan2 ${v} u`, actual: () => dn.arctan2(v, u), np: `np.arctan2(${py(v)}, u.astype(np.float32))`, opts: { ulps: ULPS } });
    cases.push({ label: `arctan2 i ${v}`, actual: () => dn.arctan2(i, v), np: `np.arctan2(i, ${py(v)})`, opts: { ulps: ULPS } });
  }
  // Other integer loops still refuse it, as NumPy does.
  cases.push({ label: 'pow u -2', actual: () => u.pow(-2), np: 'np.power(u, -2)', throws: TypeError });
  cases.push({ label: 'mod u -2', actual: () => u.mod(-2), np: 'np.remainder(u, -2)', throws: TypeError });
  cases.push({ label: 'add i 2**31', actual: () => i.add(2 ** 31), np: 'np.add(i, 2147483648)', throws: TypeError });
  await runCases(t, { u, i }, cases);
});

test('logical_and and logical_or take a Python int as int64 whatever the array: beyond it they raise', async (t) => {
  const f = dn.array([1.5, 0, -2], { dtype: 'float64' });
  const g = dn.array([1.5, 0, -2], { dtype: 'float32' });
  const i = dn.array([3, 0, -2], { dtype: 'int32' });
  const u = dn.array([3, 0, 200], { dtype: 'uint8' });
  const cases: Case[] = [];
  for (const [name, a] of [['f', f], ['g', g], ['i', i], ['u', u]] as const) {
    for (const op of ['logicalAnd', 'logicalOr'] as const) {
      for (const v of [2 ** 63, -(2 ** 63) - 2048, 1e300]) {
        cases.push({ label: `${op} ${name} ${v}`, actual: () => callBinary(op, a, v), np: `np.${NP_NAME[op]}(${name}, ${py(v)})`, throws: TypeError });
        cases.push({ label: `${op} ${v} ${name}`, actual: () => callBinary(op, v, a), np: `np.${NP_NAME[op]}(${py(v)}, ${name})`, throws: TypeError });
      }
      for (const v of [2 ** 63 - 1024, -(2 ** 63), 2 ** 40, -1, 0.5, 1e10 + 0.5]) {
        cases.push({ label: `${op} ${name} ${v}`, actual: () => callBinary(op, a, v), np: `np.${NP_NAME[op]}(${name}, ${py(v)})` });
      }
    }
  }
  // Other ops convert a float array's huge Python int to float64, as NumPy does.
  cases.push({ label: 'add f 1e300', actual: () => f.add(1e300), np: `np.add(f, ${py(1e300)})` });
  await runCases(t, { f, g, i, u }, cases);
});

test('where wraps a Python int into an integer dtype as NumPy does (through int64)', async (t) => {
  const c = dn.array([true, false, false, true]);
  const u = dn.array([1, 2, 3, 4], { dtype: 'uint8' });
  const i = dn.array([1, 2, 3, 4], { dtype: 'int32' });
  const f = dn.array([1, 2, 3, 4], { dtype: 'float32' });
  const cases: Case[] = [];
  for (const v of [-1, 300, 256, -3, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, 2 ** 40 + 7, -(2 ** 40) - 7, 2 ** 63, -(2 ** 63), 2 ** 64 - 2048]) {
    cases.push({ label: `where u ${v}`, actual: () => dn.where(c, u, v), np: `np.where(c, u, ${py(v)})` });
    cases.push({ label: `where ${v} u`, actual: () => dn.where(c, v, u), np: `np.where(c, ${py(v)}, u)` });
    cases.push({ label: `where i ${v}`, actual: () => dn.where(c, i, v), np: `np.where(c, i, ${py(v)})` });
    cases.push({ label: `where f ${v}`, actual: () => dn.where(c, f, v), np: `np.where(c, f, ${py(v)})` });
  }
  for (const v of [2 ** 64, -(2 ** 63) - 2048, 1e20]) {
    cases.push({ label: `where u ${v}`, actual: () => dn.where(c, u, v), np: `np.where(c, u, ${py(v)})`, throws: TypeError });
    cases.push({ label: `where i ${v}`, actual: () => dn.where(c, i, v), np: `np.where(c, i, ${py(v)})`, throws: TypeError });
    cases.push({ label: `where f ${v}`, actual: () => dn.where(c, f, v), np: `np.where(c, f, ${py(v)})` });
  }
  await runCases(t, { c, u, i, f }, cases);
});

test('casts of NaN, infinities and floats beyond int32 to int32 and uint8 give NumPy\'s x86-64 results', async (t) => {
  // NumPy's C cast (cvttsd2si): INT_MIN for NaN, inf and anything that does not fit int32; to
  // uint8 through that int32 (low 8 bits: INT_MIN gives 0, 300.7 gives 44, -1 gives 255).
  const vals = [
    NaN, Infinity, -Infinity, 1e10, -1e10, 3e9, -3e9, 255.9, -0.5, 256, -1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1,
    2 ** 31 - 0.5, 2 ** 32 + 5, 2 ** 63, -(2 ** 63), 1e19, 2 ** 64, 1e300, 300.7, -300.7, -2147483648.9, 2147483647.9, 5e-324, -0,
  ];
  const x = dn.array(vals, { dtype: 'float64' });
  const x32 = dn.array(vals, { dtype: 'float32' });
  const into = (dt: 'int32' | 'uint8', v: dn.NdArray) => dn.zeros([vals.length], { dtype: dt }).assign(v);
  const cases: Case[] = [];
  for (const dt of ['int32', 'uint8'] as const) {
    cases.push({ label: `float64 astype ${dt}`, actual: () => x.astype(dt), np: `x.astype(np.${dt})` });
    cases.push({ label: `float32 astype ${dt}`, actual: () => x32.astype(dt), np: `x32.astype(np.${dt})` });
    cases.push({ label: `float64 assigned into ${dt}`, actual: () => into(dt, x), np: `x.astype(np.${dt})` });
    cases.push({ label: `float32 assigned into ${dt}`, actual: () => into(dt, x32), np: `x32.astype(np.${dt})` });
    cases.push({ label: `fused (x * 2) astype ${dt}`, actual: () => x.mul(2).astype(dt), np: `(x * 2).astype(np.${dt})` });
    cases.push({ label: `full 3e9 + 0.5 ${dt}`, actual: () => dn.full([2], 3e9 + 0.5, { dtype: dt }), np: `np.full(2, 3e9 + 0.5, dtype=np.${dt})` });
    cases.push({ label: `full -300.7 ${dt}`, actual: () => dn.full([2], -300.7, { dtype: dt }), np: `np.full(2, -300.7, dtype=np.${dt})` });
  }
  await runCases(t, { x, x32 }, cases);
});

// ---- broadcasting --------------------------------------------------------------------------------
test('broadcasting: (3,4)+(4,), (3,1)+(1,4), 0-d, size-0, size-1 and odd sizes match NumPy', async (t) => {
  const pairs: [number[], number[]][] = [
    [[3, 4], [4]],
    [[4], [3, 4]],
    [[3, 1], [1, 4]],
    [[], [3, 4]],
    [[3, 4], []],
    [[], []],
    [[0, 4], [4]],
    [[0], [1]],
    [[2, 0, 3], [1, 3]],
    [[1], [5]],
    [[1, 1], [1]],
    [[7, 13], [13]],
    [[7, 1], [1, 13]],
    [[7, 13], [7, 13]],
    [[2, 3, 4], [3, 1]],
    [[5, 1, 3], [1, 4, 1]],
  ];
  const dtypePairs: [DT, DT][] = [
    ['float64', 'float64'],
    ['int32', 'float32'],
    ['uint8', 'bool'],
    ['float32', 'int32'],
  ];
  const ops: BinOp[] = ['add', 'mul', 'div', 'maximum', 'lt', 'mod', 'arctan2', 'eq'];
  const inputs: Record<string, dn.NdArray> = {};
  const cases: Case[] = [];
  pairs.forEach(([sa, sb], p) => {
    dtypePairs.forEach(([da, db], q) => {
      const x = `x${p}_${q}`;
      const y = `y${p}_${q}`;
      inputs[x] = make(da, sa, 300 + p * 7 + q);
      inputs[y] = make(db, sb, 500 + p * 7 + q);
      for (const op of ops) {
        const both16 = FLOAT_FUNCS.has(op) && (da === 'uint8' || da === 'bool') && (db === 'uint8' || db === 'bool');
        cases.push({
          label: `${op} ${da}${JSON.stringify(sa)} ${db}${JSON.stringify(sb)}`,
          actual: () => callBinary(op, inputs[x], inputs[y]),
          np: both16 ? `np.${NP_NAME[op]}(${x}.astype(np.float32), ${y}.astype(np.float32))` : `np.${NP_NAME[op]}(${x}, ${y})`,
          opts: TRANSCENDENTAL.has(op) ? { ulps: ULPS } : undefined,
        });
      }
    });
  });
  await runCases(t, inputs, cases);
});

// ---- strided inputs -------------------------------------------------------------------------
test('strided inputs: negative steps, transposes and stepped slices match NumPy', async (t) => {
  const A = make('float64', [6, 8], 601);
  const B = make('int32', [8, 6], 602);
  const C = make('float32', [6, 8], 603);
  const D = make('float64', [2, 3, 4], 604);
  const U = make('uint8', [6, 8], 605);
  const cases: Case[] = [
    { label: 'A[::-1] + B.T', actual: () => A.slice('::-1').add(B.T), np: 'A[::-1] + B.T' },
    { label: 'A.T * B', actual: () => A.T.mul(B), np: 'A.T * B' },
    { label: 'A[1::2] - C[::2]', actual: () => A.slice('1::2').sub(C.slice('::2')), np: 'A[1::2] - C[::2]' },
    { label: 'maximum(A[::-1, ::-1], C)', actual: () => dn.maximum(A.slice('::-1, ::-1'), C), np: 'np.maximum(A[::-1, ::-1], C)' },
    { label: 'A[:, ::-1] < B.T[::-1]', actual: () => A.slice(':, ::-1').lt(B.T.slice('::-1')), np: 'A[:, ::-1] < B.T[::-1]' },
    {
      label: 'arctan2(A[1::2, ::3], C[::-2, 1::3])',
      actual: () => dn.arctan2(A.slice('1::2, ::3'), C.slice('::-2, 1::3')),
      np: 'np.arctan2(A[1::2, ::3], C[::-2, 1::3])',
      opts: { ulps: ULPS },
    },
    { label: 'A / C.T.T[::-1]', actual: () => A.div(C.T.T.slice('::-1')), np: 'A / C.T.T[::-1]' },
    { label: 'A[::-1] + A[0] (row view broadcast)', actual: () => A.slice('::-1').add(A.slice('0')), np: 'A[::-1] + A[0]' },
    { label: 'A + A[:, 0:1] (column view broadcast)', actual: () => A.add(A.slice(':, 0:1')), np: 'A + A[:, 0:1]' },
    { label: 'A[2, 3] (0-d view) * B.T', actual: () => A.slice('2, 3').mul(B.T), np: 'A[2, 3] * B.T' },
    { label: 'B.T[::2, ::-3] % 7', actual: () => B.T.slice('::2, ::-3').mod(7), np: 'B.T[::2, ::-3] % 7' },
    { label: 'U[::-1] + U.T.T (uint8 wrap)', actual: () => U.slice('::-1').add(U), np: 'U[::-1] + U' },
    { label: 'D.transpose(2,0,1) * D[0].T', actual: () => D.transpose([2, 0, 1]).mul(D.slice('0').T.slice(':, None')), np: 'D.transpose(2,0,1) * D[0].T[:, None]' },
    { label: 'D[:, ::-1, 1::2] - D[::-1, :, :2]', actual: () => D.slice(':, ::-1, 1::2').sub(D.slice('::-1, :, :2')), np: 'D[:, ::-1, 1::2] - D[::-1, :, :2]' },
    { label: 'sqrt(abs(A.T))', actual: () => dn.sqrt(dn.abs(A.T)), np: 'np.sqrt(np.abs(A.T))' },
    { label: 'neg(B[::-1])', actual: () => dn.neg(B.slice('::-1')), np: 'np.negative(B[::-1])' },
    { label: 'exp(C[1::2])', actual: () => dn.exp(C.slice('1::2')), np: 'np.exp(C[1::2])', opts: { ulps: ULPS } },
    { label: 'floor(A[::-1]) ', actual: () => dn.floor(A.slice('::-1')), np: 'np.floor(A[::-1])' },
    { label: 'ceil(C.T[::-2])', actual: () => dn.ceil(C.T.slice('::-2')), np: 'np.ceil(C.T[::-2])' },
    { label: 'logicalNot(A[:, 1::2])', actual: () => dn.logicalNot(A.slice(':, 1::2')), np: 'np.logical_not(A[:, 1::2])' },
    { label: 'empty view + view', actual: () => A.slice('3:3').add(C.slice('5:5')), np: 'A[3:3] + C[5:5]' },
  ];
  await runCases(t, { A, B, C, D, U }, cases);
});

// ---- fused chains -----------------------------------------------------------------------------
test('fused chains (with views, broadcasting, mixed dtypes and shared subexpressions) match NumPy op by op', async (t) => {
  const A = make('float64', [6, 8], 701);
  const B = make('int32', [8, 6], 702);
  const F = make('float32', [6, 8], 703);
  const U = make('uint8', [6, 8], 704);
  const I = make('int32', [6, 8], 705);
  const row = make('float64', [8], 706);
  const col = make('float32', [6, 1], 707);
  const z = make('float64', [], 708);
  // astype of NaN/inf to int is undefined in NumPy: a finite copy of A for that case.
  const Af = dn.where(A.ne(A).logicalOr(A.abs().eq(Infinity)), 0, A);
  let long = A.slice('::-1');
  let longNp = 'A[::-1]';
  for (let k = 0; k < 60; k++) {
    long = k % 3 === 0 ? long.add(F).mul(0.5) : k % 3 === 1 ? long.sub(row).div(1.5) : long.maximum(B.T.slice('::-1'));
    longNp =
      k % 3 === 0 ? `((${longNp}) + F) * 0.5` : k % 3 === 1 ? `((${longNp}) - row) / 1.5` : `np.maximum(${longNp}, B.T[::-1])`;
  }
  const cases: Case[] = [
    {
      label: 'a.add(b).mul(c).sub(d)',
      actual: () => A.add(F).mul(A.slice('::-1')).sub(row),
      np: '((A + F) * A[::-1]) - row',
    },
    {
      label: 'views and broadcasting in the chain',
      actual: () => B.T.add(B.T.slice('::-1')).mul(2.5).sub(A).div(col).add(z),
      np: '(((B.T + B.T[::-1]) * 2.5 - A) / col) + z',
    },
    { label: 'uint8 wraps inside a chain before float', actual: () => U.add(U).mul(F).sub(U.mul(3)), np: '(U + U) * F - (U * 3)' },
    { label: 'int32 chain', actual: () => I.mul(I).add(7).mod(13).sub(I).mul(-3), np: '(((I * I + 7) % 13) - I) * -3' },
    { label: 'float32 chain rounds per op', actual: () => F.add(F.slice('::-1')).mul(F).div(3).sub(F.T.T), np: '((F + F[::-1]) * F) / 3 - F' },
    {
      label: 'where of comparisons in a chain',
      actual: () => dn.where(A.gt(0), A.sqrt(), A.neg().sqrt().neg()),
      np: 'np.where(A > 0, np.sqrt(A), -np.sqrt(-A))',
    },
    {
      label: 'shared subexpression',
      actual: () => {
        const s = A.add(F);
        return s.mul(s).sub(s.div(2));
      },
      np: '(A + F) * (A + F) - (A + F) / 2',
    },
    { label: 'broadcast chain', actual: () => A.add(col).mul(row).sub(z).maximum(col.T.slice(':, :1')), np: 'np.maximum((A + col) * row - z, col.T[:, :1])' },
    { label: 'chain with unary and comparisons', actual: () => dn.logicalAnd(A.abs().floor().le(5), I.ne(0)), np: 'np.logical_and(np.floor(np.abs(A)) <= 5, I != 0)' },
    { label: 'long chain (over the fusion limit)', actual: () => long, np: longNp },
    {
      label: 'astype inside a chain',
      actual: () => Af.mul(10).astype('int32').add(I).astype('float32').div(4),
      np: "((Af * 10).astype('int32') + I).astype('float32') / 4",
    },
  ];
  await runCases(t, { A, B, F, U, I, row, col, z, Af }, cases);
});

// ---- out ------------------------------------------------------------------------------------
test('out: writes into a fresh array, a view, with casting, and in place', async (t) => {
  const vals = values('float64', 12, 801).map((v) => (Number.isFinite(v as number) ? v : 1.25));
  const ints = values('int32', 48, 802);
  const a0 = dn.array(vals, { shape: [3, 4] });
  const a = dn.array(vals, { shape: [3, 4] });
  const b = make('float64', [4], 803);
  const m0 = dn.array(ints, { dtype: 'int32', shape: [6, 8] });

  // Into a fresh array: the result is the out array itself.
  const o1 = dn.zeros([3, 4]);
  const r1 = dn.add(a0, b, { out: o1 });
  t.is(r1, o1, 'add returns its out');
  // Into a view of a bigger array: the rest keeps its values.
  const big = dn.full([6, 8], -7.5);
  dn.mul(a0, 2, { out: big.slice('1:4, ::2') });
  // Casting float64 results into a float32 out (same_kind).
  const o32 = dn.zeros([3, 4], { dtype: 'float32' });
  dn.div(a0, 3, { out: o32 });
  // A comparison into a bool view of a transposed array.
  const ob = dn.zeros([4, 3], { dtype: 'bool' });
  dn.gt(a0, 0, { out: ob.T });
  // int32 op into a float64 out: computed in int32 then cast.
  const oi = dn.zeros([6, 8]);
  dn.mul(m0, m0, { out: oi });
  // uint8 + uint8 into an int32 out: NumPy computes in uint8 (wrapping), then casts.
  const u8 = dn.array([200, 100, 255], { dtype: 'uint8' });
  const ou = dn.zeros([3], { dtype: 'int32' });
  dn.add(u8, u8, { out: ou });
  // Broadcast into out.
  const obc = dn.ones([2, 3, 4]);
  dn.sub(b, a0, { out: obc });
  // In place: dn.add(a, 1, {out: a}).
  const r2 = dn.add(a, 1, { out: a });
  t.is(r2, a);
  dn.mul(a, a, { out: a });
  // Methods accept out too.
  const om = dn.zeros([3, 4]);
  a0.sub(b, { out: om });
  const un = dn.zeros([3, 4]);
  a0.sqrt({ out: un });
  // Overlapping in-place through views (NumPy copies the inputs first).
  const v = dn.array(vals);
  dn.add(v.slice(':-1'), v.slice('1:'), { out: v.slice('1:') });
  const w = dn.array(vals);
  dn.neg(w.slice('::-1'), { out: w });
  const sq = dn.array(ints.slice(0, 16), { dtype: 'int32', shape: [4, 4] });
  dn.add(sq.T, 0, { out: sq });
  // Out of a lazy (not yet computed) array.
  const lazy = a0.add(0);
  dn.sub(a0, 1, { out: lazy });
  // where and clip take out too.
  const ow = dn.zeros([3, 4]);
  dn.where(a0.gt(0), a0, b, { out: ow });
  const oc = dn.zeros([3, 4], { dtype: 'float32' });
  dn.clip(a0, -1, 2, { out: oc });

  const v0 = dn.array(vals);
  const sq0 = dn.array(ints.slice(0, 16), { dtype: 'int32', shape: [4, 4] });
  const exp = await numpy(
    { a0, b, m0, v0, sq0, u8 },
    {
      o1: 'a0 + b',
      big: '(lambda o: [o.__setitem__(np.s_[1:4, ::2], a0 * 2), o][1])(np.full((6, 8), -7.5))',
      o32: '(a0 / 3).astype(np.float32)',
      ob: '(a0 > 0).T',
      oi: '(m0 * m0).astype(np.float64)',
      ou: "(lambda o: [np.add(u8, u8, out=o), o][1])(np.zeros(3, dtype='int32'))",
      obc: 'np.broadcast_to(b - a0, (2, 3, 4))',
      a: '(a0 + 1) * (a0 + 1)',
      om: 'a0 - b',
      un: 'np.sqrt(a0)',
      v: '(lambda x: [np.add(x[:-1], x[1:], out=x[1:]), x][1])(v0.copy())',
      w: '(lambda x: [np.negative(x[::-1], out=x), x][1])(v0.copy())',
      sq: '(lambda x: [np.add(x.T, 0, out=x), x][1])(sq0.copy())',
      lazy: 'a0 - 1',
      ow: 'np.where(a0 > 0, a0, b)',
      oc: 'np.clip(a0, -1, 2).astype(np.float32)',
    },
  );
  const failures: string[] = [];
  const ctx = collecting(failures);
  await assertMatches(ctx, o1, exp.o1, 'add into fresh out');
  await assertMatches(ctx, big, exp.big, 'mul into a view of out');
  await assertMatches(ctx, o32, exp.o32, 'div into float32 out');
  await assertMatches(ctx, ob, exp.ob, 'gt into a transposed bool out');
  await assertMatches(ctx, oi, exp.oi, 'int32 mul into float64 out');
  await assertMatches(ctx, ou, exp.ou, 'uint8 add into int32 out wraps in uint8');
  await assertMatches(ctx, obc, exp.obc, 'broadcast into out');
  await assertMatches(ctx, a, exp.a, 'in place add then mul');
  await assertMatches(ctx, om, exp.om, 'method with out');
  await assertMatches(ctx, un, exp.un, 'unary method with out');
  await assertMatches(ctx, v, exp.v, 'overlapping views in place');
  await assertMatches(ctx, w, exp.w, 'neg of reversed self into self');
  await assertMatches(ctx, sq, exp.sq, 'transpose of self into self');
  await assertMatches(ctx, lazy, exp.lazy, 'out is a lazy array');
  await assertMatches(ctx, ow, exp.ow, 'where with out');
  await assertMatches(ctx, oc, exp.oc, 'clip with out');
  if (failures.length > 0) t.fail(`${failures.length} failed checks:\n${failures.join('\n')}`);
  else t.pass();
});

// ---- where ----------------------------------------------------------------------------------
test('where: conditions of every dtype, scalars, mixed dtypes and broadcasting match NumPy', async (t) => {
  const inputs: Record<string, dn.NdArray> = {};
  for (const [i, dt] of DTYPES.entries()) {
    inputs[`c_${dt}`] = make(dt, [4, 5], 901 + i);
    inputs[`x_${dt}`] = make(dt, [4, 5], 911 + i);
    inputs[`y_${dt}`] = make(dt, [4, 5], 921 + i);
  }
  inputs.ccol = make('bool', [4, 1], 931);
  inputs.xrow = make('float32', [5], 932);
  inputs.c0 = dn.array(true);
  const cases: Case[] = [];
  for (const dc of DTYPES) {
    cases.push({ label: `where cond ${dc}`, actual: () => dn.where(inputs[`c_${dc}`], inputs.x_float64, inputs.y_int32), np: `np.where(c_${dc}, x_float64, y_int32)` });
  }
  for (const dx of DTYPES) {
    for (const dy of DTYPES) {
      cases.push({ label: `where ${dx},${dy}`, actual: () => dn.where(inputs.c_bool, inputs[`x_${dx}`], inputs[`y_${dy}`]), np: `np.where(c_bool, x_${dx}, y_${dy})` });
    }
    for (const s of [2, 2.5, -1, true]) {
      if (dx === 'uint8' && s === -1) continue;
      cases.push({ label: `where ${dx}, scalar ${String(s)}`, actual: () => dn.where(inputs.c_bool, inputs[`x_${dx}`], s), np: `np.where(c_bool, x_${dx}, ${py(s)})` });
      cases.push({ label: `where scalar ${String(s)}, ${dx}`, actual: () => dn.where(inputs.c_bool, s, inputs[`x_${dx}`]), np: `np.where(c_bool, ${py(s)}, x_${dx})` });
    }
  }
  cases.push(
    { label: 'where two int scalars', actual: () => dn.where(inputs.c_bool, 1, 2), np: 'np.where(c_bool, 1, 2)' },
    { label: 'where int and float scalars', actual: () => dn.where(inputs.c_bool, 1, 2.5), np: 'np.where(c_bool, 1, 2.5)' },
    { label: 'where broadcast (4,1) (5,) scalar', actual: () => dn.where(inputs.ccol, inputs.xrow, 0.5), np: 'np.where(ccol, xrow, 0.5)' },
    { label: 'where 0-d cond', actual: () => dn.where(inputs.c0, inputs.x_int32, inputs.y_uint8), np: 'np.where(c0, x_int32, y_uint8)' },
    { label: 'where scalar cond', actual: () => dn.where(false, inputs.x_int32, inputs.y_float32), np: 'np.where(False, x_int32, y_float32)' },
    { label: 'where strided', actual: () => dn.where(inputs.c_float64.T, inputs.x_float32.slice('::-1').T, inputs.y_float64.T), np: 'np.where(c_float64.T, x_float32[::-1].T, y_float64.T)' },
  );
  await runCases(t, inputs, cases);
});

// ---- clip -----------------------------------------------------------------------------------
test('clip: scalar and array bounds, one-sided, NaN, reversed bounds and ints match NumPy', async (t) => {
  const f = make('float64', [4, 6], 1001);
  const g = make('float32', [4, 6], 1002);
  const i = make('int32', [4, 6], 1003);
  const u = make('uint8', [4, 6], 1004);
  const lo = make('float64', [6], 1005);
  const hiCol = make('float64', [4, 1], 1006).abs();
  const b = make('bool', [4, 6], 1007);
  const cases: Case[] = [
    { label: 'clip f -1 2', actual: () => dn.clip(f, -1, 2), np: 'np.clip(f, -1, 2)' },
    { label: 'clip f -1.5 2.5', actual: () => dn.clip(f, -1.5, 2.5), np: 'np.clip(f, -1.5, 2.5)' },
    { label: 'clip f null 0', actual: () => dn.clip(f, null, 0), np: 'np.clip(f, None, 0)' },
    { label: 'clip f 0 null', actual: () => dn.clip(f, 0, null), np: 'np.clip(f, 0, None)' },
    { label: 'clip f reversed bounds', actual: () => dn.clip(f, 3, -3), np: 'np.clip(f, 3, -3)' },
    { label: 'clip f array bounds', actual: () => dn.clip(f, lo, hiCol), np: 'np.clip(f, lo, hiCol)' },
    { label: 'clip f NaN bound', actual: () => dn.clip(f, NaN, 1), np: "np.clip(f, float('nan'), 1)" },
    { label: 'clip g float32', actual: () => dn.clip(g, -0.25, 0.75), np: 'np.clip(g, -0.25, 0.75)' },
    { label: 'clip i int bounds', actual: () => dn.clip(i, -10, 20), np: 'np.clip(i, -10, 20)' },
    { label: 'clip i float bounds', actual: () => dn.clip(i, -10.5, 20.5), np: 'np.clip(i, -10.5, 20.5)' },
    { label: 'clip u', actual: () => dn.clip(u, 10, 200), np: 'np.clip(u, 10, 200)' },
    { label: 'clip u out-of-range int bounds', actual: () => dn.clip(u, -1, 300), np: 'np.clip(u, -1, 300)' },
    { label: 'clip method', actual: () => f.clip(-2, 2), np: 'f.clip(-2, 2)' },
    { label: 'clip strided', actual: () => dn.clip(f.slice('::-1, 1::2'), -1, 1), np: 'np.clip(f[::-1, 1::2], -1, 1)' },
    { label: 'clip no bounds (NumPy 2 returns a copy)', actual: () => dn.clip(f, null, null), np: 'np.clip(f, None, None)' },
    // The three operands promote together (NumPy's clip ufunc): 300 is a float64 bound here.
    { label: 'clip u 300 -2.5', actual: () => dn.clip(u, 300, -2.5), np: 'np.clip(u, 300, -2.5)' },
    { label: 'clip u -2.5 300', actual: () => dn.clip(u, -2.5, 300), np: 'np.clip(u, -2.5, 300)' },
    { label: 'clip u 300 f-array', actual: () => dn.clip(u, 300, f), np: 'np.clip(u, 300, f)' },
    { label: 'clip u 300 3', actual: () => dn.clip(u, 300, 3), np: 'np.clip(u, 300, 3)', throws: TypeError },
    { label: 'clip u -1 -1', actual: () => dn.clip(u, -1, -1), np: 'np.clip(u, -1, -1)', throws: TypeError },
    { label: 'clip i 2**31 0.5', actual: () => dn.clip(i, 2 ** 31, 0.5), np: 'np.clip(i, 2147483648, 0.5)' },
    // bool: np.positive has no bool loop; integer bounds compute in int64 (int32 here).
    { label: 'clip b no bounds', actual: () => dn.clip(b, null, null), np: 'np.clip(b, None, None)', throws: TypeError },
    { label: 'clip b method no bounds', actual: () => b.clip(null, null), np: 'b.clip(None, None)', throws: TypeError },
    { label: 'clip b 0 1', actual: () => dn.clip(b, 0, 1), np: 'np.clip(b, 0, 1)' },
    { label: 'clip b false true', actual: () => dn.clip(b, false, true), np: 'np.clip(b, False, True)' },
    { label: 'clip b true null', actual: () => dn.clip(b, true, null), np: 'np.clip(b, True, None)' },
    { label: 'clip b -2**31-1 null', actual: () => dn.clip(b, -(2 ** 31) - 1, null), np: 'np.clip(b, -2147483649, None)' },
    { label: 'clip b -2**31-1 true', actual: () => dn.clip(b, -(2 ** 31) - 1, true), np: 'np.clip(b, -2147483649, True)' },
    { label: 'clip b null 2**31', actual: () => dn.clip(b, null, 2 ** 31), np: 'np.clip(b, None, 2147483648)' },
    { label: 'clip b 2**31 null', actual: () => dn.clip(b, 2 ** 31, null), np: 'np.clip(b.astype(np.int32), 2147483648, None)', throws: TypeError },
    { label: 'clip b 2**63 null', actual: () => dn.clip(b, 2 ** 63, null), np: 'np.clip(b, 9223372036854775808, None)', throws: TypeError },
    { label: 'clip b 1e300 0.5', actual: () => dn.clip(b, -1e300, 0.5), np: `np.clip(b, ${py(-1e300)}, 0.5)` },
  ];
  await runCases(t, { f, g, i, u, lo, hiCol, b }, cases);
});

test('clip keeps x when it equals a bound, as NumPy\'s loop for scalar bounds does (signed zeros, NaN)', async (t) => {
  // assertMatches treats +0 and -0 as equal: compare sign bits and NaNs. With array bounds NumPy
  // runs minimum(maximum(x, lo), hi) (its sign of zero then depends on its loop; not checked).
  const vals = [-0, 0, NaN, -1, 1, 0.5, Infinity, -Infinity, 2];
  const x = dn.array(vals, { dtype: 'float64' });
  const x32 = dn.array(vals, { dtype: 'float32' });
  const bounds: [number | null, number | null][] = [];
  for (const lo of [-0, 0, NaN, -1, 1, null]) for (const hi of [-0, 0, NaN, 1, -1, null]) if (lo !== null || hi !== null) bounds.push([lo, hi]);
  const pyb = (v: number | null) => (v === null ? 'None' : Object.is(v, -0) ? '-0.0' : Number.isNaN(v) ? "float('nan')" : `${v}.0`);
  const got: Record<string, dn.NdArray> = {};
  const exprs: Record<string, string> = {};
  bounds.forEach(([lo, hi], k) => {
    for (const [name, a] of [['x', x], ['x32', x32]] as const) {
      // A JS -0 bound stays -0.0 in a float clip: NumPy's side gets the bounds in the array's dtype.
      got[`${name}_${k}`] = dn.clip(a, lo, hi);
      const e = `np.clip(${name}, ${name}.dtype.type(${pyb(lo)}) if ${pyb(lo)} is not None else None, ${name}.dtype.type(${pyb(hi)}) if ${pyb(hi)} is not None else None)`;
      exprs[`${name}_${k}`] = `(lambda r: np.where(np.isnan(r), 2, np.signbit(r)))(${e})`;
    }
  });
  const exp = await numpy({ x, x32 }, exprs);
  const failures: string[] = [];
  for (const [k, v] of Object.entries(got)) {
    const e = exp[k];
    if (!e || 'error' in e) {
      failures.push(`${k}: NumPy failed`);
      continue;
    }
    const actual = Array.from(await v.data(), (z) => (z !== z ? 2 : Object.is(z, -0) || z < 0 ? 1 : 0));
    const expected = Array.from(e.data);
    if (!isDeepStrictEqual(actual, expected)) failures.push(`${k} (${exprs[k]}): sign/NaN ${JSON.stringify(actual)}, NumPy ${JSON.stringify(expected)}`);
  }
  if (failures.length > 0) t.fail(failures.join('\n'));
  else t.pass();
});

// ---- signed zeros ----------------------------------------------------------------------------
test('maximum and minimum of +0 and -0 give the same signed zero as NumPy', async (t) => {
  // assertMatches treats +0 and -0 as equal, so compare sign bits here.
  const a = dn.array([-0, 0, -0, 0], { dtype: 'float64' });
  const b = dn.array([0, -0, -0, 0], { dtype: 'float64' });
  const a32 = a.astype('float32');
  const b32 = b.astype('float32');
  const got: Record<string, dn.NdArray> = {
    max: dn.maximum(a, b),
    min: dn.minimum(a, b),
    max32: dn.maximum(a32, b32),
    min32: dn.minimum(a32, b32),
    maxs: dn.maximum(a, 0),
    mins: dn.minimum(a, -0.0),
  };
  const exp = await numpy(
    { a, b, a32, b32 },
    {
      max: 'np.signbit(np.maximum(a, b))',
      min: 'np.signbit(np.minimum(a, b))',
      max32: 'np.signbit(np.maximum(a32, b32))',
      min32: 'np.signbit(np.minimum(a32, b32))',
      maxs: 'np.signbit(np.maximum(a, 0))',
      mins: 'np.signbit(np.minimum(a, -0.0))',
    },
  );
  for (const [k, v] of Object.entries(got)) {
    const e = exp[k];
    if (!e || 'error' in e) {
      t.fail(`${k}: NumPy failed`);
      continue;
    }
    const actual = Array.from(await v.data(), (x) => (Object.is(x, -0) ? 1 : 0));
    const expected = Array.from(e.data);
    t.deepEqual(actual, expected, `${k}: sign bits`);
  }
});

// ---- arrays large enough to be split over the thread pool ------------------------------------------
test('large strided, broadcast and fused operations (split over threads) match NumPy', async (t) => {
  const A = make('float64', [301, 407], 1201);
  const F = make('float32', [407, 301], 1202);
  const I = make('int32', [301, 407], 1203);
  const U = make('uint8', [301, 407], 1204);
  const row = make('float64', [407], 1205);
  const col = make('float32', [301, 1], 1206);
  const cases: Case[] = [
    { label: 'big A[::-1] + row', actual: () => A.slice('::-1').add(row), np: 'A[::-1] + row' },
    { label: 'big A * F.T', actual: () => A.mul(F.T), np: 'A * F.T' },
    { label: 'big F.T[::-2, 1::3] - col[::2]', actual: () => F.T.slice('::-2, 1::3').sub(col.slice('::2')), np: 'F.T[::-2, 1::3] - col[::2]' },
    { label: 'big chain', actual: () => A.add(col).mul(row).sub(I).div(F.T.slice('::-1')), np: '(((A + col) * row) - I) / F.T[::-1]' },
    { label: 'big maximum with NaN', actual: () => dn.maximum(A, F.T), np: 'np.maximum(A, F.T)' },
    { label: 'big comparisons', actual: () => dn.logicalOr(A.lt(F.T), I.eq(3)), np: 'np.logical_or(A < F.T, I == 3)' },
    { label: 'big uint8 wrap', actual: () => U.mul(U).add(U.slice(':, ::-1')), np: 'U * U + U[:, ::-1]' },
    { label: 'big int32 mod', actual: () => I.mod(I.slice('::-1').add(101)), np: 'I % (I[::-1] + 101)' },
    { label: 'big sin', actual: () => dn.sin(A.T), np: 'np.sin(A.T)', opts: { ulps: ULPS } },
    { label: 'big where', actual: () => dn.where(A.gt(0), F.T, I), np: 'np.where(A > 0, F.T, I)' },
  ];
  await runCases(t, { A, F, I, U, row, col }, cases);
  // out into a large strided view, in place with overlap.
  const vals = values('float64', 301 * 407, 1207);
  const X = dn.array(vals, { shape: [301, 407] });
  const X0 = dn.array(vals, { shape: [301, 407] });
  dn.add(X.slice(':-1'), X.slice('1:'), { out: X.slice('1:') });
  dn.mul(X.slice('::2, ::-1'), 2, { out: X.slice('::2') });
  const exp = await numpy({ X0 }, { x: '(lambda x: [np.add(x[:-1], x[1:], out=x[1:]), np.multiply(x[::2, ::-1], 2, out=x[::2]), x][-1])(X0.copy())' });
  await assertMatches(t, X, exp.x, 'big in-place overlapping out');
});
