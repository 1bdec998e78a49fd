// dot, matmul and outer for 1-D and 2-D operands. Products that are really reductions
// (vector.vector, matrix.vector) fuse as such; matrix.matrix goes to BLAS (or the JS kernel).
import { promote } from '../kernels/dtypes.js';
import { shapeStr } from '../kernels/shape.js';
import { record } from './batch.js';
import { ShapeError, describe, typeError } from './errors.js';
import { asLeaf, freshLeaf } from './materialise.js';
import { NdArray, liveNode, nodeOf, wrap } from './ndarray.js';
import { reduce } from './reductions.js';
import { ensureInit } from './runtime.js';
import { binary } from './ufuncs.js';

function aligned(a: number[], b: number[], ka: number, kb: number): ShapeError {
  return new ShapeError(
    `shapes ${shapeStr(a)} and ${shapeStr(b)} not aligned: ${a[ka]} (dim ${ka}) != ${b[kb]} (dim ${kb})`,
    'ERR_ALIGN',
  );
}

export function matmul(a: NdArray, b: NdArray, name: 'matmul' | 'dot' = 'matmul'): NdArray {
  ensureInit();
  if (!(a instanceof NdArray) || !(b instanceof NdArray)) {
    throw typeError(`${name}: operands must be NdArrays, got ${describe(a)} and ${describe(b)}`, 'ERR_OPERAND');
  }
  // Before anything is built: a gemm recorded on a disposed block would fail a later, unrelated read.
  liveNode(a);
  liveNode(b);
  const sa = a.shape;
  const sb = b.shape;
  if (sa.length === 0 || sb.length === 0) {
    if (name === 'dot') return binary('mul', a, b);
    throw new ShapeError(
      `matmul: Input operand ${sa.length === 0 ? 0 : 1} does not have enough dimensions (has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) requires 1)`,
      'ERR_MATMUL_DIMS',
    );
  }
  if (sa.length > 2 || sb.length > 2) {
    throw new ShapeError(`${name}: only 1-D and 2-D operands are supported, got shapes ${shapeStr(sa)} and ${shapeStr(sb)}`, 'ERR_MATMUL_DIMS');
  }
  const dtype = promote(a.dtype, b.dtype);
  const ka = sa.length - 1;
  const kb = sb.length === 1 ? 0 : 0;
  if (sa[ka] !== sb[kb]) {
    if (name === 'matmul') {
      throw new ShapeError(
        `matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size ${sb[kb]} is different from ${sa[ka]}): shapes ${shapeStr(sa)} and ${shapeStr(sb)}`,
        'ERR_ALIGN',
      );
    }
    throw aligned(sa, sb, ka, kb);
  }
  if (sa.length === 1 && sb.length === 1) return reduce('sum', binary('mul', a, b), undefined, dtype);
  if (sa.length === 2 && sb.length === 1) return reduce('sum', binary('mul', a, b), 1, dtype);
  if (sa.length === 1) return reduce('sum', binary('mul', a.reshape(-1, 1), b), 0, dtype);
  // 2-D x 2-D. An inner dimension of 1 is an outer product: C[i, j] = A[i, 0] * B[0, j], one
  // product per element (what BLAS computes too), so it stays a lazy broadcast that fuses into
  // its consumers instead of a matrix in memory (the paper's dot(OnesCol, P.T)).
  // (An operand already of the result's dtype is used as it is: astype would copy it, and N-body
  // made 14 such copies a step.)
  const as = (x: NdArray): NdArray => (x.dtype === dtype ? x : x.astype(dtype));
  if (sa[1] === 1 && dtype !== 'bool') return binary('mul', as(a), as(b));
  const A = asLeaf(nodeOf(as(a)));
  const B = asLeaf(nodeOf(as(b)));
  const C = freshLeaf(dtype, [sa[0], sb[1]]);
  record({ kind: 'gemm', op: name, a: A, b: B, c: C });
  return wrap(C);
}

export function outer(a: NdArray, b: NdArray): NdArray {
  ensureInit();
  if (!(a instanceof NdArray) || !(b instanceof NdArray)) {
    throw typeError(`outer: operands must be NdArrays, got ${describe(a)} and ${describe(b)}`, 'ERR_OPERAND');
  }
  liveNode(a);
  liveNode(b);
  return binary('mul', a.reshape(-1, 1), b.reshape(1, -1));
}
