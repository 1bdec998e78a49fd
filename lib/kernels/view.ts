// The one view contract every kernel takes: { dtype, data, shape, strides, offset }, strides in
// elements. Slicing, stepping, transposing and broadcasting only change the metadata.
import type { DType, TypedArray } from './dtypes.js';

export interface View {
  dtype: DType;
  data: TypedArray;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/** Metadata only: what a kernel plan keeps before buffers are attached. */
export interface Layout {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}
