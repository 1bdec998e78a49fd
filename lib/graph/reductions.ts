// Reductions: validated here, recorded as one step that fuses with the chain feeding it.
import type { DType } from '../kernels/dtypes.js';
import type { ReduceOp } from '../kernels/program.js';
import { shapeSize } from '../kernels/shape.js';
import { ShapeError } from './errors.js';
import { recordReduce } from './materialise.js';
import { NdArray, liveNode, normAxis, wrap } from './ndarray.js';
import { ensureInit } from './runtime.js';

const NUMPY: Record<ReduceOp, string> = {
  sum: 'add', mean: 'mean', prod: 'multiply', min: 'minimum', max: 'maximum', argmin: 'argmin',
  argmax: 'argmax', all: 'logical_and', any: 'logical_or',
};

/** Result dtypes; NumPy's int64 sums become float64 here (exact to 2^53), its intp indices int32. */
export function reduceDType(red: ReduceOp, dt: DType): DType {
  switch (red) {
    case 'sum':
    case 'prod':
      return dt === 'float32' || dt === 'float64' ? dt : 'float64';
    case 'mean':
      return dt === 'float32' ? 'float32' : 'float64';
    case 'argmin':
    case 'argmax':
      return 'int32';
    case 'all':
    case 'any':
      return 'bool';
    default:
      return dt;
  }
}

export function reduce(red: ReduceOp, x: NdArray, axis?: number, dtype?: DType): NdArray {
  ensureInit();
  const n = liveNode(x);
  const nd = n.shape.length;
  // NumPy lets a 0-d array reduce over axis 0, except in mean.
  const ax = axis === undefined || axis === null ? undefined : normAxis(axis, red === 'mean' ? nd : Math.max(nd, 1), `${red}: axis`);
  const noIdentity = red === 'min' || red === 'max' || red === 'argmin' || red === 'argmax';
  if (noIdentity) {
    // NumPy raises whenever the reduced length is 0, even when the result is empty too
    // (np.zeros((0, 0)).min(0)).
    const len = ax === undefined || nd === 0 ? shapeSize(n.shape) : n.shape[ax];
    if (len === 0) {
      const what = red.startsWith('arg') ? `attempt to get ${red} of an empty sequence` : `zero-size array to reduction operation ${NUMPY[red]} which has no identity`;
      throw new ShapeError(what, 'ERR_EMPTY_REDUCTION');
    }
  }
  return wrap(recordReduce(red, n, nd === 0 ? undefined : ax, dtype ?? reduceDType(red, n.dtype)));
}
