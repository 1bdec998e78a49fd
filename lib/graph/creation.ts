// Array creation. Constant-filled arrays are written at once (their block is new, so nothing can
// be reading it); arange is a lazy generator that fuses into what consumes it.
import { CTOR, type DType, type TypedArray, castScalar, scalarDType } from '../kernels/dtypes.js';
import { shapeSize } from '../kernels/shape.js';
import { ShapeError, checkOptions, describe, numberStr, rangeError, show, typeError } from './errors.js';
import { freshLeaf } from './materialise.js';
import { record } from './batch.js';
import { NdArray, liveNode, wrap } from './ndarray.js';
import { ensureInit } from './runtime.js';
import { checkDType, checkIntWrite, makeEw } from './ufuncs.js';

export type ShapeArg = number | readonly number[];
export interface DTypeOption {
  dtype?: DType;
}

const DTYPE_ONLY = ['dtype'] as const;

/** More elements than this cannot be indexed exactly (NumPy: "array is too big"). */
function checkSize(n: number, what: string | (() => string), fn: string): void {
  if (n > Number.MAX_SAFE_INTEGER) {
    throw rangeError(
      `${fn}: array is too big: ${typeof what === 'string' ? what : what()} has ${Number.isFinite(n) ? numberStr(n) : 'more than 1e308'} elements, more than 2**53 - 1`,
      'ERR_OUT_OF_MEMORY',
    );
  }
}

export function checkShape(shape: unknown, fn: string): number[] {
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(s)) {
    throw typeError(`${fn}: shape must be an integer or a list of integers, got ${describe(shape)}`, 'ERR_SHAPE_ARG');
  }
  for (const d of s) {
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw typeError(`${fn}: shape must contain integers, got ${show(shape)}: ${describe(d)} is not an integer`, 'ERR_SHAPE_ARG');
    }
  }
  for (const d of s as number[]) {
    if (d < 0) throw rangeError(`${fn}: negative dimensions are not allowed, got shape ${show(shape)}`, 'ERR_SHAPE_ARG');
  }
  // The message is built only for a refusal: every creation passes here (N-body's two ones() a
  // step spent more on showing the shape than on the rest of the check).
  checkSize(shapeSize(s as number[]), () => `shape ${show(shape)}`, fn);
  return [...(s as number[])];
}

function options<T extends object>(o: unknown, fn: string, allowed: readonly string[] = DTYPE_ONLY): Partial<T> {
  return checkOptions<T>(o, fn, allowed);
}

/** A host-built array (linspace, eye, array): its block first, so that the memory check comes before the host copy. */
function hostLeaf(dt: DType, shape: number[], op: string, fill: (d: TypedArray) => void): NdArray {
  const leaf = freshLeaf(dt, shape);
  const d = new CTOR[dt](shapeSize(shape));
  fill(d);
  record({ kind: 'data', op, block: leaf.block, values: d });
  return wrap(leaf);
}

function fullIn(fn: string, shape: unknown, value: unknown, opts: unknown): NdArray {
  ensureInit();
  const o = options<DTypeOption>(opts, fn);
  const s = checkShape(shape, fn);
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw typeError(`${fn}: fill value must be a number or a boolean, got ${describe(value)}`, 'ERR_OPERAND');
  }
  const dt = checkDType(o.dtype, fn === 'full' ? scalarDType(value) : 'float64', fn);
  checkIntWrite(value, dt, fn);
  const leaf = freshLeaf(dt, s);
  record({ kind: 'fill', op: fn, block: leaf.block, value: castScalar(value, dt) });
  return wrap(leaf);
}

export function full(shape: ShapeArg, value: number | boolean, opts?: DTypeOption): NdArray {
  return fullIn('full', shape, value, opts);
}

export function zeros(shape: ShapeArg, opts?: DTypeOption): NdArray {
  ensureInit();
  const dt = checkDType(options<DTypeOption>(opts, 'zeros').dtype, 'float64', 'zeros');
  return wrap(freshLeaf(dt, checkShape(shape, 'zeros'), true));
}

export function ones(shape: ShapeArg, opts?: DTypeOption): NdArray {
  return fullIn('ones', shape, 1, opts);
}

