// NdArray: the user's handle. It holds a node of the lazy graph (a view of a block, or an
// element-wise expression not yet computed) and forwards each method to the module that holds it.
import type { DType, TypedArray } from '../kernels/dtypes.js';
import { cStrides, isCContiguous, shapeSize, shapeStr } from '../kernels/shape.js';
import { DESCRIBE, ShapeError, axisError, describe, rangeError, show, typeError } from './errors.js';
import { asLeaf, freshLeaf, writeInto } from './materialise.js';
import { type ArrayNode, type Ew, type Leaf, disposals, noteDisposal, resolve } from './node.js';
import { type SliceSpec, applySpec } from './slicing.js';
import * as U from './ufuncs.js';
import * as R from './reductions.js';
import * as IO from './readback.js';
import { matmul } from './linalg.js';
import { formatArray } from './format.js';

const NODE = Symbol('distnumpy.node');

export class NdArray {
  [NODE]: ArrayNode;

  /** @internal Arrays are made by dn.* functions, not by `new`. */
  constructor(node: ArrayNode) {
    this[NODE] = node;
  }

  get shape(): number[] {
    return [...this[NODE].shape];
  }
  get dtype(): DType {
    return this[NODE].dtype;
  }
  get ndim(): number {
    return this[NODE].shape.length;
  }
  get size(): number {
    return shapeSize(this[NODE].shape);
  }
  get T(): NdArray {
    return this.transpose();
  }

  // ---- views -------------------------------------------------------------------------------
  slice(spec: SliceSpec): NdArray {
    const leaf = asLeaf(liveNode(this));
    return wrap({ ...leaf, ...applySpec(leaf, spec) } as Leaf);
  }

  reshape(...args: (number | readonly number[])[]): NdArray {
    const req = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
    const shape = resolveReshape(this.size, req, args.length === 1 ? args[0] : args);
    const leaf = asLeaf(liveNode(this));
    if (isCContiguous(leaf)) return wrap({ ...leaf, shape, strides: cStrides(shape) });
    return wrap({ ...asLeaf(this.copy()[NODE]), shape, strides: cStrides(shape) });
  }

  /** A flat C-ordered array (a view when contiguous, as numpy.ravel). */
  ravel(): NdArray {
    return this.reshape(-1);
  }
  flatten(): NdArray {
    return this.copy().reshape(-1);
  }

  transpose(...axesArg: (number | readonly number[])[]): NdArray {
    const node = liveNode(this);
    const nd = this.ndim;
    // transpose(), transpose(undefined): reversed; transpose([1, 0]) or transpose(1, 0).
    const none = axesArg.length === 0 || (axesArg.length === 1 && axesArg[0] === undefined);
    const list = axesArg.length === 1 && Array.isArray(axesArg[0]);
    if (axesArg.length === 1 && !none && !list && typeof axesArg[0] !== 'number') {
      throw typeError(`transpose: axes must be a list of integers or integers, got ${describe(axesArg[0])}`, 'ERR_AXIS_TYPE');
    }
    const axes: unknown[] = none ? Array.from({ length: nd }, (_, i) => nd - 1 - i) : list ? [...(axesArg[0] as number[])] : axesArg;
    for (const a of axes) normAxis(a, Infinity, 'transpose: axis'); // types first
    if (axes.length !== nd) {
      throw new ShapeError(`axes don't match array: transpose got ${axes.length} axes ${show(axes)} for an array of dimension ${nd}`, 'ERR_AXES');
    }
    const norm = axes.map((a) => normAxis(a, nd, 'transpose: axis'));
    if (new Set(norm).size !== nd) throw rangeError(`repeated axis in transpose: axes ${show(axes)}`, 'ERR_AXES');
    const leaf = asLeaf(node);
    return wrap({ ...leaf, shape: norm.map((a) => leaf.shape[a]), strides: norm.map((a) => leaf.strides[a]) });
  }

  // ---- writes ------------------------------------------------------------------------------
  /** a.set('1:-1, 1:-1', b) is NumPy's a[1:-1, 1:-1] = b. */
  set(spec: SliceSpec, value: NdArray | number | boolean): this {
    this.slice(spec).assign(value);
    return this;
  }

  /** Write `value` (broadcast, cast) into this array or view. */
  assign(value: NdArray | number | boolean): this {
    const leaf = asLeaf(liveNode(this));
    if (value instanceof NdArray) {
      const v = liveNode(value);
      if (!canBroadcastTo(v.shape, leaf.shape)) {
        throw new ShapeError(
          `could not broadcast input array from shape ${shapeStr(v.shape)} into shape ${shapeStr(leaf.shape)}`,
          'ERR_ASSIGN_SHAPE',
        );
      }
      writeInto(leaf, resolve(v), 'assign');
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      U.checkIntWrite(value, leaf.dtype, 'assign');
      const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      writeInto(leaf, { kind: 'const', value: v, dtype: 'float64' }, 'assign');
    } else {
      throw typeError(`assign: can only assign an NdArray, a number or a boolean, got ${describe(value)}`, 'ERR_OPERAND');
    }
    return this;
  }

