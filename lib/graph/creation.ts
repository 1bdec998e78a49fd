// Array creation. Constant-filled arrays are written at once (their block is new, so nothing can
// be reading it); arange is a lazy generator that fuses into what consumes it.
import { CTOR, type DType, type TypedArray, castScalar, isDType, scalarDType } from '../kernels/dtypes.js';
import { shapeSize } from '../kernels/shape.js';
import { ShapeError, rangeError, typeError } from './errors.js';
import { dataLeaf, freshLeaf } from './materialise.js';
import { record } from './batch.js';
import { NdArray, wrap } from './ndarray.js';
import { ensureInit } from './runtime.js';
import { checkIntScalar, describe, makeEw } from './ufuncs.js';

export type ShapeArg = number | readonly number[];
export interface DTypeOption {
  dtype?: DType;
}

export function checkShape(shape: unknown, fn: string): number[] {
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(s)) throw typeError(`${fn}: shape must be a number or an array of numbers, got ${describe(shape)}`, 'ERR_SHAPE_ARG');
  for (const d of s) {
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw typeError(`${fn}: shape must contain integers, got ${JSON.stringify(s)}`, 'ERR_SHAPE_ARG');
    }
    if (d < 0) throw rangeError(`${fn}: negative dimensions are not allowed, got ${JSON.stringify(s)}`, 'ERR_SHAPE_ARG');
  }
  return [...s];
}

export function checkDType(dtype: unknown, fallback: DType): DType {
  if (dtype === undefined) return fallback;
  if (!isDType(dtype)) {
    throw typeError(`data type '${String(dtype)}' not understood (use float64, float32, int32, uint8 or bool)`, 'ERR_DTYPE');
  }
  return dtype;
}

function options(o: unknown, fn: string): DTypeOption {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) throw typeError(`${fn}: options must be an object, got ${describe(o)}`, 'ERR_OPTIONS');
  return o as DTypeOption;
}

export function full(shape: ShapeArg, value: number | boolean, opts?: DTypeOption): NdArray {
  ensureInit();
  const s = checkShape(shape, 'full');
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw typeError(`full: fill value must be a number or a boolean, got ${describe(value)}`, 'ERR_OPERAND');
  }
  const dt = checkDType(options(opts, 'full').dtype, scalarDType(value));
  checkIntScalar(value, dt);
  const leaf = freshLeaf(dt, s);
  record({ kind: 'fill', op: 'full', block: leaf.block, value: castScalar(value, dt) });
  return wrap(leaf);
}

export function zeros(shape: ShapeArg, opts?: DTypeOption): NdArray {
  ensureInit();
  const dt = checkDType(options(opts, 'zeros').dtype, 'float64');
  return wrap(freshLeaf(dt, checkShape(shape, 'zeros'), true));
}

export function ones(shape: ShapeArg, opts?: DTypeOption): NdArray {
  return full(shape, 1, { dtype: checkDType(options(opts, 'ones').dtype, 'float64') });
}

/** Uninitialised in NumPy; here the contents are whatever the block held (often zeros). */
export function empty(shape: ShapeArg, opts?: DTypeOption): NdArray {
  ensureInit();
  const dt = checkDType(options(opts, 'empty').dtype, 'float64');
  return wrap(freshLeaf(dt, checkShape(shape, 'empty')));
}

function num(v: unknown, what: string, fn: string): number {
  if (typeof v !== 'number') throw typeError(`${fn}: ${what} must be a number, got ${describe(v)}`, 'ERR_OPERAND');
  return v;
}

export function arange(start: number, stop?: number | DTypeOption, step?: number | DTypeOption, opts?: DTypeOption): NdArray {
  ensureInit();
  // arange(stop), arange(start, stop), arange(start, stop, step), each with a trailing options object.
  const args: unknown[] = [start, stop, step, opts];
  const o = args.find((a) => typeof a === 'object' && a !== null) as DTypeOption | undefined;
  const nums = args.filter((a) => a !== undefined && (typeof a !== 'object' || a === null));
  if (nums.length === 0 || nums.length > 3) throw typeError('arange: expected 1 to 3 numbers (start, stop, step)', 'ERR_ARANGE');
  let [a, b, c] = [0, 0, 1];
  if (nums.length === 1) b = num(nums[0], 'stop', 'arange');
  else {
    a = num(nums[0], 'start', 'arange');
    b = num(nums[1], 'stop', 'arange');
    if (nums.length === 3) c = num(nums[2], 'step', 'arange');
  }
  if (c === 0) throw rangeError('arange: step must not be zero (Maximum allowed size exceeded)', 'ERR_ARANGE');
  if (![a, b, c].every(Number.isFinite)) throw rangeError('arange: arguments must be finite', 'ERR_ARANGE');
  const allInt = [a, b, c].every(Number.isInteger);
  const dt = checkDType(o?.dtype, allInt ? 'int32' : 'float64');
  const n = Math.max(0, Math.ceil((b - a) / c));
  // NumPy computes the first two values, then fills with delta = second - first in the dtype.
  const first = castScalar(a, dt);
  const delta = dt === 'float32' ? Math.fround(Math.fround(a + c) - first) : castScalar(a + c, dt) - first;
  return wrap(makeEw('arange', [], dt, dt, [n], { params: [first, delta] }));
}