/** Uninitialised in NumPy; here the contents are whatever the block held (often zeros). */
export function empty(shape: ShapeArg, opts?: DTypeOption): NdArray {
  ensureInit();
  const dt = checkDType(options<DTypeOption>(opts, 'empty').dtype, 'float64', 'empty');
  return wrap(freshLeaf(dt, checkShape(shape, 'empty')));
}

function isOptionsObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof NdArray);
}

function num(v: unknown, what: string, fn: string): number {
  if (typeof v !== 'number') {
    const hint = isOptionsObject(v) ? ' (the options object goes last)' : '';
    throw typeError(`${fn}: ${what} must be a number, got ${describe(v)}${hint}`, 'ERR_OPERAND');
  }
  return v;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function arange(start: number, stop?: number | DTypeOption, step?: number | DTypeOption, opts?: DTypeOption): NdArray {
  ensureInit();
  // arange(stop), arange(start, stop), arange(start, stop, step), each with a trailing options object.
  const args: unknown[] = [start, stop, step, opts];
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  const last = args.length > 0 && isOptionsObject(args[args.length - 1]) ? args.pop() : undefined;
  if (args.length === 0) {
    const got = last === undefined ? 'none' : `only options: ${describe(last)}`;
    throw typeError(`arange: expected 1 to 3 numbers (start, stop, step), got ${got}`, 'ERR_ARANGE');
  }
  const o = options<DTypeOption>(last, 'arange');
  if (args.length > 3) throw typeError(`arange: expected 1 to 3 numbers (start, stop, step), got ${args.length}: ${show(args)}`, 'ERR_ARANGE');
  const names = args.length === 1 ? ['stop'] : ['start', 'stop', 'step'];
  const vals = args.map((v, i) => num(v, names[i], 'arange'));
  const [a, b, c] = vals.length === 1 ? [0, vals[0], 1] : [vals[0], vals[1], vals[2] ?? 1];
  if (c === 0) throw rangeError('arange: step must not be zero (Maximum allowed size exceeded)', 'ERR_ARANGE');
  for (const [i, v] of vals.entries()) {
    if (!Number.isFinite(v)) throw rangeError(`arange: cannot compute length: ${names[i]} is ${v} (arguments must be finite)`, 'ERR_ARANGE');
  }
  const allInt = [a, b, c].every(Number.isInteger);
  const dt = checkDType(o.dtype, allInt ? 'int32' : 'float64', 'arange');
  const n = Math.max(0, Math.ceil((b - a) / c));
  if (n > Number.MAX_SAFE_INTEGER) {
    throw rangeError(`arange: Maximum allowed size exceeded: array is too big: ${numberStr(n)} elements from ${numberStr(a)} to ${numberStr(b)} by ${numberStr(c)}`, 'ERR_OUT_OF_MEMORY');
  }
  if (allInt && o.dtype === undefined && n > 0) {
    // NumPy would make these int64, which distnumpy does not have: refuse rather than wrap.
    const last = a + (n - 1) * c;
    if (Math.min(a, last) < INT32_MIN || Math.max(a, last) > INT32_MAX) {
      throw rangeError(
        `arange: integer values from ${numberStr(a)} to ${numberStr(last)} do not fit int32 (NumPy would give int64, which distnumpy does not have); ` +
          `pass { dtype: 'float64' } (exact to 2**53) or float arguments`,
        'ERR_OVERFLOW',
      );
    }
  }
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
  if (!Number.isInteger(n)) throw typeError(`linspace: num (the number of samples) must be an integer, got ${describe(n)}`, 'ERR_LINSPACE');
  if (n < 0) throw rangeError(`linspace: Number of samples, ${n}, must be non-negative.`, 'ERR_LINSPACE');
  checkSize(n, 'num', 'linspace');
  const o = options<DTypeOption & { endpoint?: boolean }>(opts, 'linspace', ['dtype', 'endpoint']);
  if (o.endpoint !== undefined && typeof o.endpoint !== 'boolean') {
    throw typeError(`linspace: endpoint must be a boolean, got ${describe(o.endpoint)}`, 'ERR_OPTIONS');
  }
  const endpoint = o.endpoint ?? true;
  const dt = checkDType(o.dtype, 'float64', 'linspace');
  // numpy.linspace, step by step: y = i*step + start (i/div*delta when step underflows to 0,
  // i*delta when there is no step), the endpoint set exactly, floored for integer dtypes.
  const div = endpoint ? n - 1 : n;
  const delta = stop - start;
  const step = delta / div;
  const intOut = dt === 'int32' || dt === 'uint8';
  return hostLeaf(dt, [n], 'linspace', (d) => {
    for (let i = 0; i < n; i++) {
      let y = div > 0 ? (step === 0 ? (i / div) * delta : i * step) : i * delta;
      y += start;
      if (endpoint && n > 1 && i === n - 1) y = stop;
      d[i] = castScalar(intOut ? Math.floor(y) : y, dt);
    }
  });
}

/** A non-negative integer argument (eye's N and M). */
function dim(v: unknown, what: string, fn: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    const hint = isOptionsObject(v) ? ` (options go third: ${fn}(N, M, { dtype, k }))` : '';
    throw typeError(`${fn}: ${what} must be an integer, got ${describe(v)}${hint}`, 'ERR_SHAPE_ARG');
  }
  if (v < 0) throw rangeError(`${fn}: negative dimensions are not allowed, got ${what} = ${v}`, 'ERR_SHAPE_ARG');
  return v;
}

