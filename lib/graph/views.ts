// View functions that are not methods in NumPy's habit: dn.diagonal.
import type { Leaf } from './node.js';
import { ShapeError, describe, typeError } from './errors.js';
import { asLeaf } from './materialise.js';
import { NdArray, liveNode, normAxis, wrap } from './ndarray.js';

/** numpy.diagonal(x, offset, axis1, axis2): a view; the diagonal axis goes last. */
export function diagonal(x: NdArray, offset = 0, axis1 = 0, axis2 = 1): NdArray {
  if (!(x instanceof NdArray)) throw typeError(`diagonal: expected an NdArray, got ${describe(x)}`, 'ERR_OPERAND');
  if (typeof offset !== 'number' || !Number.isInteger(offset)) {
    throw typeError(`diagonal: offset must be an integer, got ${describe(offset)}`, 'ERR_OPERAND');
  }
  const node = liveNode(x);
  const nd = x.ndim;
  if (nd < 2) throw new ShapeError('diag requires an array of at least two dimensions', 'ERR_DIAGONAL');
  const a1 = normAxis(axis1, nd, 'diagonal: axis1');
  const a2 = normAxis(axis2, nd, 'diagonal: axis2');
  if (a1 === a2) throw new ShapeError('axis1 and axis2 cannot be the same', 'ERR_DIAGONAL');
  const l = asLeaf(node);
  const n1 = l.shape[a1];
  const n2 = l.shape[a2];
  const len = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  let off = l.offset;
  if (len > 0) off += offset >= 0 ? offset * l.strides[a2] : -offset * l.strides[a1];
  const keep = l.shape.map((_, i) => i).filter((i) => i !== a1 && i !== a2);
  const view: Leaf = {
    ...l,
    shape: [...keep.map((i) => l.shape[i]), len],
    strides: [...keep.map((i) => l.strides[i]), l.strides[a1] + l.strides[a2]],
    offset: off,
  };
  return wrap(view);
}
