// Matrix products through OpenBLAS (dn_blas), checked here so that the addon never sees a
// matrix that does not fit in its array. Row-major (C order), offsets and leading dimensions
// in elements, as cblas_?gemm with CblasRowMajor: op(A) is M x K, op(B) is K x N, C is M x N.
import { INT32_MAX, describe, intArg, overlaps, rangeError, typeError, viewKind } from './args.js';
import { type BlasBinding, loadBlas } from './native.js';

export type GemmDType = 'float64' | 'float32';

const KIND: Record<GemmDType, string> = { float64: 'Float64Array', float32: 'Float32Array' };

let binding: BlasBinding | null | undefined;
function blas(): BlasBinding | null {
  if (binding === undefined) binding = loadBlas();
  return binding;
}

interface Operand {
  name: string;
  array: Float64Array | Float32Array;
  off: number;
  ld: number;
  rows: number;
  cols: number;
}

// Elements spanned: the last one is off + (rows-1)*ld + cols - 1.
function span(m: Operand): number {
  return m.rows === 0 || m.cols === 0 ? 0 : (m.rows - 1) * m.ld + m.cols;
}

function operand(fn: string, dtype: GemmDType, name: string, array: unknown, offValue: unknown, ldValue: unknown,
  rows: number, cols: number, ldName = `ld${name.toLowerCase()}`): Operand {
  if (viewKind(array) !== KIND[dtype]) {
    throw typeError(`${fn}: ${name} must be a ${KIND[dtype]} for dtype '${dtype}', got ${describe(array)}`);
  }
  const view = array as Float64Array | Float32Array;
  const off = intArg(fn, `off${name}`, offValue, 0, Number.MAX_SAFE_INTEGER);
  const ld = intArg(fn, ldName, ldValue, Math.max(1, cols), INT32_MAX);
  const m: Operand = { name, array: view, off, ld, rows, cols };
  const need = off + span(m);
  if (span(m) > 0 && need > view.length) {
    throw rangeError(
      `${fn}: ${name} (${rows}x${cols}, offset ${off}, leading dimension ${ld}) needs ` +
      `${need} elements but its ${KIND[dtype]} has ${view.length}`);
  }
  return m;
}

function byteRange(m: Operand): [number, number] {
  const size = m.array.BYTES_PER_ELEMENT;
  return [m.off * size, (m.off + span(m)) * size];
}

/**
 * C = alpha * op(A) @ op(B) + beta * C, with op(X) = X or X transposed. Works in place on the
 * arrays (also over SharedArrayBuffer). Throws TypeError/RangeError naming a bad argument.
 */
export function gemm(
  dtype: GemmDType, transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: ArrayBufferView, offA: number, lda: number,
  B: ArrayBufferView, offB: number, ldb: number,
  beta: number, C: ArrayBufferView, offC: number, ldc: number,
): void {
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw typeError(`gemm: dtype must be 'float64' or 'float32', got ${describe(dtype)}`, 'ERR_INVALID_ARG_VALUE');
  }
  for (const [name, flag] of [['transA', transA], ['transB', transB]] as const) {
    if (typeof flag !== 'boolean') throw typeError(`gemm: ${name} must be a boolean, got ${describe(flag)}`);
  }
  intArg('gemm', 'M', M, 0, INT32_MAX);
  intArg('gemm', 'N', N, 0, INT32_MAX);
  intArg('gemm', 'K', K, 0, INT32_MAX);
  if (typeof alpha !== 'number') throw typeError(`gemm: alpha must be a number, got ${describe(alpha)}`);
  if (typeof beta !== 'number') throw typeError(`gemm: beta must be a number, got ${describe(beta)}`);
  const a = operand('gemm', dtype, 'A', A, offA, lda, transA ? K : M, transA ? M : K);
  const b = operand('gemm', dtype, 'B', B, offB, ldb, transB ? N : K, transB ? K : N);
  const c = operand('gemm', dtype, 'C', C, offC, ldc, M, N);
  noOverlap('gemm', c, [a, b]);
  const lib = blasOrThrow('gemm');
  if (dtype === 'float64') {
    lib.dgemm(transA, transB, M, N, K, alpha, a.array as Float64Array, a.off, a.ld,
      b.array as Float64Array, b.off, b.ld, beta, c.array as Float64Array, c.off, c.ld);
  } else {
    lib.sgemm(transA, transB, M, N, K, alpha, a.array as Float32Array, a.off, a.ld,
      b.array as Float32Array, b.off, b.ld, beta, c.array as Float32Array, c.off, c.ld);
  }
}

