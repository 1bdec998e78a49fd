// Which rank owns what, and which rows a step must move: pure functions of (block rows, rank
// count, kernel layout) that every rank evaluates alike, so no rank asks another what to send.
//
// A block is split by rows of the array it was made for: by default rank r owns the slab of rows
// [floor(R*r/P), floor(R*(r+1)/P)); with a block size k, blocks of k rows are dealt to the
// ranks in turn (block-cyclic: block j goes to rank j mod P). On a 2-D process grid (Pr x Pc,
// ranks numbered row-major) blocks of two or more dimensions are split the same way by rows
// over Pr and by columns (second axis) over Pc: rank r owns the tiles where its grid row's rows
// meet its grid column's columns. The owner of an output element computes it ("owner
// computes"); the input rows it reads that others own travel to it before the step (a
// stencil's halo).
import type { Kernel } from '../kernels/codegen.js';
import type { Block } from '../smp/store.js';

export type Range = [number, number];

/** What ownership needs of a kernel (plain or fused): its kind and how to read its meta. */
export type Iteration = Pick<Kernel, 'meta' | 'nd' | 'np'> & { kind: string };

export function rowsOf(b: Block): number {
  // An empty block has no rows: no rank owns anything of it (a 0x5 product computes nothing).
  return Math.ceil(b.length / Math.max(1, b.rowLen));
}

/** The parts of [0, n) that part `r` of `parts` owns: one slab, or blocks of k dealt in turn. */
function dealt(n: number, k: number, r: number, parts: number): Range[] {
  if (k <= 0) {
    const a = Math.floor((n * r) / parts);
    const z = Math.floor((n * (r + 1)) / parts);
    return z > a ? [[a, z]] : [];
  }
  const out: Range[] = [];
  for (let start = r * k; start < n; start += parts * k) out.push([start, Math.min(n, start + k)]);
  return out;
}

/**
 * Rank r's place in the process grid a block is dealt over: ranks are numbered row-major over
 * (p / gridCols) x gridCols; a block split by rows only has one grid column.
 */
function gridPlace(b: Block, r: number, p: number): { row: number; rows: number; col: number; cols: number } {
  const cols = b.gridCols;
  return { row: Math.floor(r / cols), rows: Math.max(1, Math.floor(p / cols)), col: r % cols, cols };
}

// Ownership is asked for again and again (every step, every rank's needs). It depends only on
// the numbers in the key, not on the block: remembered across blocks, a loop that makes new
// arrays of one shape every step (N-body: 11 a step) computes it once instead of for each new
// block (a WeakMap and a Map per block besides). The lists are shared: callers must not change
// them.
const memo = new Map<string, Range[]>();
/** Keys remembered at most: ownership of this many shapes and distributions, then start over. */
const MEMO_MAX = 4096;

function remembered(key: string, make: () => Range[]): Range[] {
  let v = memo.get(key);
  if (!v) {
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, (v = make()));
  }
  return v;
}

/** Rows of `b` that rank `r` of `p` owns (some or all of their columns), as ascending ranges. */
export function ownedRows(b: Block, r: number, p: number): readonly Range[] {
  return remembered(`r${r}/${p}/${b.rowBlock}/${b.gridCols}/${b.length}/${b.rowLen}`, () => {
    const g = gridPlace(b, r, p);
    return dealt(rowsOf(b), b.rowBlock, g.row, g.rows);
  });
}

/** Columns of `b`'s rows that rank `r` owns: all of them unless the block is split by columns. */
export function ownedCols(b: Block, r: number, p: number): readonly Range[] {
  if (b.gridCols <= 1) return [[0, b.cols]];
  return remembered(`c${r}/${p}/${b.rowBlock}/${b.gridCols}/${b.cols}`, () => {
    const g = gridPlace(b, r, p);
    return dealt(b.cols, b.rowBlock, g.col, g.cols);
  });
}

/** Whether `b` is split by columns as well as rows (a 2-D process grid). */
export function splitByColumns(b: Block): boolean {
  return b.gridCols > 1;
}

/** Element (storage) ranges of `rows` of `b` that rank `r` owns, ascending. */
export function ownedPieces(b: Block, rows: Range, r: number, p: number): Range[] {
  if (rows[1] <= rows[0]) return [];
  const L = b.rowLen;
  if (b.gridCols <= 1) return [[rows[0] * L, Math.min(b.length, rows[1] * L)]];
  const inner = L / b.cols;
  const cols = ownedCols(b, r, p);
  const out: Range[] = [];
  for (let row = rows[0]; row < rows[1]; row++) {
    for (const [c0, c1] of cols) {
      const lo = row * L + c0 * inner;
      const hi = row * L + c1 * inner;
      const last = out[out.length - 1];
      if (last && last[1] === lo) last[1] = hi;
      else out.push([lo, hi]);
    }
  }
  return out;
}