  copy(): NdArray {
    const n = liveNode(this);
    const out = freshLeaf(n.dtype, n.shape);
    writeInto(out, resolve(n), 'copy');
    return wrap(out);
  }

  astype(dtype: DType): NdArray {
    return U.astype(this, dtype);
  }

  /** Free this array's memory now (and that of views sharing it); using them later throws. */
  dispose(): void {
    const n = resolve(this[NODE]);
    noteDisposal();
    if (n.kind === 'leaf') IO.disposeBlock(n.block);
    else {
      // A lazy expression holds no memory of its own: forget its inputs and refuse later use.
      (n as Ew).disposed = true;
      (n as Ew).args = [];
    }
  }

  // ---- element-wise ------------------------------------------------------------------------
  add(b: U.Operand, o?: U.UfuncOptions) { return U.binary('add', this, b, o); }
  sub(b: U.Operand, o?: U.UfuncOptions) { return U.binary('sub', this, b, o); }
  mul(b: U.Operand, o?: U.UfuncOptions) { return U.binary('mul', this, b, o); }
  div(b: U.Operand, o?: U.UfuncOptions) { return U.binary('div', this, b, o); }
  pow(b: U.Operand, o?: U.UfuncOptions) { return U.binary('pow', this, b, o); }
  mod(b: U.Operand, o?: U.UfuncOptions) { return U.binary('mod', this, b, o); }
  maximum(b: U.Operand, o?: U.UfuncOptions) { return U.binary('maximum', this, b, o); }
  minimum(b: U.Operand, o?: U.UfuncOptions) { return U.binary('minimum', this, b, o); }
  arctan2(b: U.Operand, o?: U.UfuncOptions) { return U.binary('arctan2', this, b, o); }
  lt(b: U.Operand, o?: U.UfuncOptions) { return U.binary('lt', this, b, o); }
  le(b: U.Operand, o?: U.UfuncOptions) { return U.binary('le', this, b, o); }
  gt(b: U.Operand, o?: U.UfuncOptions) { return U.binary('gt', this, b, o); }
  ge(b: U.Operand, o?: U.UfuncOptions) { return U.binary('ge', this, b, o); }
  eq(b: U.Operand, o?: U.UfuncOptions) { return U.binary('eq', this, b, o); }
  ne(b: U.Operand, o?: U.UfuncOptions) { return U.binary('ne', this, b, o); }
  logicalAnd(b: U.Operand, o?: U.UfuncOptions) { return U.binary('logicalAnd', this, b, o); }
  logicalOr(b: U.Operand, o?: U.UfuncOptions) { return U.binary('logicalOr', this, b, o); }
  logicalNot(o?: U.UfuncOptions) { return U.unary('logicalNot', this, o); }
  neg(o?: U.UfuncOptions) { return U.unary('neg', this, o); }
  abs(o?: U.UfuncOptions) { return U.unary('abs', this, o); }
  sqrt(o?: U.UfuncOptions) { return U.unary('sqrt', this, o); }
  square(o?: U.UfuncOptions) { return U.unary('square', this, o); }
  exp(o?: U.UfuncOptions) { return U.unary('exp', this, o); }
  log(o?: U.UfuncOptions) { return U.unary('log', this, o); }
  sin(o?: U.UfuncOptions) { return U.unary('sin', this, o); }
  cos(o?: U.UfuncOptions) { return U.unary('cos', this, o); }
  tan(o?: U.UfuncOptions) { return U.unary('tan', this, o); }
  floor(o?: U.UfuncOptions) { return U.unary('floor', this, o); }
  ceil(o?: U.UfuncOptions) { return U.unary('ceil', this, o); }
  clip(lo: U.Operand | null, hi: U.Operand | null, o?: U.UfuncOptions) { return U.clip(this, lo, hi, o); }

  // ---- reductions --------------------------------------------------------------------------
  sum(axis?: number) { return R.reduce('sum', this, axis); }
  mean(axis?: number) { return R.reduce('mean', this, axis); }
  prod(axis?: number) { return R.reduce('prod', this, axis); }
  min(axis?: number) { return R.reduce('min', this, axis); }
  max(axis?: number) { return R.reduce('max', this, axis); }
  argmin(axis?: number) { return R.reduce('argmin', this, axis); }
  argmax(axis?: number) { return R.reduce('argmax', this, axis); }
  all(axis?: number) { return R.reduce('all', this, axis); }
  any(axis?: number) { return R.reduce('any', this, axis); }