export function linspace(start: number, stop: number, num0 = 50, opts?: DTypeOption & { endpoint?: boolean }): NdArray {
  ensureInit();
  num(start, 'start', 'linspace');
  num(stop, 'stop', 'linspace');
  const n = num(num0, 'num', 'linspace');
  if (!Number.isInteger(n) || n < 0) throw rangeError(`Number of samples, ${n}, must be non-negative.`, 'ERR_LINSPACE');
  const endpoint = opts?.endpoint ?? true;
  const dt = checkDType(opts?.dtype, 'float64');
  const d = new CTOR[dt](n);
  // numpy.linspace, step by step: y = i*step + start (i/div*delta when step underflows to 0,
  // i*delta when there is no step), the endpoint set exactly, floored for integer dtypes.
  const div = endpoint ? n - 1 : n;
  const delta = stop - start;
  const step = delta / div;
  const intOut = dt === 'int32' || dt === 'uint8';
  for (let i = 0; i < n; i++) {
    let y = div > 0 ? (step === 0 ? (i / div) * delta : i * step) : i * delta;
    y += start;
    if (endpoint && n > 1 && i === n - 1) y = stop;
    d[i] = castScalar(intOut ? Math.floor(y) : y, dt);
  }
  return wrap(dataLeaf(dt, [n], d, 'linspace'));
}

export function eye(n: number, m?: number, opts?: DTypeOption & { k?: number }): NdArray {
  ensureInit();
  const rows = checkShape([n], 'eye')[0];
  const cols = m === undefined || m === null ? rows : checkShape([m], 'eye')[0];
  const k = opts?.k ?? 0;
  const dt = checkDType(opts?.dtype, 'float64');
  const d = new CTOR[dt](rows * cols);
  for (let i = Math.max(0, -k); i < rows && i + k < cols; i++) d[i * cols + i + k] = 1;
  return wrap(dataLeaf(dt, [rows, cols], d, 'eye'));
}

const TYPED_DTYPE = new Map<unknown, DType>([
  [Float64Array, 'float64'],
  [Float32Array, 'float32'],
  [Int32Array, 'int32'],
  [Uint8Array, 'uint8'],
  [Uint8ClampedArray, 'uint8'],
  [Int16Array, 'int32'],
  [Uint16Array, 'int32'],
  [Int8Array, 'int32'],
]);

/** dn.array(nested JS arrays | typed array | number, { dtype, shape }). */
export function array(src: unknown, opts?: DTypeOption & { shape?: readonly number[] }): NdArray {
  ensureInit();
  if (src instanceof NdArray) return opts?.dtype ? src.astype(opts.dtype) : src.copy();
  let flat: ArrayLike<number | boolean>;
  let shape: number[];
  let inferred: DType;
  if (ArrayBuffer.isView(src) && !(src instanceof DataView)) {
    const t = TYPED_DTYPE.get(src.constructor);
    if (!t) throw typeError(`array: unsupported typed array ${src.constructor.name}`, 'ERR_DTYPE');
    flat = src as unknown as ArrayLike<number>;
    shape = [flat.length];
    inferred = t;
  } else {
    const out: (number | boolean)[] = [];
    shape = inferShape(src);
    flatten(src, shape, 0, out);
    flat = out;
    inferred = inferDType(out);
  }
  if (opts?.shape !== undefined) {
    const s = checkShape(opts.shape, 'array');
    if (shapeSize(s) !== flat.length) {
      throw new ShapeError(`cannot reshape array of size ${flat.length} into shape (${s.join(', ')})`, 'ERR_RESHAPE');
    }
    shape = s;
  }
  const dt = checkDType(opts?.dtype, inferred);
  const d: TypedArray = new CTOR[dt](flat.length);
  const typed = ArrayBuffer.isView(src);
  for (let i = 0; i < flat.length; i++) {
    if (!typed) checkIntScalar(flat[i], dt);
    d[i] = castScalar(flat[i], dt);
  }
  return wrap(dataLeaf(dt, shape, d, 'array'));
}

function inferShape(x: unknown): number[] {
  if (typeof x === 'number' || typeof x === 'boolean') return [];
  if (!Array.isArray(x)) throw typeError(`array: expected numbers, booleans or (nested) arrays of them, got ${describe(x)}`, 'ERR_OPERAND');
  if (x.length === 0) return [0];
  return [x.length, ...inferShape(x[0])];
}

function flatten(x: unknown, shape: number[], d: number, out: (number | boolean)[]): void {
  if (d === shape.length) {
    if (typeof x !== 'number' && typeof x !== 'boolean') {
      if (!Array.isArray(x)) throw typeError(`array: expected numbers, booleans or (nested) arrays of them, got ${describe(x)}`, 'ERR_OPERAND');
      throw new ShapeError(
        `setting an array element with a sequence. The requested array has an inhomogeneous shape after ${d} dimensions.`,
        'ERR_RAGGED',
      );
    }
    out.push(x);
    return;
  }
  if (!Array.isArray(x) || x.length !== shape[d]) {
    if (!Array.isArray(x) && typeof x !== 'number' && typeof x !== 'boolean') {
      throw typeError(`array: expected numbers, booleans or (nested) arrays of them, got ${describe(x)}`, 'ERR_OPERAND');
    }
    throw new ShapeError(
      `setting an array element with a sequence. The requested array has an inhomogeneous shape after ${d} dimensions. The detected shape was (${shape.slice(0, d).join(', ')}${d === 1 ? ',' : ''}) + inhomogeneous part.`,
      'ERR_RAGGED',
    );
  }
  for (const v of x) flatten(v, shape, d + 1, out);
}

function inferDType(vals: (number | boolean)[]): DType {
  if (vals.length === 0) return 'float64';
  if (vals.every((v) => typeof v === 'boolean')) return 'bool';
  const nums = vals.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  return nums.every((v) => Number.isInteger(v) && Math.abs(v) <= 2147483647) ? 'int32' : 'float64';
}
