// Element-wise operations: validate and promote at the call (errors thrown here, nothing
// recorded), then build a lazy Ew node. Nothing runs until a synchronisation point.
import {
  type DType,
  INT_RANGE,
  castScalar,
  intScalarFits,
  isDType,
  promote,
  promoteScalar,
  scalarDType,
  type Scalar,
} from '../kernels/dtypes.js';
import { NUMPY_NAME, type OpName, opResultDType } from '../kernels/ops.js';
import { broadcastShapes, sameShape, shapeStr } from '../kernels/shape.js';
import { ShapeError, broadcastError, typeError } from './errors.js';
import { realise, writeInto } from './materialise.js';
import { type ArrayNode, type Const, type Expr, type Ew, noteRoot, registerReader, resolve } from './node.js';
import { ensureInit } from './runtime.js';
import { NdArray, nodeOf, wrap } from './ndarray.js';

export type Operand = NdArray | number | boolean;
export interface UfuncOptions {
  out?: NdArray;
}

/** A fused kernel stays below this many nodes; bigger subtrees are materialised first. */
const MAX_WEIGHT = 48;
const COSTLY = new Set<Ew['op']>(['div', 'mod', 'pow', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'arctan2', 'uniform', 'normal']);
const COMPARE = new Set<OpName>(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr', 'logicalNot']);

type In = { node: ArrayNode } | { scalar: Scalar };

function toIn(x: unknown, op: OpName, pos: number): In {
  if (x instanceof NdArray) return { node: nodeOf(x) };
  if (typeof x === 'number' || typeof x === 'boolean') return { scalar: x };
  throw typeError(
    `${NUMPY_NAME[op]}: operand ${pos} must be an NdArray, a number or a boolean, got ${describe(x)}`,
    'ERR_OPERAND',
  );
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a JS array (wrap it with dn.array)';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

/** NumPy 2 refuses Python integers that do not fit the array's integer dtype. */
export function checkIntScalar(v: Scalar, dt: DType): void {
  if (!intScalarFits(v, dt)) throw typeError(`Python integer ${v} out of bounds for ${dt}`, 'ERR_OVERFLOW');
}

/** The common dtype of the inputs under NEP 50 (scalars are weak). */
function commonDType(ins: In[], op: OpName): DType {
  const arrays = ins.filter((i): i is { node: ArrayNode } => 'node' in i);
  if (arrays.length === 0) return ins.map((i) => scalarDType((i as { scalar: Scalar }).scalar)).reduce(promote);
  let dt = arrays.map((a) => a.node.dtype).reduce(promote);
  for (const i of ins) {
    if ('scalar' in i) {
      if (!intScalarFits(i.scalar, dt)) {
        // NumPy 2 compares an out-of-range Python int exactly instead of refusing it.
        if (COMPARE.has(op)) return 'float64';
        checkIntScalar(i.scalar, dt);
      }
      dt = promoteScalar(dt, i.scalar);
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

function weightOf(e: Expr): number {
  return e.kind === 'ew' && !e.realised ? e.weight : 0;
}

/** Build (without recording) an Ew node; readers are registered so writes can protect it. */
export function makeEw(op: Ew['op'], args: Expr[], dtype: DType, ct: DType, shape: number[], extra: Partial<Ew> = {}): Ew {
  const resolved = args.map((a) => {
    const r = resolve(a);
    return r.kind === 'ew' && r.weight > MAX_WEIGHT ? realise(r) : r;
  });
  const e: Ew = {
    kind: 'ew',
    op,
    args: resolved,
    dtype,
    ct,
    shape,
    weight: 1 + resolved.reduce((s, a) => s + weightOf(a), 0),
    realised: null,
    costly: COSTLY.has(op) || resolved.some((a) => a.kind === 'ew' && !a.realised && a.costly === true),
    ...extra,
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

function finish(op: OpName, e: Ew, opts: UfuncOptions | undefined): NdArray {
  const out = opts?.out;
  if (out === undefined) return wrap(e);
  if (!(out instanceof NdArray)) throw typeError(`${NUMPY_NAME[op]}: out must be an NdArray, got ${describe(out)}`, 'ERR_OUT');
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
      `Cannot cast ufunc '${NUMPY_NAME[op]}' output from dtype('${e.dtype}') to dtype('${target.dtype}') with casting rule 'same_kind'`,
      'ERR_CAST',
    );
  }
  const leaf = resolve(target);
  const tl = leaf.kind === 'leaf' ? leaf : realise(leaf as Ew);
  writeInto(tl, e, NUMPY_NAME[op]);
  return out;
}

export function unary(op: OpName, x: Operand, opts?: UfuncOptions): NdArray {
  ensureInit();
  const a = toIn(x, op, 0);
  const common = commonDType([a], op);
  const rt = opResultDType(op, common);
  if (typeof rt === 'object') throw typeError(rt.error, 'ERR_UFUNC_TYPE');
  const e = makeEw(op, [toExpr(a, common)], rt, COMPARE.has(op) ? common : rt, shapeOf(a));
  return finish(op, e, opts);
}

export function binary(op: OpName, x: Operand, y: Operand, opts?: UfuncOptions): NdArray {
  ensureInit();
  const a = toIn(x, op, 0);
  const b = toIn(y, op, 1);
  const common = commonDType([a, b], op);
  const rt = opResultDType(op, common);
  if (typeof rt === 'object') throw typeError(rt.error, 'ERR_UFUNC_TYPE');
  const shape = broadcastShapes(shapeOf(a), shapeOf(b));
  if (!shape) throw broadcastError([shapeOf(a), shapeOf(b)]);
  const ct = COMPARE.has(op) ? common : rt;
  const extra: Partial<Ew> = {};
  if (op === 'pow' && 'scalar' in b && typeof b.scalar === 'number') extra.scalarExp = b.scalar;
  const e = makeEw(op, [toExpr(a, common), toExpr(b, common)], rt, ct, shape, extra);
  return finish(op, e, opts);
}

export function where(cond: Operand, x: Operand, y: Operand, opts?: UfuncOptions): NdArray {
  ensureInit();
  const c = toIn(cond, 'where', 0);
  const a = toIn(x, 'where', 1);
  const b = toIn(y, 'where', 2);
  const rt = commonDType([a, b], 'where');
  const shape = broadcastShapes(shapeOf(c), shapeOf(a), shapeOf(b));
  if (!shape) throw broadcastError([shapeOf(c), shapeOf(a), shapeOf(b)]);
  // The condition is tested as bool whatever its dtype (0.5 is true).
  let ce = toExpr(c, 'bool');
  if (ce.dtype !== 'bool') ce = makeEw('cast', [ce], 'bool', 'bool', shapeOf(c));
  const e = makeEw('where', [ce, toExpr(a, rt), toExpr(b, rt)], rt, rt, shape);
  return finish('where', e, opts);
}

export function clip(x: Operand, lo0: Operand | null, hi0: Operand | null, opts?: UfuncOptions): NdArray {
  let lo = lo0 ?? null;
  let hi = hi0 ?? null;
  // A Python int bound beyond an integer dtype's range cannot bind: NumPy 2 ignores it.
  if (x instanceof NdArray) {
    const r = INT_RANGE[x.dtype];
    if (r && typeof lo === 'number' && Number.isInteger(lo) && lo < r[0]) lo = null;
    if (r && typeof hi === 'number' && Number.isInteger(hi) && hi > r[1]) hi = null;
  }
  if (lo === null && hi === null) return x instanceof NdArray && !opts?.out ? x.copy() : binary('maximum', x, x, opts);
  if (lo === null) return binary('minimum', x, hi!, opts);
  if (hi === null) return binary('maximum', x, lo, opts);
  return binary('minimum', binary('maximum', x, lo), hi, opts);
}

export function astype(x: NdArray, dtype: unknown): NdArray {
  ensureInit();
  if (!isDType(dtype)) throw typeError(`data type '${String(dtype)}' not understood`, 'ERR_DTYPE');
  const n = nodeOf(x);
  return wrap(makeEw('cast', [resolve(n)], dtype, dtype, n.shape));
}
