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

function operand(dtype: GemmDType, name: string, array: unknown, offValue: unknown, ldValue: unknown,
  rows: number, cols: number): Operand {
  if (viewKind(array) !== KIND[dtype]) {
    throw typeError(`gemm: ${name} must be a ${KIND[dtype]} for dtype '${dtype}', got ${describe(array)}`);
  }
  const view = array as Float64Array | Float32Array;
  const off = intArg('gemm', `off${name}`, offValue, 0, Number.MAX_SAFE_INTEGER);
  const ld = intArg('gemm', `ld${name.toLowerCase()}`, ldValue, Math.max(1, cols), INT32_MAX);
  const m: Operand = { name, array: view, off, ld, rows, cols };
  const need = off + span(m);
  if (span(m) > 0 && need > view.length) {
    throw rangeError(
      `gemm: ${name} (${rows}x${cols}, offset ${off}, leading dimension ${ld}) needs ` +
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
  const a = operand(dtype, 'A', A, offA, lda, transA ? K : M, transA ? M : K);
  const b = operand(dtype, 'B', B, offB, ldb, transB ? N : K, transB ? K : N);
  const c = operand(dtype, 'C', C, offC, ldc, M, N);
  // BLAS reads A and B while it writes C: aliasing gives garbage, not an error.
  for (const input of [a, b]) {
    if (overlaps(c.array, ...byteRange(c), input.array, ...byteRange(input))) {
      throw rangeError(`gemm: C overlaps ${input.name} in memory`, 'ERR_INVALID_ARG_VALUE');
    }
  }
  const lib = blas();
  if (lib === null) {
    throw Object.assign(new Error('gemm: OpenBLAS is not available (see nativeStatus().blas.reason)'),
      { code: 'ERR_NO_BLAS' });
  }
  if (dtype === 'float64') {
    lib.dgemm(transA, transB, M, N, K, alpha, a.array as Float64Array, a.off, a.ld,
      b.array as Float64Array, b.off, b.ld, beta, c.array as Float64Array, c.off, c.ld);
  } else {
    lib.sgemm(transA, transB, M, N, K, alpha, a.array as Float32Array, a.off, a.ld,
      b.array as Float32Array, b.off, b.ld, beta, c.array as Float32Array, c.off, c.ld);
  }
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
