// Which rank owns what, and which rows a step must move: pure functions of (block rows, rank
// count, kernel layout) that every rank evaluates alike, so no rank asks another what to send.
//
// A block is split by rows of the array it was made for: by default rank r owns the slab of rows
// [floor(R*r/P), floor(R*(r+1)/P)); with a row block size k, blocks of k rows are dealt to the
// ranks in turn (block-cyclic: block j goes to rank j mod P). The owner of an output row
// computes it ("owner computes"); the rows of inputs it reads that others own travel to it
// before the step (a stencil's halo).
import type { Kernel } from '../kernels/codegen.js';
import type { Block } from '../smp/store.js';

export type Range = [number, number];

export function rowsOf(b: Block): number {
  // An empty block has no rows: no rank owns anything of it (a 0x5 product computes nothing).
  return Math.ceil(b.length / Math.max(1, b.rowLen));
}

/** Rows of `b` that rank `r` of `p` owns, as ascending ranges. */
export function ownedRows(b: Block, r: number, p: number): Range[] {
  const rows = rowsOf(b);
  const k = b.rowBlock;
  if (k <= 0) {
    const a = Math.floor((rows * r) / p);
    const z = Math.floor((rows * (r + 1)) / p);
    return z > a ? [[a, z]] : [];
  }
  const out: Range[] = [];
  for (let start = r * k; start < rows; start += p * k) out.push([start, Math.min(rows, start + k)]);
  return out;
}

/** Element (storage) ranges of those rows. */
export function ownedElements(b: Block, r: number, p: number): Range[] {
  return ownedRows(b, r, p).map(([a, z]): Range => [a * b.rowLen, Math.min(b.length, z * b.rowLen)]);
}

interface Pointer {
  offset: number;
  strides: number[];
  /** reduceAxis: the stride along the reduced axis. */
  axisStride: number;
}

/** Read a kernel's meta: collapsed dims and each pointer's offset and strides. */
export function pointers(k: Kernel): { dims: number[]; ptrs: Pointer[]; axisLen: number } {
  const m = k.meta;
  const dims = m.slice(0, k.nd);
  const ptrs: Pointer[] = [];
  let i = k.nd;
  for (let j = 0; j < k.np; j++) {
    ptrs.push({ offset: m[i], strides: m.slice(i + 1, i + 1 + k.nd), axisStride: 0 });
    i += 1 + k.nd;
  }
  let axisLen = 1;
  if (k.kind === 'reduceAxis') {
    axisLen = m[i];
    const hasOut = 1;
    for (let j = hasOut; j < k.np; j++) ptrs[j].axisStride = m[i + j];
  }
  return { dims, ptrs, axisLen };
}

/** The storage interval [lo, hi] a pointer touches for outer indices [start, end). */
export function touched(p: Pointer, dims: number[], start: number, end: number, axisLen: number): Range | null {
  if (end <= start) return null;
  let lo = p.offset;
  let hi = p.offset;
  const add = (s: number, n: number) => {
    if (n <= 0) return;
    if (s >= 0) hi += s * (n - 1);
    else lo += s * (n - 1);
  };
  lo += p.strides[0] * (p.strides[0] >= 0 ? start : end - 1);
  hi += p.strides[0] * (p.strides[0] >= 0 ? end - 1 : start);
  for (let d = 1; d < dims.length; d++) add(p.strides[d], dims[d]);
  add(p.axisStride, axisLen);
  return [lo, hi];
}

/**
 * The outer indices whose output rank r owns, as ranges, or null when the output does not split
 * by rows (then every rank computes all of it).
 */
export function ownedOuter(k: Kernel, out: Block, r: number, p: number): Range[] | null {
  const { dims, ptrs } = pointers(k);
  const o = ptrs[0];
  const s0 = o.strides[0];
  // Each outer index must stay within one row of the output block.
  let span = 0;
  for (let d = 1; d < dims.length; d++) span += Math.abs(o.strides[d]) * (dims[d] - 1);
  const rowLen = out.rowLen;
  if (dims[0] === 0) return [];
  if (s0 === 0 || span >= rowLen) return null;
  if (span > 0) {
    // Rows repeat with the outer stride only when it is a whole number of rows.
    if (s0 % rowLen !== 0) return null;
    const lo = o.offset + spanSigned(o, dims);
    if (Math.floor(lo / rowLen) !== Math.floor((lo + span) / rowLen)) return null;
  }
  // Rows of the pointer's first element are monotonic in i: map each owned row range to indices.
  const rowAt = (i: number) => Math.floor(Math.min(o.offset + i * s0, o.offset + i * s0 + spanSigned(o, dims)) / rowLen);
  const n = dims[0];
  const first = (pred: (i: number) => boolean): number => {
    let a = 0;
    let z = n;
    while (a < z) {
      const mid = (a + z) >> 1;
      if (pred(mid)) z = mid;
      else a = mid + 1;
    }
    return a;
  };
  const out2: Range[] = [];
  for (const [ra, rz] of ownedRows(out, r, p)) {
    const range: Range =
      s0 > 0 ? [first((i) => rowAt(i) >= ra), first((i) => rowAt(i) >= rz)] : [first((i) => rowAt(i) < rz), first((i) => rowAt(i) < ra)];
    if (range[1] > range[0]) out2.push(range);
  }
  return s0 > 0 ? out2 : out2.reverse();
}

function spanSigned(o: Pointer, dims: number[]): number {
  let lo = 0;
  for (let d = 1; d < dims.length; d++) if (o.strides[d] < 0) lo += o.strides[d] * (dims[d] - 1);
  return lo;
}

/** Rows of `b` covering the storage interval, clipped to the block. */
export function rowsCovering(b: Block, iv: Range): Range {
  const rows = rowsOf(b);
  return [Math.max(0, Math.floor(iv[0] / b.rowLen)), Math.min(rows, Math.floor(iv[1] / b.rowLen) + 1)];
}

/** Intersection of two ranges (empty as [x, x]). */
export function intersect(a: Range, b: Range): Range {
  const lo = Math.max(a[0], b[0]);
  return [lo, Math.max(lo, Math.min(a[1], b[1]))];
}

/** The storage interval [lo, hi] a view (shape, strides, offset) reads; null when it is empty. */
export function viewInterval(v: { shape: readonly number[]; strides: readonly number[]; offset: number }): Range | null {
  if (v.shape.some((d) => d === 0)) return null;
  let lo = v.offset;
  let hi = v.offset;
  v.shape.forEach((d, i) => {
    const s = v.strides[i] * (d - 1);
    if (s >= 0) hi += s;
    else lo += s;
  });
  return [lo, hi];
}