  matmul(b: NdArray): NdArray {
    return matmul(this, b);
  }
  dot(b: NdArray): NdArray {
    return matmul(this, b, 'dot');
  }

  // ---- reading values (synchronisation points) -----------------------------------------------
  data(): Promise<TypedArray> {
    return IO.readData(this[NODE]);
  }
  toArray(): Promise<unknown> {
    return IO.readNested(this[NODE]);
  }
  item(): Promise<number | boolean> {
    if (this.size !== 1) {
      throw new ShapeError(`can only convert an array of size 1 to a Python scalar (size is ${this.size})`, 'ERR_ITEM');
    }
    return IO.readItem(this[NODE]);
  }
  /** NumPy-like text; `await x.toString()`. */
  // Reading is asynchronous, so toString returns a promise (API.md).
  toString(): Promise<string> {
    const n = this[NODE];
    return IO.readData(n).then((d) => formatArray(d, n.shape, n.dtype));
  }
  get [Symbol.toStringTag](): string {
    return `NdArray ${shapeStr(this[NODE].shape)} ${this[NODE].dtype}`;
  }
  /** For messages: `NdArray(float64, [3, 4])`, without reading the values. */
  [DESCRIBE](): string {
    return `NdArray(${this[NODE].dtype}, [${this[NODE].shape.join(', ')}])`;
  }
  /**
   * `${x}` and String(x) give the short description (reading is asynchronous: `await x.toString()`
   * prints the values); an NdArray is not a number (`await x.item()` reads one).
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'number') throw typeError(`cannot convert ${this[DESCRIBE]()} to a number: read it with await x.item()`, 'ERR_OPERAND');
    return this[DESCRIBE]();
  }
}

export function wrap(n: ArrayNode): NdArray {
  return new NdArray(n);
}

export function nodeOf(x: NdArray): ArrayNode {
  return x[NODE];
}

/**
 * Whether the array (or a lazy input it still needs) was disposed. A lazy tree is walked only
 * when something was disposed since it was last found whole: every operation checks its operands,
 * and walking N-body's force expression at each one was 5% of its recording.
 */
function isDisposed(e: ArrayNode): boolean {
  const r = resolve(e);
  if (r.kind === 'leaf') return r.block.disposed;
  const now = disposals();
  if (r.liveAt === now) return false;
  if (r.disposed) return true;
  for (const a of r.args) if (a.kind !== 'const' && isDisposed(a)) return true;
  r.liveAt = now;
  return false;
}

/** x's node, refusing an array that was disposed (before anything is built or recorded). */
export function liveNode(x: NdArray): ArrayNode {
  const n = x[NODE];
  if (isDisposed(n)) throw new Error(`cannot use an array after dispose(): ${x[DESCRIBE]()}`);
  return n;
}

/** An axis of an array of `nd` dimensions; `what` names it in messages ('sum: axis'). */
export function normAxis(axis: unknown, nd: number, what = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw typeError(`${what} must be an integer, got ${describe(axis)}`, 'ERR_AXIS_TYPE');
  }
  if (axis < -nd || axis >= nd) throw axisError(axis, nd);
  return axis < 0 ? axis + nd : axis;
}

function canBroadcastTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) {
    // NumPy allows extra leading ones: a (1, 3) value into a (3,) view.
    const extra = from.length - to.length;
    if (from.slice(0, extra).some((d) => d !== 1)) return false;
    from = from.slice(extra);
  }
  const off = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[off + i]);
}

function resolveReshape(size: number, req: readonly unknown[], given: unknown): number[] {
  for (const d of req) {
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw typeError(`reshape: shape must be a list of integers (one may be -1), got ${show(given)}: ${describe(d)} is not an integer`, 'ERR_SHAPE_ARG');
    }
    if (d < -1) throw rangeError(`reshape: negative dimensions are not allowed (except one -1), got ${show(given)}`, 'ERR_SHAPE_ARG');
  }
  const unknown = req.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError('can only specify one unknown dimension', 'ERR_RESHAPE');
  const nums = req as readonly number[];
  const known = nums.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const shape = [...nums];
  if (unknown === 1) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`cannot reshape array of size ${size} into shape ${reshapeStr(nums)}`, 'ERR_RESHAPE');
    }
    shape[shape.indexOf(-1)] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`cannot reshape array of size ${size} into shape ${reshapeStr(nums)}`, 'ERR_RESHAPE');
  }
  return shape;
}

function reshapeStr(req: readonly number[]): string {
  return shapeStr(req);
}

export type { Ew };
