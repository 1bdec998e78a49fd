// Copying a range of one shared array into another (same dtype): a memcpy per thread.
import type { TypedArray } from '../kernels/dtypes.js';

export function copyRange(src: TypedArray, dst: TypedArray, start: number, end: number): void {
  (dst as Float64Array).set((src as Float64Array).subarray(start, end), start);
}
