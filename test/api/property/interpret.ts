// Runs random programs (arbitraries.ts) on distnumpy and on NumPy and compares them.
//
// `evaluate(programs)` plans every program (base shapes, values, slice specs), puts all base
// values into one 1-D array per dtype (the "pools", the only inputs sent to python3), runs each
// program on distnumpy (building it, then reading its result), evaluates every program's NumPy
// expression in ONE numpy() call, and compares:
// - element-wise results bit for bit (NaN equals NaN, the sign of zero counts), the last
//   transcendental step within ULPS;
// - reductions: integer sums and products, min, max, argmin, argmax, all, any exactly (the sign
//   of a zero min or max aside); float sums and means within (len + 2) * eps * sum(|x|), float products within
//   (len + 2) * eps * |p|, unless some summation order could overflow (then not compared);
// - where NumPy raises, distnumpy must throw at the call (any class), and the part of the
//   program before that call must not raise in NumPy either.
// The documented dtype deviations (README: no int64, int8 or float16; integer sums and products
// are float64) are applied to NumPy's side by G, a wrapper around every NumPy call.
//
// `shrink(seed, arb)` replays a failing program with fast-check (same seed, one run) so that it
// shrinks it, one python3 call per candidate; `render` prints a program as a standalone
// distnumpy snippet and the matching NumPy code.
import fc from 'fast-check';
import * as dn from '../../../lib/index.js';
import { lcg } from '../../helpers/cases.js';
import { type NpDType, type NpResult, numpy, ourDType, pyScalar } from '../../helpers/numpy.js';
import {
  type BinOp,
  type Cond,
  type DT,
  type FinalOp,
  type OperandRecipe,
  type Other,
  type Program,
  type RedOp,
  type Scalar,
  type UnOp,
} from './arbitraries.js';

/** Transcendentals agree with NumPy to this many units in the last place (as the API tests allow). */
export const ULPS = 4;
/** Largest number of elements of S and of an operand's base (keeps a batch fast). */
const MAX_S = 1500;
const MAX_BASE = 8192;

const NP_NAME: Record<BinOp | UnOp | FinalOp, string> = {
  add: 'add', sub: 'subtract', mul: 'multiply', div: 'true_divide', mod: 'remainder', pow: 'power',
  maximum: 'maximum', minimum: 'minimum', lt: 'less', le: 'less_equal', gt: 'greater', ge: 'greater_equal',
  eq: 'equal', ne: 'not_equal', logicalAnd: 'logical_and', logicalOr: 'logical_or', neg: 'negative',
  abs: 'absolute', sqrt: 'sqrt', square: 'square', floor: 'floor', ceil: 'ceil', logicalNot: 'logical_not',
  exp: 'exp', log: 'log', sin: 'sin', cos: 'cos', tan: 'tan', arctan2: 'arctan2',
};

/**
 * NumPy's side of distnumpy's documented dtype deviations, around every NumPy call:
 * G(f, *args) = f(*args), recomputed from float32 inputs when NumPy's result is float16 (sqrt of
 * uint8: distnumpy computes in float32), and with int64/int8/int16 results as int32 (bool + 1,
 * square of bool: distnumpy has no int64 or int8).
 */
const G_DEF =
  '(lambda c32: (lambda norm: (lambda f, *a: norm((lambda r: f(*map(c32, a)) if np.asarray(r).dtype == np.float16 else r)(f(*a)))))' +
  '(lambda r: np.asarray(r).astype(np.int32) if np.asarray(r).dtype in (np.int64, np.int8, np.int16, np.uint16, np.uint64) else np.asarray(r)))' +
  '(lambda x: x.astype(np.float32) if isinstance(x, (np.ndarray, np.generic)) and x.dtype in (np.bool_, np.uint8) else x)';

// ---- values ------------------------------------------------------------------------------------
const SPECIAL_RATE = [0, 0.04, 0.25];
const SPECIALS: Record<DT, number[]> = {
  float64: [NaN, Infinity, -Infinity, -0, 0, 1e300, -1e300, 5e-324, -1e-310, 1.7976931348623157e308, 2 ** 53 + 2, 0.1],
  float32: [NaN, Infinity, -Infinity, -0, 0, 3e38, -3e38, 1e-45, -1e-40, 1e20, 16777217, 0.1],
  int32: [2147483647, -2147483648, 0, -1, 65536, 46341, -46341, 1],
  uint8: [0, 255, 128, 1, 127],
  bool: [0, 1],
};

export function baseValues(dt: DT, n: number, rec: OperandRecipe['values']): number[] {
  const r = lcg(rec.seed);
  const rate = SPECIAL_RATE[rec.specials];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    let v: number;
    if (rate > 0 && r() < rate) {
      const s = SPECIALS[dt];
      v = s[Math.floor(u * s.length)];
    } else if (dt === 'bool') {
      v = u < 0.5 ? 1 : 0;
    } else if (dt === 'uint8') {
      v = Math.floor(u * (rec.kind === 0 ? 11 : 256));
    } else if (dt === 'int32') {
      v = rec.kind === 0 ? Math.floor(u * 21) - 10 : rec.kind === 1 ? Math.floor(u * 2001) - 1000 : Math.floor(u * 2 ** 32) - 2 ** 31;
    } else if (rec.kind === 0) {
      v = Math.floor(u * 129) / 8 - 8; // eighths in [-8, 8]: exact in every dtype
    } else if (rec.kind === 1) {
      v = u * 20 - 10;
    } else {
      v = (r() < 0.5 ? -1 : 1) * (0.5 + u) * 10 ** Math.floor(r() * 17 - 8);
    }
    out.push(dt === 'float32' ? Math.fround(v) : v);
  }
  return out;
}

