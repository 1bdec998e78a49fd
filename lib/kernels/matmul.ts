// The blocked matrix product used when no BLAS is present (and for integer/bool dtypes, which
// BLAS does not cover): C[i, :] = sum_k A[i, k] * B[k, :] over a row range, so threads split rows.
// A and B are read through their strides; B is expected packed C-contiguous (the caller packs)
// so the inner loop runs over contiguous memory.
import type { DType } from './dtypes.js';
import type { View } from './view.js';

const KB = 128; // k-block: a panel of B rows that stays in cache while the rows of C are updated

export function gemmRows(a: View, b: View, c: View, rowStart: number, rowEnd: number): void {
  const [, K] = a.shape;
  const N = b.shape[1];
  const [as0, as1] = a.strides;
  const [bs0, bs1] = b.strides;
  const [cs0, cs1] = c.strides;
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const intMode = isIntLike(c.dtype);
  const acc = new Float64Array(N);
  for (let i = rowStart; i < rowEnd; i++) {
    acc.fill(0);
    const ai = a.offset + i * as0;
    for (let k0 = 0; k0 < K; k0 += KB) {
      const k1 = Math.min(K, k0 + KB);
      for (let k = k0; k < k1; k++) {
        const av = A[ai + k * as1];
        let bp = b.offset + k * bs0;
        if (intMode) {
          for (let j = 0; j < N; j++, bp += bs1) acc[j] = (acc[j] + Math.imul(av, B[bp])) | 0;
        } else {
          for (let j = 0; j < N; j++, bp += bs1) acc[j] += av * B[bp];
        }
      }
    }
    let cp = c.offset + i * cs0;
    if (c.dtype === 'bool') for (let j = 0; j < N; j++, cp += cs1) C[cp] = acc[j] !== 0 ? 1 : 0;
    else for (let j = 0; j < N; j++, cp += cs1) C[cp] = acc[j];
  }
}

function isIntLike(dt: DType): boolean {
  return dt === 'int32' || dt === 'uint8';
}
