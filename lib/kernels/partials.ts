// Combining the partial results of a whole-array reduction computed in pieces (threads, ranks),
// in piece order, so the result does not depend on which piece finished first.
import type { ReduceOp } from './program.js';

export type Partial = [number, number]; // [value, index]; index only for argmin/argmax

/** `integer`: an integer sum or product, where -5 * 0 = -0 must come out as NumPy's 0. */
export function combinePartials(red: ReduceOp, parts: readonly Partial[], integer = false): Partial {
  let [acc, ai] = identityPartial(red);
  for (const [v, i] of parts) {
    switch (red) {
      case 'sum':
      case 'mean':
        acc += v;
        break;
      case 'prod':
        acc *= v;
        break;
      case 'min':
        if (v < acc || v !== v) acc = v;
        break;
      case 'max':
        if (v > acc || v !== v) acc = v;
        break;
      case 'argmin':
        if (i >= 0 && (ai < 0 || v < acc || (v !== v && acc === acc))) [acc, ai] = [v, i];
        break;
      case 'argmax':
        if (i >= 0 && (ai < 0 || v > acc || (v !== v && acc === acc))) [acc, ai] = [v, i];
        break;
      case 'all':
        if (v === 0) acc = 0;
        break;
      case 'any':
        if (v !== 0) acc = 1;
        break;
    }
  }
  return [integer ? acc + 0 : acc, ai];
}

export function identityPartial(red: ReduceOp): Partial {
  switch (red) {
    case 'prod':
    case 'all':
      return [1, -1];
    case 'min':
    case 'argmin':
      return [Infinity, -1];
    case 'max':
    case 'argmax':
      return [-Infinity, -1];
    default:
      return [0, -1];
  }
}