/** Element (storage) ranges rank `r` owns. */
export function ownedElements(b: Block, r: number, p: number): Range[] {
  return ownedRows(b, r, p).flatMap((rows) => ownedPieces(b, rows, r, p));
}

interface Pointer {
  offset: number;
  strides: number[];
  /** reduceAxis: the stride along the reduced axis. */
  axisStride: number;
}

/** Read a kernel's meta: collapsed dims and each pointer's offset and strides. */
export function pointers(k: Iteration): { dims: number[]; ptrs: Pointer[]; axisLen: number } {
  let read = pointersOf.get(k);
  if (!read) pointersOf.set(k, (read = readPointers(k)));
  return read;
}

/** pointers() of each kernel: a distributed step asks for them once per output and rank. */
const pointersOf = new WeakMap<Iteration, { dims: number[]; ptrs: Pointer[]; axisLen: number }>();

function readPointers(k: Iteration): { dims: number[]; ptrs: Pointer[]; axisLen: number } {
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
 * by rows (then every rank computes all of it). `ptr`: which pointer is the output (a fused
 * kernel has several).
 */
export function ownedOuter(k: Iteration, out: Block, r: number, p: number, ptr = 0): Range[] | null {
  const { dims, ptrs } = pointers(k);
  const o = ptrs[ptr];
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

/** Part of a kernel's iteration: outer indices, and (2-D grid) a range of its second dimension. */
export interface Tile {
  outer: Range;
  inner?: Range;
}

/**
 * The parts of a kernel's iteration whose output rank r owns, or null when the output does not
 * split that way (then every rank computes all of it). By rows, these are ranges of outer
 * indices; when the output block is split by columns too, each is cut by the columns r owns.
 */
export function ownedTiles(k: Kernel, out: Block, r: number, p: number): Tile[] | null {
  if (out.gridCols <= 1) return ownedOuter(k, out, r, p)?.map((outer) => ({ outer })) ?? null;
  const { dims, ptrs } = pointers(k);
  const o = ptrs[0];
  if (dims[0] === 0) return [];
  if (dims.length === 1) {
    // One element per outer index: the indices of the elements r owns.
    const s0 = o.strides[0];
    if (s0 === 0) return null;
    const n = dims[0];
    const clip = (i: number) => Math.min(n, Math.max(0, i));
    const tiles: Tile[] = [];
    for (const [lo, hi] of ownedElements(out, r, p)) {
      const range: Range =
        s0 > 0
          ? [clip(Math.ceil((lo - o.offset) / s0)), clip(Math.ceil((hi - o.offset) / s0))]
          : [clip(Math.floor((hi - o.offset) / s0) + 1), clip(Math.floor((lo - o.offset) / s0) + 1)];
      if (range[1] > range[0]) tiles.push({ outer: range });
    }
    return tiles.sort((x, y) => x.outer[0] - y.outer[0]);
  }
  // Dimension 1 runs along a row: its index j is at C0 + j*s1 within the row, which is column
  // floor((C0 + j*s1) / inner); any further dimensions must stay inside that column.
  const rows = ownedOuter(k, out, r, p);
  const L = out.rowLen;
  const inner = L / out.cols;
  const [s0, s1] = o.strides;
  let span2 = 0;
  for (let d = 2; d < dims.length; d++) {
    if (o.strides[d] < 0) return null;
    span2 += o.strides[d] * (dims[d] - 1);
  }
  if (rows === null || s1 <= 0 || s0 % L !== 0) return null;
  const C0 = o.offset % L;
  if (dims.length > 2 && (s1 % inner !== 0 || (C0 % inner) + span2 >= inner)) return null;
  const jAt = (c: number) => Math.min(dims[1], Math.max(0, Math.ceil((c * inner - C0) / s1)));
  const tiles: Tile[] = [];
  for (const outer of rows) {
    for (const [c0, c1] of ownedCols(out, r, p)) {
      const j: Range = [jAt(c0), jAt(c1)];
      if (j[1] > j[0]) tiles.push({ outer, inner: j });
    }
  }
  return tiles;
}

/** The kernel restricted to indices `inner` of its second dimension (same code, other meta). */
export function subKernel(k: Kernel, inner: Range): Kernel {
  const meta = k.meta.slice();
  const n1 = meta[1];
  meta[1] = inner[1] - inner[0];
  for (let j = 0; j < k.np; j++) {
    const at = k.nd + j * (1 + k.nd);
    meta[at] += inner[0] * meta[at + 2]; // offset += j0 * stride of dimension 1
  }
  return { ...k, meta, unitCost: (k.unitCost * (inner[1] - inner[0])) / Math.max(1, n1) };
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
