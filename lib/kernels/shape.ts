// Pure shape arithmetic: C-order strides, sizes, broadcasting and the dimension collapsing that
// lets a kernel loop over a strided n-d view with as few nested loops as possible.
import type { Layout } from './view.js';

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function cStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function shapeStr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(',')})`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** numpy.broadcast_shapes; returns null when the shapes do not broadcast. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] | null {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      const d = s[i];
      if (d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else if (out[j] !== d) return null;
    }
  }
  return out;
}

/** Strides that read `layout` as if it had `shape` (stride 0 on broadcast axes). */
export function broadcastStrides(layout: Layout, shape: readonly number[]): number[] {
  const nd = shape.length;
  const off = nd - layout.shape.length;
  const s = new Array<number>(nd).fill(0);
  for (let i = 0; i < layout.shape.length; i++) {
    s[off + i] = layout.shape[i] === 1 && shape[off + i] !== 1 ? 0 : layout.strides[i];
  }
  return s;
}

export function isCContiguous(layout: Layout): boolean {
  let acc = 1;
  for (let i = layout.shape.length - 1; i >= 0; i--) {
    const d = layout.shape[i];
    if (d === 1) continue;
    if (layout.strides[i] !== acc) return false;
    acc *= d;
  }
  return true;
}

/**
 * Merge adjacent axes that every operand steps through as one (stride[i] == stride[i+1]*shape[i+1])
 * and drop axes of length 1, so a contiguous n-d array becomes one flat loop.
 * `strides` holds one stride list per operand, all over the same `shape`.
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): {
  shape: number[];
  strides: number[][];
} {
  const keep: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) keep.push(i);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const i of keep) {
    const last = outShape.length - 1;
    if (
      last >= 0 &&
      strides.every((s, k) => outStrides[k][last] === s[i] * shape[i])
    ) {
      outShape[last] *= shape[i];
      strides.forEach((s, k) => (outStrides[k][last] = s[i]));
      continue;
    }
    outShape.push(shape[i]);
    strides.forEach((s, k) => outStrides[k].push(s[i]));
  }
  return { shape: outShape, strides: outStrides };
}
