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

let blasGemm: GemmFn | null = null;

export function useBlas(fn: GemmFn | null): void {
  blasGemm = fn;
}

export function blas(): GemmFn | null {
  return blasGemm;
}
