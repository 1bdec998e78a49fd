// The matrix-product backend of this node. The distribution layer (which alone loads native code)
// installs OpenBLAS here at init; until then, or without it, products run the JS kernel.
import type { TypedArray } from '../kernels/dtypes.js';

export type GemmFn = (
  dtype: 'float64' | 'float32',
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: TypedArray,
  offA: number,
  lda: number,
  B: TypedArray,
  offB: number,
  ldb: number,
  beta: number,
  C: TypedArray,
  offC: number,
  ldc: number,
) => void;

/** Row-major y = op(A) @ x (alpha 1, beta 0 when the kernels call it); A is M x N. */
export type GemvFn = (
  dtype: 'float64' | 'float32',
  trans: boolean,
  M: number,
  N: number,
  alpha: number,
  A: TypedArray,
  offA: number,
  lda: number,
  x: TypedArray,
  offX: number,
  incX: number,
  beta: number,
  y: TypedArray,
  offY: number,
  incY: number,
) => void;

let blasGemm: GemmFn | null = null;
let blasGemv: GemvFn | null = null;

export function useBlas(gemm: GemmFn | null, gemv: GemvFn | null = null): void {
  blasGemm = gemm;
  blasGemv = gemv;
}

export function gemvBlas(): GemvFn | null {
  return blasGemv;
}

export function blas(): GemmFn | null {
  return blasGemm;
}