/**
 * y = alpha * op(A) @ x + beta * y for a row-major M x N matrix A, op(A) = A or A transposed;
 * x and y step incX and incY (> 0) elements. In place, also over SharedArrayBuffer. Throws
 * TypeError/RangeError naming a bad argument.
 */
export function gemv(
  dtype: GemmDType, trans: boolean, M: number, N: number, alpha: number,
  A: ArrayBufferView, offA: number, lda: number, x: ArrayBufferView, offX: number, incX: number,
  beta: number, y: ArrayBufferView, offY: number, incY: number,
): void {
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw typeError(`gemv: dtype must be 'float64' or 'float32', got ${describe(dtype)}`, 'ERR_INVALID_ARG_VALUE');
  }
  if (typeof trans !== 'boolean') throw typeError(`gemv: trans must be a boolean, got ${describe(trans)}`);
  intArg('gemv', 'M', M, 0, INT32_MAX);
  intArg('gemv', 'N', N, 0, INT32_MAX);
  if (typeof alpha !== 'number') throw typeError(`gemv: alpha must be a number, got ${describe(alpha)}`);
  if (typeof beta !== 'number') throw typeError(`gemv: beta must be a number, got ${describe(beta)}`);
  const a = operand('gemv', dtype, 'A', A, offA, lda, M, N);
  // A vector of n elements a step apart spans the elements of an n x 1 matrix whose rows are a step apart.
  const xv = operand('gemv', dtype, 'x', x, offX, incX, trans ? M : N, 1, 'incX');
  const yv = operand('gemv', dtype, 'y', y, offY, incY, trans ? N : M, 1, 'incY');
  noOverlap('gemv', yv, [a, xv]);
  const lib = blasOrThrow('gemv');
  if (dtype === 'float64') {
    lib.dgemv(trans, M, N, alpha, a.array as Float64Array, a.off, a.ld, xv.array as Float64Array, xv.off, xv.ld,
      beta, yv.array as Float64Array, yv.off, yv.ld);
  } else {
    lib.sgemv(trans, M, N, alpha, a.array as Float32Array, a.off, a.ld, xv.array as Float32Array, xv.off, xv.ld,
      beta, yv.array as Float32Array, yv.off, yv.ld);
  }
}

/** BLAS reads its inputs while it writes the output: aliasing gives garbage, not an error. */
function noOverlap(fn: string, out: Operand, inputs: Operand[]): void {
  for (const input of inputs) {
    if (overlaps(out.array, ...byteRange(out), input.array, ...byteRange(input))) {
      throw rangeError(`${fn}: ${out.name} overlaps ${input.name} in memory`, 'ERR_INVALID_ARG_VALUE');
    }
  }
}

function blasOrThrow(fn: string): BlasBinding {
  const lib = blas();
  if (lib === null) {
    throw Object.assign(new Error(`${fn}: OpenBLAS is not available (see nativeStatus().blas.reason)`), { code: 'ERR_NO_BLAS' });
  }
  return lib;
}

/**
 * Sets OpenBLAS's thread count when `n` is given; returns the count in effect, or 0 without
 * BLAS. The count is process-wide: set it to 1 when several worker threads call gemm at once.
 */
export function blasThreads(n?: number): number {
  const lib = blas();
  if (n !== undefined) intArg('blasThreads', 'n', n, 1, 1024);
  if (lib === null) return 0;
  if (n !== undefined) lib.setNumThreads(n);
  return lib.getNumThreads();
}

/** openblas_get_config(), or null without BLAS. */
export function blasConfig(): string | null {
  return blas()?.config() ?? null;
}
