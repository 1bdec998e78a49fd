// Element-wise operations: validate and promote at the call (errors thrown here, nothing
// recorded), then build a lazy Ew node. Nothing runs until a synchronisation point.
import {
  type DType,
  INT_RANGE,
  castScalar,
  intScalarFits,
  isDType,
  isInteger,
  nonFiniteFits,
  promote,
  promoteScalar,
  scalarDType,
  type Scalar,
} from '../kernels/dtypes.js';
import { NUMPY_NAME, type OpName, opResultDType } from '../kernels/ops.js';
import { broadcastShapes, sameShape, shapeStr } from '../kernels/shape.js';
import { ShapeError, broadcastError, checkOptions, describe, numberStr, rangeError, typeError } from './errors.js';
import { realise, writeInto } from './materialise.js';
import { type ArrayNode, type Const, type Expr, type Ew, disposals, noteRoot, registerReader, resolve } from './node.js';
import { ensureInit } from './runtime.js';
import { NdArray, liveNode, nodeOf, wrap } from './ndarray.js';

export type Operand = NdArray | number | boolean;
export interface UfuncOptions {
  out?: NdArray;
}

/** A fused kernel stays below this many nodes; bigger subtrees are materialised first. */
const MAX_WEIGHT = 48;
const COSTLY = new Set<Ew['op']>(['div', 'mod', 'pow', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'arctan2', 'uniform', 'normal']);
const COMPARE = new Set<OpName>(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr', 'logicalNot']);

type In = { node: ArrayNode } | { scalar: Scalar };

function toIn(x: unknown, name: string, pos: number): In {
  if (x instanceof NdArray) return { node: liveNode(x) };
  if (typeof x === 'number' || typeof x === 'boolean') return { scalar: x };
  const hint = Array.isArray(x) ? ' (wrap it with dn.array)' : '';
  throw typeError(`${name}: operand ${pos} must be an NdArray, a number or a boolean, got ${describe(x)}${hint}`, 'ERR_OPERAND');
}

/** NumPy 2 refuses Python integers that do not fit the array's integer dtype. */
export function checkIntScalar(v: Scalar, dt: DType): void {
  if (!intScalarFits(v, dt)) throw typeError(`Python integer ${numberStr(v as number)} out of bounds for ${dt}`, 'ERR_OVERFLOW');
}

/**
 * A JS number written into an array (dn.array, full, set, assign): as checkIntScalar, and NaN or
 * an infinity cannot become an integer (NumPy: ValueError "cannot convert float NaN to integer",
 * OverflowError "cannot convert float infinity to integer").
 */
export function checkIntWrite(v: unknown, dt: DType, fn: string): void {
  if (typeof v !== 'number') return;
  if (!nonFiniteFits(v, dt)) {
    throw rangeError(`${fn}: cannot convert float ${v !== v ? 'NaN' : 'infinity'} to integer (${v} into ${dt})`, 'ERR_NOT_FINITE');
  }
  if (!intScalarFits(v, dt)) throw typeError(`${fn}: Python integer ${numberStr(v)} out of bounds for ${dt}`, 'ERR_OVERFLOW');
}

/** NEP 50 promotion of arrays (at least one) and weak scalars, without looking at the scalars' values. */
function promoteKinds(ins: In[]): DType {
  let dt = ins.filter((i): i is { node: ArrayNode } => 'node' in i).map((a) => a.node.dtype).reduce(promote);
  for (const i of ins) if ('scalar' in i) dt = promoteScalar(dt, i.scalar);
  return dt;
}

/** Binary ops whose loops for integer inputs are float loops: a Python int goes to them as a float. */
const FLOAT_LOOP = new Set<OpName>(['div', 'arctan2']);
const TWO_63 = 2 ** 63;

/** NumPy converts a Python int to C long (int64) here and fails beyond. */
function tooLarge(v: number, why: string): TypeError {
  return typeError(`Python integer ${numberStr(v)} too large to convert to C long (${why})`, 'ERR_OVERFLOW');
}

/**
 * The common dtype of the inputs under NEP 50 (scalars are weak): every operand's kind is
 * promoted first, then each Python int (an integer-valued JS number) is checked against the
 * result, as NumPy 2 does:
 * - out of the dtype's range it is refused (OverflowError in NumPy), except that comparisons
 *   compare it exactly (in float64 here), the float loops of divide and arctan2 take it as a
 *   float, and where wraps it into the dtype (NumPy goes through int64: beyond
 *   [-2^63, 2^64) it raises);
 * - a bool array meets it as int32 here (NumPy: int64), so an int beyond int32 is refused as it
 *   is for an int32 array (comparisons aside), and one beyond int64 raises in any op but
 *   divide, arctan2 and where, as in NumPy;
 * - logical_and/logical_or convert it to int64 whatever the array: beyond int64 they raise.
 */
function commonDType(ins: In[], op: OpName): DType {
  const arrays = ins.filter((i): i is { node: ArrayNode } => 'node' in i);
  if (arrays.length === 0) return ins.map((i) => scalarDType((i as { scalar: Scalar }).scalar)).reduce(promote);
  const arrayDt = arrays.map((a) => a.node.dtype).reduce(promote);
  const dt = promoteKinds(ins);
  for (const i of ins) {
    if (!('scalar' in i) || typeof i.scalar !== 'number' || !Number.isInteger(i.scalar)) continue;
    const v = i.scalar;
    const beyond64 = v >= TWO_63 || v < -TWO_63;
    if (beyond64 && (op === 'logicalAnd' || op === 'logicalOr')) throw tooLarge(v, `${NUMPY_NAME[op]} takes it as int64`);
    if (FLOAT_LOOP.has(op)) continue;
    if (op === 'where') {
      if (isInteger(dt) && (v >= 2 ** 64 || v < -TWO_63)) throw tooLarge(v, `where takes it as int64 before casting to ${dt}`);
      continue;
    }
    if (beyond64 && arrayDt === 'bool' && dt === 'int32') throw tooLarge(v, 'a bool array meets a Python int as int64');
    if (!intScalarFits(v, dt)) {
      // NumPy 2 compares an out-of-range Python int exactly instead of refusing it.
      if (COMPARE.has(op)) return 'float64';
      checkIntScalar(v, dt);
    }
  }
  return dt;
}

function shapeOf(i: In): number[] {
  return 'node' in i ? i.node.shape : [];
}

function toExpr(i: In, dt: DType): Expr {
  if ('node' in i) return resolve(i.node);
  const c: Const = { kind: 'const', value: castScalar(i.scalar, dt), dtype: dt };
  return c;
}

/**
 * Build (without recording) an Ew node; readers are registered so writes can protect it. Every
 * node has every field, in one order: the graph's code then sees one object layout, not one per
 * combination of optional fields (a node with `scalarExp`, one later marked `consumed`, ...).
 */
export function makeEw(op: Ew['op'], args: Expr[], dtype: DType, ct: DType, shape: number[], extra: Pick<Ew, 'scalarExp' | 'params'> = {}): Ew {
  const resolved: Expr[] = [];
  for (let i = 0; i < args.length; i++) {
    const r = resolve(args[i]);
    resolved.push(r.kind === 'ew' && r.weight > MAX_WEIGHT ? realise(r) : r);
  }
  // An argument given twice (d * d) is computed once in the kernel: it counts once.
  let weight = 1;
  let costly = COSTLY.has(op);
  for (let i = 0; i < resolved.length; i++) {
    const r = resolved[i];
    if (r.kind !== 'ew' || r.realised) continue;
    if (resolved.indexOf(r) === i) weight += r.weight;
    if (r.costly === true) costly = true;
  }
  const e: Ew = {
    kind: 'ew',
    op,
    args: resolved,
    dtype,
    ct,
    shape,
    scalarExp: extra.scalarExp,
    params: extra.params,
    weight,
    realised: null,
    consumed: false,
    disposed: false,
    frozenIn: undefined,
    costly,
    liveAt: disposals(),
    memoStamp: 0,
    memoAt: 0,
  };
  for (const a of resolved) {
    if (a.kind === 'leaf') registerReader(a.block, e);
    else if (a.kind === 'ew') a.consumed = true;
  }
  noteRoot(e);
  return e;
}

/** NumPy's 'same_kind' casting, which ufunc outputs must satisfy. */
function canCastSameKind(from: DType, to: DType): boolean {
  const kind = (d: DType): number => (d === 'bool' ? 0 : d === 'uint8' || d === 'int32' ? 1 : 2);
  return kind(from) <= kind(to);
}

const UFUNC_OPTIONS = ['out'] as const;

/** The options of a ufunc call, checked before anything is built: { out } with a live NdArray. */
function ufuncOptions(opts: unknown, name: string): NdArray | undefined {
  const out = checkOptions<UfuncOptions>(opts, name, UFUNC_OPTIONS).out;
  if (out === undefined) return undefined;
  if (!(out instanceof NdArray)) throw typeError(`${name}: out must be an NdArray, got ${describe(out)}`, 'ERR_OUT');
  liveNode(out);
  return out;
}

function finish(name: string, e: Ew, out: NdArray | undefined): NdArray {
  if (out === undefined) return wrap(e);
  const target = nodeOf(out);
  const full = broadcastShapes(e.shape, target.shape);
  if (!full || !sameShape(full, target.shape)) {
    throw new ShapeError(
      `non-broadcastable output operand with shape ${shapeStr(target.shape)} doesn't match the broadcast shape ${shapeStr(full ?? e.shape)}`,
      'ERR_OUT_SHAPE',
    );
  }
  if (!canCastSameKind(e.dtype, target.dtype)) {
    throw typeError(
      `Cannot cast ufunc '${name}' output from dtype('${e.dtype}') to dtype('${target.dtype}') with casting rule 'same_kind'`,
      'ERR_CAST',
    );
  }
  const leaf = resolve(target);
  const tl = leaf.kind === 'leaf' ? leaf : realise(leaf as Ew);
  writeInto(tl, e, name);
  return out;
}

export function unary(op: OpName, x: Operand, opts?: UfuncOptions): NdArray {
  ensureInit();
  const name = NUMPY_NAME[op];
  const a = toIn(x, name, 0);
  const out = ufuncOptions(opts, name);
  const common = commonDType([a], op);
  const rt = opResultDType(op, common);
  if (typeof rt === 'object') throw typeError(rt.error, 'ERR_UFUNC_TYPE');
  const e = makeEw(op, [toExpr(a, common)], rt, COMPARE.has(op) ? common : rt, shapeOf(a));
  return finish(name, e, out);
}

export function binary(op: OpName, x: Operand, y: Operand, opts?: UfuncOptions): NdArray {
  ensureInit();
  if (opts === undefined && x instanceof NdArray && (y instanceof NdArray || typeof y === 'number')) {
    const fast = binaryFloat64(op, x, y);
    if (fast) return fast;
  }
  const name = NUMPY_NAME[op];
  const a = toIn(x, name, 0);
  const b = toIn(y, name, 1);
  const out = ufuncOptions(opts, name);
  return binaryIn(op, a, b, out, name);
}

const NO_SHAPE: number[] = [];

/**
 * binary() of a float64 array and a float64 array or a number, without options: what a numeric
 * program records most, built without the general path's operand records and promotion passes
 * (N-body records 40 such operations a step). Null where the general path has more to say: other
 * dtypes, an op without a float64 loop, shapes that do not broadcast (it throws the error).
 */
function binaryFloat64(op: OpName, x: NdArray, y: NdArray | number): NdArray | null {
  // logical_and/or take a Python int as int64 and refuse one beyond it: the general path checks.
  if (op === 'logicalAnd' || op === 'logicalOr') return null;
  const a = liveNode(x);
  if (a.dtype !== 'float64') return null;
  let b: Expr;
  let bShape: number[];
  if (typeof y === 'number') {
    b = { kind: 'const', value: y, dtype: 'float64' };
    bShape = NO_SHAPE;
  } else {
    const n = liveNode(y);
    if (n.dtype !== 'float64') return null;
    b = resolve(n);
    bShape = n.shape;
  }
  const rt = opResultDType(op, 'float64');
  if (typeof rt === 'object') return null;
  const shape = broadcastShapes(a.shape, bShape);
  if (!shape) return null;
  // A float64 result: pow's negative integer exponents need no refusal.
  const extra = op === 'pow' && typeof y === 'number' ? { scalarExp: y } : undefined;
  return wrap(makeEw(op, [resolve(a), b], rt, COMPARE.has(op) ? 'float64' : rt, shape, extra));
}

/** binary() on checked operands. */
function binaryIn(op: OpName, a: In, b: In, out: NdArray | undefined, name: string): NdArray {
  const common = commonDType([a, b], op);
  const rt = opResultDType(op, common);
  if (typeof rt === 'object') throw typeError(rt.error, 'ERR_UFUNC_TYPE');
  const shape = broadcastShapes(shapeOf(a), shapeOf(b));
  if (!shape) throw broadcastError([shapeOf(a), shapeOf(b)]);
  const ct = COMPARE.has(op) ? common : rt;
  // divide and arctan2 of integers are float loops: a scalar goes in as a float (4 / -2 with a uint8 4).
  const argDt = FLOAT_LOOP.has(op) ? rt : common;
  const extra: { scalarExp?: number } = {};
  if (op === 'pow' && 'scalar' in b && typeof b.scalar === 'number') {
    // Known at the call: refuse it here rather than fail the step (which under MPI ends the job).
    if (isInteger(rt) && Number.isInteger(b.scalar) && b.scalar < 0) {
      throw rangeError(`${name}: Integers to negative integer powers are not allowed. (${rt} ** ${b.scalar})`, 'ERR_NEGATIVE_POWER');
    }
    extra.scalarExp = b.scalar;
  }
  const e = makeEw(op, [toExpr(a, argDt), toExpr(b, argDt)], rt, ct, shape, extra);
  return finish(name, e, out);
}

export function where(cond: Operand, x: Operand, y: Operand, opts?: UfuncOptions): NdArray {
  ensureInit();
  const c = toIn(cond, 'where', 0);
  const a = toIn(x, 'where', 1);
  const b = toIn(y, 'where', 2);
  const out = ufuncOptions(opts, 'where');
  const rt = commonDType([a, b], 'where');
  const shape = broadcastShapes(shapeOf(c), shapeOf(a), shapeOf(b));
  if (!shape) throw broadcastError([shapeOf(c), shapeOf(a), shapeOf(b)]);
  // The condition is tested as bool whatever its dtype (0.5 is true).
  let ce = toExpr(c, 'bool');
  if (ce.dtype !== 'bool') ce = makeEw('cast', [ce], 'bool', 'bool', shapeOf(c));
  const e = makeEw('where', [ce, toExpr(a, rt), toExpr(b, rt)], rt, rt, shape);
  return finish('where', e, out);
}

/**
 * np.clip as NumPy 2's _clip does it: for an integer array a Python int bound beyond the dtype's
 * range cannot bind and is dropped; no bound left is np.positive (a copy; bool has no loop and
 * raises), one bound is np.maximum or np.minimum, two are the clip ufunc over the three operands
 * promoted together (clip(uint8, 300, -2.5) is float64). A bool array meeting an integer bound
 * is an int32 array here (NumPy: int64), as in every other op.
 */
export function clip(x: Operand, lo0: Operand | null, hi0: Operand | null, opts?: UfuncOptions): NdArray {
  ensureInit();
  // Every argument is checked under clip's name before anything is built.
  let a = toIn(x, 'clip', 0);
  const bound = (v: Operand | null | undefined, pos: number): In | null => (v === null || v === undefined ? null : toIn(v, 'clip', pos));
  let lo = bound(lo0, 1);
  let hi = bound(hi0, 2);
  const out = ufuncOptions(opts, 'clip');
  const dtOf = (i: In): DType => ('node' in i ? i.node.dtype : scalarDType(i.scalar));
  if (lo === null && hi === null && dtOf(a) === 'bool') {
    throw typeError("clip: ufunc 'positive' did not contain a loop with signature matching types <class 'numpy.dtypes.BoolDType'> -> None", 'ERR_UFUNC_TYPE');
  }
  let cast = false;
  const isInt = (i: In | null): i is { scalar: number } => i !== null && 'scalar' in i && typeof i.scalar === 'number' && Number.isInteger(i.scalar);
  if ('node' in a && a.node.dtype === 'bool' && promoteKinds([a, lo, hi].filter((i): i is In => i !== null)) === 'int32') {
    // An integer bound and no float one: NumPy computes in int64 (an int beyond it raises); here
    // the bool array becomes an int32 one first, so a bound beyond int32 is dropped or refused
    // as for int32.
    for (const b of [lo, hi]) {
      if (isInt(b) && (b.scalar >= TWO_63 || b.scalar < -TWO_63)) throw tooLarge(b.scalar, 'a bool array meets a Python int as int64');
    }
    a = { node: makeEw('cast', [resolve(a.node)], 'int32', 'int32', a.node.shape) };
    cast = true;
  }
  // A Python int bound beyond an integer dtype's range cannot bind: NumPy 2 ignores it.
  if ('node' in a) {
    const r = INT_RANGE[a.node.dtype];
    if (r !== undefined) {
      if (isInt(lo) && lo.scalar <= r[0]) lo = null;
      if (isInt(hi) && hi.scalar >= r[1]) hi = null;
    }
  }
  if (lo === null && hi === null) return x instanceof NdArray && out === undefined && !cast ? x.copy() : binaryIn('maximum', a, a, out, 'clip');
  if (lo === null) return binaryIn('minimum', a, hi!, out, 'clip');
  if (hi === null) return binaryIn('maximum', a, lo, out, 'clip');
  const ins = [a, lo, hi];
  const common = commonDType(ins, 'clip');
  const shape = broadcastShapes(...ins.map(shapeOf));
  if (!shape) throw broadcastError(ins.map(shapeOf));
  let e: Ew;
  if ('scalar' in lo && 'scalar' in hi) {
    // NumPy's loop for constant bounds (see opCode 'clip'): its treatment of ties and NaN.
    e = makeEw('clip', ins.map((i) => toExpr(i, common)), common, common, shape);
  } else {
    // Array bounds: NumPy's general loop, minimum(maximum(x, lo), hi) with its NaN rules.
    const inner = makeEw('maximum', [toExpr(a, common), toExpr(lo, common)], common, common, broadcastShapes(shapeOf(a), shapeOf(lo))!);
    e = makeEw('minimum', [inner, toExpr(hi, common)], common, common, shape);
  }
  return finish('clip', e, out);
}

export function astype(x: NdArray, dtype: unknown): NdArray {
  ensureInit();
  if (!(x instanceof NdArray)) throw typeError(`astype: expected an NdArray, got ${describe(x)}`, 'ERR_OPERAND');
  const n = liveNode(x);
  const dt = checkDType(dtype, undefined, 'astype');
  return wrap(makeEw('cast', [resolve(n)], dt, dt, n.shape));
}

const DTYPE_NAMES = 'float64, float32, int32, uint8 or bool';

/** A dtype argument (undefined: `fallback`, when there is one), with NumPy's words for a bad one. */
export function checkDType(dtype: unknown, fallback: DType | undefined, fn: string): DType {
  if (dtype === undefined && fallback !== undefined) return fallback;
  if (isDType(dtype)) return dtype;
  if (typeof dtype === 'string') throw typeError(`${fn}: data type '${dtype}' not understood (use ${DTYPE_NAMES})`, 'ERR_DTYPE');
  const shown = typeof dtype === 'number' || typeof dtype === 'boolean' ? `'${String(dtype)}'` : describe(dtype);
  throw typeError(`${fn}: Cannot interpret ${shown} as a data type (use ${DTYPE_NAMES})`, 'ERR_DTYPE');
}
