// distnumpy's public API (see API.md): NumPy-style arrays on every core of every node.
import type { DType } from './kernels/dtypes.js';
import { NdArray } from './graph/ndarray.js';
import * as U from './graph/ufuncs.js';
import { ensureInit, flush as flushBatch, shutdown as stop, current } from './graph/runtime.js';
import { describe, typeError } from './graph/errors.js';
import type { RuntimeOptions } from './dist/node.js';

export { NdArray } from './graph/ndarray.js';
export { ShapeError } from './graph/errors.js';
export { NpyFormatError } from './io/npy.js';
export type { DType } from './kernels/dtypes.js';
export type { SliceSpec, SliceItem } from './graph/slicing.js';
export type { Operand, UfuncOptions } from './graph/ufuncs.js';
export { zeros, ones, empty, full, arange, linspace, eye, array } from './graph/creation.js';
export { dot, matmul, outer } from './graph/linalg-api.js';
export { save, load } from './io/files.js';
export * as random from './graph/random.js';
export { version } from './version.js';

import { startCluster } from './dist/cluster.js';
import { traffic } from './dist/exchange.js';
import { serveForever } from './graph/runtime.js';

// Under mpirun every rank imports the program; only rank 0 gets past this import. The others
// serve rank 0's batches and exit when it shuts down, so the program is an ordinary sequential one.
const cluster = startCluster();
if (cluster.rank !== 0) await serveForever();

export const rank = cluster.rank;
export const size = cluster.size;

/** Optional: the first operation initialises with defaults. Idempotent. */
export async function init(opts: RuntimeOptions = {}): Promise<void> {
  // Every option is checked, also when the runtime is already up (see ensureInit).
  ensureInit(opts);
}

export function flush(): Promise<void> {
  return flushBatch();
}

export function shutdown(): Promise<void> {
  return stop();
}

/** What this process runs with: threads, thresholds, BLAS (and where each setting came from). */
export function runtimeInfo() {
  const n = current();
  // traffic: this rank's messages to and from the others (rank 0's under mpirun).
  return { rank: n.rank, size: n.size, config: n.config, blas: n.blas, traffic: { ...traffic } };
}

type O = U.Operand;
type Opt = U.UfuncOptions;
export const add = (a: O, b: O, o?: Opt) => U.binary('add', a, b, o);
export const sub = (a: O, b: O, o?: Opt) => U.binary('sub', a, b, o);
export const subtract = sub;
export const mul = (a: O, b: O, o?: Opt) => U.binary('mul', a, b, o);
export const multiply = mul;
export const div = (a: O, b: O, o?: Opt) => U.binary('div', a, b, o);
export const divide = div;
export const pow = (a: O, b: O, o?: Opt) => U.binary('pow', a, b, o);
export const power = pow;
export const mod = (a: O, b: O, o?: Opt) => U.binary('mod', a, b, o);
export const maximum = (a: O, b: O, o?: Opt) => U.binary('maximum', a, b, o);
export const minimum = (a: O, b: O, o?: Opt) => U.binary('minimum', a, b, o);
export const arctan2 = (a: O, b: O, o?: Opt) => U.binary('arctan2', a, b, o);
export const lt = (a: O, b: O, o?: Opt) => U.binary('lt', a, b, o);
export const le = (a: O, b: O, o?: Opt) => U.binary('le', a, b, o);
export const gt = (a: O, b: O, o?: Opt) => U.binary('gt', a, b, o);
export const ge = (a: O, b: O, o?: Opt) => U.binary('ge', a, b, o);
export const eq = (a: O, b: O, o?: Opt) => U.binary('eq', a, b, o);
export const ne = (a: O, b: O, o?: Opt) => U.binary('ne', a, b, o);
export const logicalAnd = (a: O, b: O, o?: Opt) => U.binary('logicalAnd', a, b, o);
export const logicalOr = (a: O, b: O, o?: Opt) => U.binary('logicalOr', a, b, o);
export const logicalNot = (a: O, o?: Opt) => U.unary('logicalNot', a, o);
export const neg = (a: O, o?: Opt) => U.unary('neg', a, o);
export const negative = neg;
export const abs = (a: O, o?: Opt) => U.unary('abs', a, o);
export const absolute = abs;
export const sqrt = (a: O, o?: Opt) => U.unary('sqrt', a, o);
export const square = (a: O, o?: Opt) => U.unary('square', a, o);
export const exp = (a: O, o?: Opt) => U.unary('exp', a, o);
export const log = (a: O, o?: Opt) => U.unary('log', a, o);
export const sin = (a: O, o?: Opt) => U.unary('sin', a, o);
export const cos = (a: O, o?: Opt) => U.unary('cos', a, o);
export const tan = (a: O, o?: Opt) => U.unary('tan', a, o);
export const floor = (a: O, o?: Opt) => U.unary('floor', a, o);
export const ceil = (a: O, o?: Opt) => U.unary('ceil', a, o);
export const where = (c: O, x: O, y: O, o?: Opt) => U.where(c, x, y, o);
export const clip = (a: O, lo: O | null, hi: O | null, o?: Opt) => U.clip(a, lo, hi, o);

// Reductions as functions: dn.sum(x, axis), as numpy.sum.
const red = (name: 'sum' | 'mean' | 'prod' | 'min' | 'max' | 'argmin' | 'argmax' | 'all' | 'any') =>
  (x: NdArray, axis?: number): NdArray => {
    needArray(name, x);
    return x[name](axis);
  };
export const sum = red('sum');
export const mean = red('mean');
export const prod = red('prod');
export const min = red('min');
export const max = red('max');
export const amin = min;
export const amax = max;
export const argmin = red('argmin');
export const argmax = red('argmax');
export const all = red('all');
export const any = red('any');

/** The array argument of a dn.* function that is a method in NumPy's habit. */
function needArray(fn: string, x: unknown): asserts x is NdArray {
  if (!(x instanceof NdArray)) throw typeError(`${fn}: expected an NdArray, got ${describe(x)}`, 'ERR_OPERAND');
}

export function reshape(x: NdArray, shape: readonly number[]): NdArray {
  needArray('reshape', x);
  return x.reshape(shape);
}
export function transpose(x: NdArray, axes?: readonly number[]): NdArray {
  needArray('transpose', x);
  return axes === undefined ? x.transpose() : x.transpose(axes);
}
export function copy(x: NdArray): NdArray {
  needArray('copy', x);
  return x.copy();
}
export function astype(x: NdArray, dtype: DType): NdArray {
  needArray('astype', x);
  return x.astype(dtype);
}
export { diagonal } from './graph/views.js';

void ensureInit;