// ---- literals ----------------------------------------------------------------------------------
const py = pyScalar;
function js(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (Array.isArray(v)) return `[${v.map(js).join(', ')}]`;
  if (v === null) return 'null';
  return typeof v === 'string' ? `'${v}'` : String(v);
}
/** A Python literal for one stored element (floats keep their sign of zero, NaN and inf). */
function pyValue(v: number, dt: DT): string {
  if (dt === 'bool') return v ? 'True' : 'False';
  if (dt === 'int32' || dt === 'uint8') return String(v);
  if (Number.isNaN(v)) return 'np.nan';
  if (v === Infinity) return 'np.inf';
  if (v === -Infinity) return '-np.inf';
  if (Object.is(v, -0)) return '-0.0';
  return Number.isInteger(v) ? `${v}.0`.replace('e+', 'e').replace(/e(\d+)\.0$/, 'e$1') : String(v);
}
const pyShape = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

// ---- planning: the base, the view, the values of each operand ------------------------------------
type Item =
  | { t: 'int'; i: number }
  | { t: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { t: 'none' }
  | { t: 'ellipsis' };

interface OperandPlan {
  dtype: DT;
  base: number[];
  values: number[];
  off: number;
  items: Item[];
  arraySpec: boolean;
  perm: number[] | null;
  useT: boolean;
  source: 'array' | 'pool' | 'flat';
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const isFull = (it: Item) => it.t === 'slice' && it.start === null && it.stop === null && it.step === null;

function clampShape(s: number[]): number[] {
  const out = [...s];
  while (prod(out) > MAX_S) {
    const k = out.indexOf(Math.max(...out));
    out[k] -= 1;
  }
  return out;
}

/** The target shape of an operand: S without `drop` leading axes, some axes 1, maybe one wrong. */
function targetShape(S: number[], rec: OperandRecipe): number[] {
  const T = S.slice(Math.min(rec.drop, S.length)).map((d, i) => ((rec.ones >> i) & 1 ? 1 : d));
  if (rec.bad) {
    if (T.length === 0) return [2];
    const ax = rec.values.seed % T.length;
    T[ax] = T[ax] === 1 ? 2 : T[ax] + 1;
  }
  return T;
}

/** A slice giving `L` elements of an axis, and the axis length it needs. */
function cutItem(L: number, cut: OperandRecipe['view']['cuts'][number], plain: boolean): [number, Item] {
  const { off, extra, neg } = cut;
  const s = plain ? Math.sign(cut.step) : cut.step;
  const a = Math.abs(s);
  if (L === 0) return [off + extra, { t: 'slice', start: off, stop: off, step: s === 1 ? null : s }];
  if (s > 0) {
    const stop = off + (L - 1) * a + 1;
    const B = stop + (plain ? 0 : extra);
    const e = B - stop;
    return [B, {
      t: 'slice',
      start: off === 0 ? null : neg ? off - B : off,
      stop: e === 0 ? null : neg ? stop - B : stop,
      step: a === 1 ? null : a,
    }];
  }
  const e = plain ? 0 : extra;
  const B = off + (L - 1) * a + 1 + e;
  const start = B - 1 - off;
  return [B, {
    t: 'slice',
    start: off === 0 ? null : neg ? start - B : start,
    stop: e === 0 ? null : neg ? e - 1 - B : e - 1,
    step: s,
  }];
}

class Pools {
  values: Record<DT, number[]> = { float64: [], float32: [], int32: [], uint8: [], bool: [] };
  add(dt: DT, v: number[]): number {
    const p = this.values[dt];
    const off = p.length;
    for (const x of v) p.push(x);
    return off;
  }
}

function planOperand(S: number[], rec: OperandRecipe, pools: Pools): OperandPlan {
  const T = targetShape(S, rec);
  const m = T.length;
  const view = rec.view;
  // perm: the stable argsort of the keys; the transposed view has shape T, so U[p[i]] = T[i].
  const keys = Array.from({ length: m }, (_, i) => view.perm[i % view.perm.length]);
  const p = Array.from({ length: m }, (_, i) => i).sort((x, y) => keys[x] - keys[y] || x - y);
  const U = new Array<number>(m);
  p.forEach((pi, i) => (U[pi] = T[i]));
  const build = (plain: boolean): [number[], Item[]] => {
    const base: number[] = [];
    const items: Item[] = [];
    const newaxisAt = view.newaxis ? U.indexOf(1) : -1;
    for (let j = 0; j < m; j++) {
      if (j === newaxisAt) {
        items.push({ t: 'none' });
        continue;
      }
      const [B, it] = cutItem(U[j], view.cuts[j % view.cuts.length], plain);
      base.push(B);
      items.push(it);
    }
    if (view.index) {
      const at = view.index.at % (items.length + 1);
      const len = view.index.len;
      const i = view.index.i >= 0 ? view.index.i % len : -(((-view.index.i - 1) % len) + 1);
      // The base axis sits where the item does: count the base axes before it.
      const baseAt = items.slice(0, at).filter((it) => it.t !== 'none').length;
      base.splice(baseAt, 0, len);
      items.splice(at, 0, { t: 'int', i });
    }
    return [base, items];
  };
  let [base, items] = build(false);
  if (prod(base) > MAX_BASE) [base, items] = build(true);
  if (view.ellipsis && items.length > 0 && isFull(items[0])) {
    let k = 0;
    while (k < items.length && isFull(items[k])) k++;
    items = [{ t: 'ellipsis' }, ...items.slice(k)];
  } else if (items.every(isFull)) {
    items = [];
  }
  const values = baseValues(rec.dtype, prod(base), rec.values);
  const identity = p.every((x, i) => x === i);
  return {
    dtype: rec.dtype,
    base,
    values,
    off: pools.add(rec.dtype, values),
    items,
    arraySpec: view.arraySpec,
    perm: identity ? null : p,
    useT: view.useT && p.every((x, i) => x === m - 1 - i),
    source: view.source,
  };
}

function specString(items: Item[]): string {
  return items
    .map((it) => {
      if (it.t === 'int') return String(it.i);
      if (it.t === 'none') return 'None';
      if (it.t === 'ellipsis') return '...';
      return `${it.start ?? ''}:${it.stop ?? ''}${it.step !== null ? `:${it.step}` : ''}`;
    })
    .join(', ');
}
function specArray(items: Item[]): dn.SliceItem[] {
  return items.map((it): dn.SliceItem => {
    if (it.t === 'int') return it.i;
    if (it.t === 'none') return 'newaxis';
    if (it.t === 'ellipsis') return '...';
    if (it.start === null && it.stop === null && it.step === null) return null;
    return it.step === null ? [it.start, it.stop] : [it.start, it.stop, it.step];
  });
}

// ---- running a program ---------------------------------------------------------------------------
type Fn = (...a: unknown[]) => dn.NdArray;
const DN = dn as unknown as Record<string, Fn>;
const method = (x: dn.NdArray, name: string, ...a: unknown[]): dn.NdArray =>
  ((x as unknown as Record<string, Fn>)[name] as Fn).apply(x, a);
const isFloat = (dt: string) => dt === 'float32' || dt === 'float64';

/**
 * DISTNUMPY_PROPERTY_KNOWN_BUGS=1 generates the cases of known bugs too (to check a fix). The
 * known bugs A..J (regressions.ts) are fixed: no guard is left. A new one is kept out of the
 * default run by a guard marked KNOWN BUG that tests this flag.
 */
const KNOWN_BUGS = process.env.DISTNUMPY_PROPERTY_KNOWN_BUGS === '1';
void KNOWN_BUGS;

const INT32: [number, number] = [-2147483648, 2147483647];
const OPS_WITHOUT_INT32_CHECK = new Set(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr', 'div', 'arctan2', 'where']);

/**
 * The documented deviation for bool arrays (README, dtypes): a bool array meeting a Python int
 * computes in int32 where NumPy computes in int64, so an int beyond int32 (within int64) is
 * refused as for an int32 array, except in comparisons, logical ops, divisions and where. NumPy's
 * side then reads the bool array as int32 (and raises OverflowError as for int32).
 */
function boolAsInt32(op: string, dtype: string, v: unknown): boolean {
  return (
    dtype === 'bool' && !OPS_WITHOUT_INT32_CHECK.has(op) && typeof v === 'number' && Number.isInteger(v) &&
    (v < INT32[0] || v > INT32[1]) && v >= -(2 ** 63) && v < 2 ** 63
  );
}

interface ReduceCheck {
  op: RedOp;
  /** Elements reduced into each result element. */
  len: number;
  /** dtype reduced. */
  dtype: DT;
  /** The axis as passed (undefined: the whole array). */
  axis: number | undefined;
}

export interface Built {
  /** distnumpy statements (standalone: operands as dn.array literals). */
  js: string[];
  /** NumPy operand definitions, standalone. */
  pyOperands: string[];
  /** NumPy operand expressions over the pools. */
  pyPools: string[];
  /** The NumPy expression of the result, over a0, a1, a2 and G. */
  py: string;
  /** The NumPy expression of the program before the step that threw (must not raise). */
  pyBefore: string | null;
  /** The accumulator before the reduction (for the tolerance's auxiliary expressions). */
  pyAcc: string;
  result: dn.NdArray | null;
  threw: unknown;
  approx: boolean;
  reduce: ReduceCheck | null;
  /** Building the operands (valid views by construction) threw. */
  setupFailed: boolean;
}

/** Run one planned program on distnumpy, recording the matching NumPy expression as it goes. */
function runProgram(prog: Program, plans: OperandPlan[], P: Partial<Record<DT, dn.NdArray>>): Built {
  const jsl: string[] = [];
  const pyOperands: string[] = [];
  const pyPools: string[] = [];
  const ops: dn.NdArray[] = [];
  const setup = () => plans.forEach((pl, k) => {
    const shapeArg = js(pl.base);
    const typed = pl.dtype === 'float64' ? new Float64Array(pl.values)
      : pl.dtype === 'float32' ? new Float32Array(pl.values)
        : pl.dtype === 'int32' ? new Int32Array(pl.values) : new Uint8Array(pl.values);
    let x: dn.NdArray;
    let src: string;
    const literal = `[${pl.values.map((v) => (pl.dtype === 'bool' ? String(v === 1) : js(v))).join(', ')}]`;
    if (pl.source === 'pool') {
      const n = pl.values.length;
      x = P[pl.dtype]!.slice([[pl.off, pl.off + n]]).reshape(pl.base);
      src = `dn.array(${literal}, { dtype: '${pl.dtype}', shape: ${shapeArg} }) /* a view of a 1-D pool: pool.slice([[${pl.off}, ${pl.off + n}]]).reshape(${shapeArg}) */`;
    } else if (pl.source === 'flat') {
      x = dn.array(typed, { dtype: pl.dtype }).reshape(pl.base);
      src = `dn.array(${literal}, { dtype: '${pl.dtype}' }).reshape(${shapeArg})`;
    } else {
      x = dn.array(typed, { dtype: pl.dtype, shape: pl.base });
      src = `dn.array(${literal}, { dtype: '${pl.dtype}', shape: ${shapeArg} })`;
    }
    let pyx = `.reshape(${pyShape(pl.base)})`;
    if (pl.items.length > 0) {
      const s = specString(pl.items);
      if (pl.arraySpec) {
        const arr = specArray(pl.items);
        x = x.slice(arr);
        src += `.slice(${JSON.stringify(arr)})`;
      } else {
        x = x.slice(s);
        src += `.slice('${s}')`;
      }
      pyx += `[${s.replace(/^$/, '()')}]`;
    }
    if (pl.perm) {
      if (pl.useT) {
        x = x.T;
        src += '.T';
        pyx += '.T';
      } else {
        x = x.transpose(pl.perm);
        src += `.transpose(${js(pl.perm)})`;
        pyx += `.transpose(${pyShape(pl.perm)})`;
      }
    }
    ops.push(x);
    jsl.push(`const a${k} = ${src};`);
    const npdt = pl.dtype === 'bool' ? 'np.bool_' : `np.${pl.dtype}`;
    pyOperands.push(`a${k} = np.array([${pl.values.map((v) => pyValue(v, pl.dtype)).join(', ')}], dtype=${npdt})${pyx}`);
    pyPools.push(`P_${pl.dtype}[${pl.off}:${pl.off + pl.values.length}]${pyx}`);
  });

  let acc: dn.NdArray;
  let pyA = 'a0';
  let approx = false;
  let before: string | null = null;
  let reduce: ReduceCheck | null = null;
  let pyAcc = pyA;
  jsl.push('let x = a0;');

  const other = (o: Other, op: string): { v: dn.NdArray | Scalar; py: string; js: string } => {
    if ('ref' in o) {
      const k = o.ref % ops.length;
      return { v: ops[k], py: `a${k}`, js: `a${k}` };
    }
    void op;
    return { v: o.scalar, py: py(o.scalar), js: js(o.scalar) };
  };
  /** Run one step: `f` builds it (may throw); on a throw the NumPy expression stops there. */
  const step = (f: () => dn.NdArray, jsText: string, pyText: string): boolean => {
    const prev = pyA;
    try {
      acc = f();
      jsl.push(`x = ${jsText};`);
      pyA = pyText;
      return true;
    } catch (e) {
      jsl.push(`x = ${jsText}; // throws ${(e as Error).name}: ${(e as Error).message}`);
      before = prev;
      pyA = pyText;
      throw e;
    }
  };
  /** `f(x, y)` as a function or a method, optionally into a fresh `out` array. */
  const call = (name: string, args: (dn.NdArray | Scalar)[], argsJs: string[], asMethod: boolean, out: boolean): [() => dn.NdArray, string] => {
    const useMethod = asMethod && args[0] instanceof dn.NdArray;
    const once = (extra: unknown[]) =>
      useMethod ? method(args[0] as dn.NdArray, name, ...args.slice(1), ...extra) : DN[name](...args, ...extra);
    const text = useMethod ? `${argsJs[0]}.${name}(${argsJs.slice(1).join(', ')}` : `dn.${name}(${argsJs.join(', ')}`;
    if (!out) return [() => once([]), `${text})`];
    return [
      () => {
        const r = once([]);
        const o = dn.zeros(r.shape, { dtype: r.dtype });
        const back = once([{ out: o }]);
        if (back !== o) throw new Error(`${name} with out did not return out`);
        return o;
      },
      `${text}${argsJs.length > (useMethod ? 1 : 0) ? ', ' : ''}{ out: dn.zeros(/* its shape and dtype */) })`,
    ];
  };

  try {
    setup(); // views are valid by construction: a throw here is a failure
    acc = ops[0];
    for (const s of prog.steps) {
      switch (s.k) {
        case 'bin': {
          if (s.op === 'pow') {
            // Integer powers are exact (wrapping); for floats only the exponents NumPy and
            // distnumpy both compute exactly (0, 1, 2). Exponents are scalars: an integer array
            // with a negative exponent raises in NumPy only when it runs.
            let e = 'scalar' in s.other && typeof s.other.scalar === 'number' && [0, 1, 2, 3].includes(s.other.scalar) ? s.other.scalar : 2;
            if (isFloat(acc.dtype) && e === 3) e = 2;
            const [f, t] = call('pow', [acc, e], ['x', String(e)], s.method, s.out);
            step(f, t, `G(np.power, ${pyA}, ${e})`);
            break;
          }
          const o = other(s.other, s.op);
          const xs = s.swap ? [o.v, acc] : [acc, o.v];
          const xj = s.swap ? [o.js, 'x'] : ['x', o.js];
          const pa = boolAsInt32(s.op, acc.dtype, o.v) ? `${pyA}.astype(np.int32)` : pyA;
          const xp = s.swap ? [o.py, pa] : [pa, o.py];
          const [f, t] = call(s.op, xs, xj, s.method, s.out);
          step(f, t, `G(np.${NP_NAME[s.op]}, ${xp[0]}, ${xp[1]})`);
          break;
        }
        case 'un': {
          const [f, t] = call(s.op, [acc], ['x'], s.method, s.out);
          step(f, t, `G(np.${NP_NAME[s.op]}, ${pyA})`);
          break;
        }
        case 'where': {
          const o = other(s.other, 'where');
          const c = s.cond as Cond;
          let cv: () => dn.NdArray | boolean;
          let cj: string;
          let cp: string;
          const a = acc;
          if ('cmp' in c) {
            const sc = c.scalar;
            cv = () => method(a, c.cmp, sc);
            cj = `x.${c.cmp}(${js(sc)})`;
            cp = `G(np.${NP_NAME[c.cmp]}, ${pyA}, ${py(sc)})`;
          } else if ('ref' in c) {
            const k = c.ref % ops.length;
            cv = () => ops[k];
            cj = `a${k}`;
            cp = `a${k}`;
          } else {
            cv = () => c.bool;
            cj = String(c.bool);
            cp = py(c.bool);
          }
          const xs = s.swap ? [o.v, acc] : [acc, o.v];
          const xj = s.swap ? [o.js, 'x'] : ['x', o.js];
          const xp = s.swap ? [o.py, pyA] : [pyA, o.py];
          step(() => dn.where(cv(), xs[0], xs[1]), `dn.where(${cj}, ${xj[0]}, ${xj[1]})`, `G(np.where, ${cp}, ${xp[0]}, ${xp[1]})`);
          break;
        }
        case 'clip': {
          const a = acc;
          const { lo, hi } = s;
          // A bool array with an integer bound and no float one computes as int32 (boolAsInt32),
          // unless a bound is beyond int64 (NumPy raises as for bool).
          const ints = [lo, hi].filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
          const asInt32 =
            a.dtype === 'bool' && ints.length > 0 && ![lo, hi].some((v) => typeof v === 'number' && !Number.isInteger(v)) &&
            ints.every((v) => v >= -(2 ** 63) && v < 2 ** 63);
          const pa = asInt32 ? `${pyA}.astype(np.int32)` : pyA;
          step(
            () => (s.method ? a.clip(lo, hi) : dn.clip(a, lo, hi)),
            s.method ? `x.clip(${js(lo)}, ${js(hi)})` : `dn.clip(x, ${js(lo)}, ${js(hi)})`,
            `G(np.clip, ${pa}, ${py(lo)}, ${py(hi)})`,
          );
          break;
        }
        case 'astype': {
          const a = acc;
          const npdt = s.dtype === 'bool' ? 'np.bool_' : `np.${s.dtype}`;
          step(() => a.astype(s.dtype), `x.astype('${s.dtype}')`, `${pyA}.astype(${npdt})`);
          break;
        }
        case 'flip': {
          const nd = acc.ndim;
          if (nd === 0) break;
          const ax = s.axis % nd;
          const spec = Array.from({ length: nd }, (_, i) => (i === ax ? '::-1' : ':')).join(', ');
          const a = acc;
          step(() => a.slice(spec), `x.slice('${spec}')`, `${pyA}[${spec}]`);
          break;
        }
        case 'reshape': {
          const a = acc;
          const sh = a.shape;
          step(() => a.reshape([-1]).reshape(sh), `x.reshape([-1]).reshape(${js(sh)})`, `${pyA}.reshape(-1).reshape(${pyShape(sh)})`);
          break;
        }
        case 'copy': {
          const a = acc;
          step(() => a.copy(), 'x.copy()', `${pyA}.copy()`);
          break;
        }
      }
    }
    if (prog.final) {
      const fo = prog.final;
      approx = true;
      if (fo.op === 'arctan2') {
        const o = other(fo.other, 'arctan2');
        const xs = fo.swap ? [o.v, acc] : [acc, o.v];
        const xj = fo.swap ? [o.js, 'x'] : ['x', o.js];
        const xp = fo.swap ? [o.py, pyA] : [pyA, o.py];
        step(() => dn.arctan2(xs[0], xs[1]), `dn.arctan2(${xj[0]}, ${xj[1]})`, `G(np.arctan2, ${xp[0]}, ${xp[1]})`);
      } else if (fo.op === 'pow') {
        const e = 'scalar' in fo.other && typeof fo.other.scalar === 'number' && !Number.isInteger(fo.other.scalar) && Number.isFinite(fo.other.scalar)
          ? fo.other.scalar
          : 1.5;
        const a = acc;
        step(() => dn.pow(a, e), `dn.pow(x, ${e})`, `G(np.power, ${pyA}, ${e})`);
      } else {
        const a = acc;
        const op = fo.op;
        step(() => DN[op](a), `dn.${op}(x)`, `G(np.${NP_NAME[op]}, ${pyA})`);
      }
    }
    pyAcc = pyA;
    if (prog.reduce) {
      const r = prog.reduce;
      const nd = acc.ndim;
      const nd1 = Math.max(nd, 1);
      const ax = r.axis === 'all' ? undefined : r.axis === 'bad' ? nd1 : (r.axis.i % nd1) - (r.axis.neg ? nd1 : 0);
      const a = acc;
      const outSize = ax === undefined || nd === 0 ? 1 : prod(a.shape.filter((_, i) => i !== (ax < 0 ? ax + nd : ax)));
      const op = r.op;
      reduce = { op, len: outSize === 0 ? 0 : a.size / outSize, dtype: a.dtype as DT, axis: ax };
      const axJs = ax === undefined ? '' : String(ax);
      step(
        () => (r.method ? method(a, op, ...(ax === undefined ? [] : [ax])) : DN[op](a, ax)),
        r.method ? `x.${op}(${axJs})` : `dn.${op}(x${ax === undefined ? '' : `, ${ax}`})`,
        `np.asarray(${pyA}).${op}(${ax === undefined ? '' : `axis=${ax}`})`,
      );
    }
    return { js: jsl, pyOperands, pyPools, py: pyA, pyBefore: null, pyAcc, result: acc, threw: null, approx, reduce, setupFailed: false };
  } catch (e) {
    return { js: jsl, pyOperands, pyPools, py: pyA, pyBefore: before, pyAcc, result: null, threw: e, approx, reduce, setupFailed: ops.length < plans.length };
  }
}

function wrapPy(b: Built, expr: string): string {
  const names = b.pyPools.map((_, k) => `a${k}`).join(', ');
  return `(lambda G, ${names}: ${expr})(${G_DEF}, ${b.pyPools.join(', ')})`;
}

// ---- comparison ----------------------------------------------------------------------------------
function ulpDistance(a: number, b: number, f32: boolean): number {
  if (Object.is(a, b) || (a !== a && b !== b)) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b) || a !== a || b !== b) return Infinity;
  if (a === b) return 1; // +0 and -0
  if (f32) {
    const i = new Int32Array(new Float32Array([a, b]).buffer);
    const x = i[0] < 0 ? -(i[0] & 0x7fffffff) : i[0];
    const y = i[1] < 0 ? -(i[1] & 0x7fffffff) : i[1];
    return Math.abs(x - y);
  }
  const i = new BigInt64Array(new Float64Array([a, b]).buffer);
  const x = i[0] < 0n ? -(i[0] & 0x7fffffffffffffffn) : i[0];
  const y = i[1] < 0n ? -(i[1] & 0x7fffffffffffffffn) : i[1];
  const d = x - y;
  return Number(d < 0n ? -d : d);
}

const EPS: Record<string, number> = { float64: 2 ** -52, float32: 2 ** -23 };
const MAX_FINITE: Record<string, number> = { float64: 1.7976931348623157e308, float32: 3.4028234663852886e38 };
const EXP_RANGE: Record<string, [number, number]> = { float64: [-1020, 1021], float32: [-124, 125] };

function indexOf(k: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(k % shape[d]);
    k = Math.floor(k / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

export interface Stats {
  programs: number;
  numpyRaised: number;
  reductions: number;
  approx: number;
  /** Elements of float sums/products not compared (some order of summation could overflow). */
  skipped: number;
  elements: number;
  /** Elements that differ only by a known bug (a KNOWN BUG guard), not counted as failures. */
  knownBugs: number;
}

interface Evaluated {
  built: Built;
  data: ArrayLike<number> | null;
  rejected: unknown;
}

/** Compare one program's outcome; returns failure messages (empty when it matches). */
function compare(ev: Evaluated, exp: Record<string, NpResult>, key: string, stats: Stats): string[] {
  const b = ev.built;
  const e = exp[key];
  const fails: string[] = [];
  if (b.setupFailed) return [`building the operands threw ${String(b.threw)}`];
  if (!e) return [`NumPy gave no result for ${key}`];
  if ('error' in e && (e.error === 'SyntaxError' || e.error === 'NameError')) return [`the NumPy expression is broken: ${e.error}: ${e.message}`];
  if ('error' in e) {
    stats.numpyRaised++;
    if (b.result) fails.push(`NumPy raises ${e.error} (${e.message}) but distnumpy did not throw`);
    return fails;
  }
  if (b.threw) {
    const err = b.threw as Error;
    return [`distnumpy threw ${err?.name}: ${err?.message}, NumPy gives ${e.dtype} ${JSON.stringify(e.shape)}`];
  }
  if (ev.rejected) {
    const err = ev.rejected as Error;
    return [`reading the result rejected: ${err?.name}: ${err?.message}`];
  }
  const actual = b.result!;
  const red = b.reduce;
  const ctx = red && (red.op === 'sum' || red.op === 'prod') ? 'sum' : 'default';
  if (JSON.stringify(actual.shape) !== JSON.stringify(e.shape)) fails.push(`shape: actual ${JSON.stringify(actual.shape)}, expected ${JSON.stringify(e.shape)}`);
  const edt = ourDType(e.dtype as NpDType, ctx);
  if (actual.dtype !== edt) fails.push(`dtype: actual ${actual.dtype}, expected ${edt} (NumPy ${e.dtype})`);
  if (fails.length) return fails;
  const got = ev.data!;
  const f32 = actual.dtype === 'float32';
  const aux = (name: string) => {
    const r = exp[`${key}_${name}`];
    if (!r || 'error' in r) throw new Error(`auxiliary NumPy expression ${name} failed: ${r && 'error' in r ? r.message : 'missing'}`);
    return r.data;
  };
  stats.elements += e.data.length;
  for (let k = 0; k < e.data.length; k++) {
    const a = Number(got[k]);
    const x = e.data[k];
    const where = `element ${k}${actual.ndim ? ` ${indexOf(k, actual.shape)}` : ''}`;
    const bad = (why: string) => fails.push(`${where}: actual ${js(a)}, expected ${js(x)}${why ? ` (${why})` : ''}`);
    if (!red || red.op === 'all' || red.op === 'any') {
      if (b.approx && isFloat(actual.dtype)) {
        const u = ulpDistance(a, x, f32);
        if (u > ULPS) bad(`${u} ulp apart, ${ULPS} allowed`);
      } else if (!(Object.is(a, x) || (a !== a && x !== x))) {
        bad(a === x ? 'sign of zero' : '');
      }
    } else if (red.op === 'min' || red.op === 'max') {
      if (b.approx && isFloat(actual.dtype)) {
        if (ulpDistance(a, x, f32) > ULPS && !(a === 0 && x === 0)) bad('');
      } else if (!(a === x || (a !== a && x !== x))) bad('');
    } else if (red.op === 'argmin' || red.op === 'argmax') {
      if (!b.approx && a !== x) bad('');
    } else if ((red.op === 'sum' && !isFloat(red.dtype)) || red.len === 0) {
      if (!(a === x || (a !== a && x !== x))) bad('');
    } else if (red.op === 'prod' && !isFloat(red.dtype)) {
      // Integer products: NumPy's int64/uint64 product (wrapped modulo 2^64) as a float64, exactly.
      if (a !== x) bad("NumPy's integer product as float64");
    } else if (red.op === 'prod') {
      const [lo, hi] = EXP_RANGE[red.dtype];
      const hiLog = aux('hi')[k];
      const loLog = aux('lo')[k];
      const nan = aux('nan')[k];
      const eps = EPS[actual.dtype] ?? EPS.float64;
      if (nan) {
        if (!(a !== a && x !== x)) bad('a NaN is reduced');
      } else if (hiLog < hi && loLog > lo) {
        if (x === 0 ? a !== 0 : Math.abs(a - x) > (red.len * (b.approx ? 1 + ULPS : 1) + 2) * eps * Math.abs(x)) bad('');
      } else if (!(Object.is(a, x) || a === x)) {
        stats.skipped++; // some order of multiplication overflows or underflows
      }
    } else {
      // float sums, means of anything
      const fin = aux('fin')[k];
      const nonfinite = aux('nonfinite')[k];
      const dt = isFloat(red.dtype) ? red.dtype : 'float64';
      const eps = EPS[actual.dtype] ?? EPS.float64;
      if (fin >= MAX_FINITE[dt] / 4) {
        if (!(a === x || (a !== a && x !== x))) stats.skipped++; // some order of summation overflows
      } else if (nonfinite) {
        if (!(a === x || (a !== a && x !== x))) bad('inf or NaN reduced');
      } else {
        const bound = red.op === 'mean' ? fin / red.len : fin;
        const tol = (red.len + 2 + (b.approx ? ULPS : 0)) * eps * bound + eps * Math.abs(x);
        if (!(Math.abs(a - x) <= tol)) bad(`tolerance ${tol}`);
      }
    }
    if (fails.length >= 3) break;
  }
  return fails;
}

function auxExprs(b: Built): Record<string, string> {
  const r = b.reduce;
  if (!r || r.len === 0) return {};
  const A = '(np.asarray(A))';
  const ax = r.axis === undefined ? '' : `axis=${r.axis}`;
  const mk = (inner: string) => wrapPy(b, `(lambda A: ${inner})(${b.pyAcc})`);
  if (r.op === 'prod' && !isFloat(r.dtype)) return {};
  if (r.op === 'prod') {
    const abs = `np.abs(${A}.astype(np.float64))`;
    return {
      hi: mk(`np.log2(np.maximum(${abs}, 1)).sum(${ax})`),
      lo: mk(`np.log2(np.where(${A} == 0, 1, np.minimum(${abs}, 1))).sum(${ax})`),
      nan: mk(`np.isnan(${A}).any(${ax})`),
    };
  }
  if (r.op === 'mean' || (r.op === 'sum' && isFloat(r.dtype))) {
    return {
      fin: mk(`np.where(np.isfinite(${A}), np.abs(${A}.astype(np.float64)), 0).sum(${ax})`),
      nonfinite: mk(`(~np.isfinite(${A}.astype(np.float64))).any(${ax})`),
    };
  }
  return {};
}

// ---- a batch -------------------------------------------------------------------------------------
export interface Failure {
  index: number;
  program: Program;
  messages: string[];
  built: Built;
}

export interface BatchResult {
  failures: Failure[];
  stats: Stats;
  /** Milliseconds: distnumpy (build and read), NumPy (the python3 call). */
  ms: { ours: number; numpy: number };
}

export async function evaluate(programs: Program[]): Promise<BatchResult> {
  const pools = new Pools();
  const planned = programs.map((p) => {
    const S = clampShape(p.shape);
    return { S, plans: p.operands.map((o) => planOperand(S, o, pools)) };
  });
  const P: Partial<Record<DT, dn.NdArray>> = {};
  const inputs: Record<string, dn.NdArray> = {};
  for (const dt of Object.keys(pools.values) as DT[]) {
    const v = pools.values[dt];
    if (v.length === 0) continue;
    const typed = dt === 'float64' ? new Float64Array(v) : dt === 'float32' ? new Float32Array(v) : dt === 'int32' ? new Int32Array(v) : new Uint8Array(v);
    P[dt] = dn.array(typed, { dtype: dt });
    inputs[`P_${dt}`] = P[dt]!;
  }
  const t0 = performance.now();
  const evs: Evaluated[] = [];
  for (let i = 0; i < programs.length; i++) {
    const built = runProgram(programs[i], planned[i].plans, P);
    let data: ArrayLike<number> | null = null;
    let rejected: unknown = null;
    if (built.result) {
      try {
        data = (await built.result.data()) as ArrayLike<number>;
      } catch (e) {
        rejected = e ?? new Error('rejected');
      }
    }
    evs.push({ built, data, rejected });
  }
  const t1 = performance.now();
  const exprs: Record<string, string> = {};
  evs.forEach((ev, i) => {
    const b = ev.built;
    exprs[`c${i}`] = wrapPy(b, b.py);
    if (b.pyBefore) exprs[`c${i}_before`] = wrapPy(b, b.pyBefore);
    if (b.result) for (const [k, v] of Object.entries(auxExprs(b))) exprs[`c${i}_${k}`] = v;
  });
  const expected = await numpy(inputs, exprs);
  const t2 = performance.now();
  const stats: Stats = { programs: programs.length, numpyRaised: 0, reductions: 0, approx: 0, skipped: 0, elements: 0, knownBugs: 0 };
  const failures: Failure[] = [];
  evs.forEach((ev, i) => {
    const b = ev.built;
    if (b.reduce) stats.reductions++;
    if (b.approx) stats.approx++;
    let messages: string[];
    try {
      messages = compare(ev, expected, `c${i}`, stats);
    } catch (e) {
      messages = [String(e)];
    }
    const before = expected[`c${i}_before`];
    if (before && 'error' in before) {
      messages.push(`NumPy already raises before the call distnumpy threw at: ${before.error}: ${before.message}`);
    }
    if (messages.length) failures.push({ index: i, program: programs[i], messages, built: b });
  });
  // The runtime must stay usable after every error above.
  const check = await dn.add(dn.arange(4, { dtype: 'int32' }), 1).data();
  if (Array.from(check).join() !== '1,2,3,4') {
    failures.push({ index: -1, program: programs[0], messages: [`runtime unusable after the batch: arange(4) + 1 gave ${Array.from(check)}`], built: evs[0]?.built });
  }
  return { failures, stats, ms: { ours: t1 - t0, numpy: t2 - t1 } };
}

// ---- reporting and shrinking -----------------------------------------------------------------------
/** A program as a standalone distnumpy snippet and the NumPy code it is compared with. */
export function render(b: Built): string {
  return [
    '  // distnumpy',
    ...b.js.map((l) => `  ${l}`),
    '  # NumPy (G applies the documented dtype deviations: int64/int8 -> int32, float16 -> float32)',
    `  G = ${G_DEF}`,
    ...b.pyOperands.map((l) => `  ${l}`),
    `  expected = ${b.py}`,
  ].join('\n');
}

export function describeFailure(f: Failure, seed: number): string {
  return [
    `program seed ${seed}: ${f.messages.join('; ')}`,
    render(f.built),
    `  program: ${fc.stringify(f.program).replaceAll('__proto__:null,', '')}`,
  ].join('\n');
}

/**
 * Let fast-check shrink a failing program: replay its seed (one run: the same program) with an
 * asynchronous property that evaluates each candidate with its own python3 call.
 */
export async function shrink(
  seed: number,
  arb: fc.Arbitrary<Program>,
  timeLimitMs: number,
): Promise<{ failure: Failure; shrinks: number } | null> {
  const details = (await fc.check(
    fc.asyncProperty(arb, async (p) => (await evaluate([p])).failures.length === 0),
    { seed, numRuns: 1, plugins: [fc.interruptAfterTimeLimit(timeLimitMs)] },
  )) as fc.RunDetails<[Program]>;
  if (!details.failed || !details.counterexample) return null;
  const p = details.counterexample[0];
  const r = await evaluate([p]);
  if (r.failures.length === 0) return null;
  return { failure: r.failures[0], shrinks: details.numShrinks };
}

/** Program `i` of a batch is the first program fast-check draws from seed `seed + i`. */
export function programAt(arb: fc.Arbitrary<Program>, seed: number): Program {
  return fc.sample(arb, { seed, numRuns: 1 })[0];
}