export function eye(n: number, m?: number, opts?: DTypeOption & { k?: number }): NdArray {
  ensureInit();
  const rows = dim(n, 'N', 'eye');
  const cols = m === undefined || m === null ? rows : dim(m, 'M', 'eye');
  const o = options<DTypeOption & { k?: number }>(opts, 'eye', ['dtype', 'k']);
  const k = o.k ?? 0;
  if (typeof k !== 'number' || !Number.isInteger(k)) throw typeError(`eye: k (the diagonal) must be an integer, got ${describe(k)}`, 'ERR_OPTIONS');
  const dt = checkDType(o.dtype, 'float64', 'eye');
  checkSize(rows * cols, `a ${rows} x ${cols} matrix`, 'eye');
  return hostLeaf(dt, [rows, cols], 'eye', (d) => {
    for (let i = Math.max(0, -k); i < rows && i + k < cols; i++) d[i * cols + i + k] = 1;
  });
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
  const o = options<DTypeOption & { shape?: readonly number[] }>(opts, 'array', ['dtype', 'shape']);
  const dt0 = o.dtype === undefined ? undefined : checkDType(o.dtype, undefined, 'array');
  const s0 = o.shape === undefined ? undefined : checkShape(o.shape, 'array');
  if (src instanceof NdArray) {
    liveNode(src);
    if (s0 !== undefined && shapeSize(s0) !== src.size) {
      throw new ShapeError(`cannot reshape array of size ${src.size} into shape (${s0.join(', ')})`, 'ERR_RESHAPE');
    }
    const c = dt0 ? src.astype(dt0) : src.copy();
    return s0 === undefined ? c : c.reshape(s0);
  }
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
  if (s0 !== undefined) {
    if (shapeSize(s0) !== flat.length) {
      throw new ShapeError(`cannot reshape array of size ${flat.length} into shape (${s0.join(', ')})`, 'ERR_RESHAPE');
    }
    shape = s0;
  }
  const dt = dt0 ?? inferred;
  const typed = ArrayBuffer.isView(src);
  if (!typed) for (let i = 0; i < flat.length; i++) checkIntWrite(flat[i], dt, 'array');
  return hostLeaf(dt, shape, 'array', (d) => {
    for (let i = 0; i < flat.length; i++) d[i] = castScalar(flat[i], dt);
  });
}

function notElements(x: unknown): TypeError {
  const like = isOptionsObject(x) && typeof (x as { length?: unknown }).length === 'number' ? ' (an array-like Object: convert it with Array.from)' : '';
  return typeError(`array: expected numbers, booleans or (nested) JS arrays of them, got ${describe(x)}${like}`, 'ERR_OPERAND');
}

function inferShape(x: unknown): number[] {
  if (typeof x === 'number' || typeof x === 'boolean') return [];
  if (!Array.isArray(x)) throw notElements(x);
  if (x.length === 0) return [0];
  return [x.length, ...inferShape(x[0])];
}

function flatten(x: unknown, shape: number[], d: number, out: (number | boolean)[]): void {
  if (d === shape.length) {
    if (typeof x !== 'number' && typeof x !== 'boolean') {
      if (!Array.isArray(x)) throw notElements(x);
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
      throw notElements(x);
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
