// The public linear-algebra functions (dn.dot, dn.matmul, dn.outer).
import { matmul as mm, outer as out } from './linalg.js';
import type { NdArray } from './ndarray.js';

export function dot(a: NdArray, b: NdArray): NdArray {
  return mm(a, b, 'dot');
}
export function matmul(a: NdArray, b: NdArray): NdArray {
  return mm(a, b, 'matmul');
}
export function outer(a: NdArray, b: NdArray): NdArray {
  return out(a, b);
}
