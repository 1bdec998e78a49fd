// Turning lazy expressions into memory: materialising a node, writing an expression into a view
// (with NumPy's copy semantics when the source overlaps the destination), and recording
// reductions, which fuse with the element-wise chain that feeds them.
import { aliases, type KernelRequest } from '../kernels/codegen.js';
import { type DType, ITEMSIZE, type TypedArray } from '../kernels/dtypes.js';
import type { ReduceOp } from '../kernels/program.js';
import { cStrides, shapeSize } from '../kernels/shape.js';
import { allocate, type Block } from '../smp/store.js';
import { record } from './batch.js';
import type { Step } from '../dist/steps.js';
import { type Frozen, freeze, readsOtherwise } from './freeze.js';
import { setFusing } from './fuse.js';
import { type ArrayNode, type Expr, type Ew, type Leaf, readsDirectly, registerReader, takeReaders, resolve } from './node.js';

let defaultRowBlock = 0;
let ranks = 1;

/** The number of ranks blocks are distributed over (set at init). */
export function setRanks(p: number): void {
  ranks = p;
}

/** The most bytes of a block any one rank owns: what counts against its memory limit. */
function shareBytes(dtype: DType, length: number, rowLen: number, rowBlock: number, cols: number, pc: number): number | undefined {
  if (ranks <= 1) return undefined;
  const most = (n: number, parts: number): number =>
    Math.min(n, rowBlock > 0 ? Math.ceil(Math.ceil(n / rowBlock) / parts) * rowBlock : Math.ceil(n / parts));
  const rows = Math.max(1, Math.ceil(length / Math.max(1, rowLen)));
  const rowShare = most(rows, ranks / pc) * Math.max(1, rowLen);
  return (pc > 1 ? (rowShare / cols) * most(cols, pc) : rowShare) * ITEMSIZE[dtype];
}

let gridCols = 1;

/**
 * The process grid's columns: 2-D and larger arrays are dealt over a grid of
 * (ranks / columns) x columns ranks, by rows and by columns of their first two axes.
 */
export function setGridColumns(pc: number): void {
  gridCols = pc;
  // Fused steps are split by rows: not on a grid that also splits arrays by columns.
  setFusing(pc === 1);
}

/** Rows per distribution block for new arrays (dn.init({ blockSize }); 0: one slab per rank). */
export function setRowBlock(rows: number): void {
  defaultRowBlock = rows;
}

/** A new block, recorded so that every rank allocates its own under the same id. */
export function newBlock(dtype: DType, length: number, rowLen = 1, rowBlock = defaultRowBlock, cols = 1): Block {
  // Split by columns too only where there are several columns (not 1-D arrays).
  const pc = cols > 1 ? gridCols : 1;
  const block = allocate(dtype, length, false, undefined, shareBytes(dtype, length, rowLen, rowBlock, cols, pc));
  block.rowLen = Math.max(1, rowLen);
  block.rowBlock = rowBlock;
  block.cols = pc > 1 ? cols : 1;
  block.gridCols = pc;
  record({ kind: 'alloc', op: 'alloc', block });
  return block;
}

/** A fresh C-contiguous array; `zero` records a fill with zeros. */
export function freshLeaf(dtype: DType, shape: readonly number[], zero = false): Leaf {
  const block = newBlock(dtype, shapeSize(shape), shapeSize(shape.slice(1)), defaultRowBlock, shape.length >= 2 ? shape[1] : 1);
  if (zero) record({ kind: 'fill', op: 'zeros', block, value: 0 });
  return { kind: 'leaf', block, dtype, shape: [...shape], strides: cStrides(shape), offset: 0 };
}

/** A fresh array holding host data (every rank receives the values with the batch). */
export function dataLeaf(dtype: DType, shape: readonly number[], values: TypedArray, op: string): Leaf {
  const leaf = freshLeaf(dtype, shape);
  record({ kind: 'data', op, block: leaf.block, values });
  return leaf;
}

function checkLive(f: Frozen): void {
  for (const b of f.blocks) if (b?.disposed) throw new Error('cannot use an array after dispose()');
}

function recordMap(op: string, f: Frozen, out: Leaf): void {
  checkLive(f);
  const request: KernelRequest = { kind: 'map', program: f.program, operands: f.operands, shape: out.shape, out: { dtype: out.dtype, layout: out }, alias: aliases([out.block, ...f.blocks]) };
  record(kernelStep(op, request, out.block, f.blocks));
}

/**
 * A kernel step whose kernel is built when something first asks for it (steps.ts kernelOf): most
 * steps of a loop's batch end up in a fused loop (graph/fuse.ts), which is built from their
 * requests, and building each one's own kernel too took a fifth of N-body's recording.
 * A plain literal with every field: it was a literal with a getter and a spread, which V8 makes
 * a dictionary object (--log-maps: an "AccessorsOverwritingNonLast" normalisation for each of
 * N-body's 9 kernel steps a step). Dictionary maps come from a cache that each full collection
 * empties, as are the maps of a class's fields once no instance is left (their transitions are
 * weak): the code that reads steps lost its optimisation at every collection. A literal's map
 * stays with the literal.
 */
function kernelStep(op: string, request: KernelRequest, out: Block, blocks: (Block | null)[], count?: number): Step {
  return { kind: 'kernel', op, kernel: null, out, blocks, count, request };
}

/** Materialise an Ew node into a fresh C-contiguous block (once; later uses read the block). */
/** `reuse`: let the freeze materialise subexpressions an earlier step computed (off inside one). */
export function realise(e: Ew, reuse = true): Leaf {
  if (e.realised) return e.realised;
  if (e.disposed) throw new Error('cannot use an array after dispose()');
  const out = freshLeaf(e.dtype, e.shape);
  const f = freeze(e, e.shape, realise, reuse);
  recordMap(e.op, f, out);
  e.realised = out;
  e.args = []; // the expression is no longer needed: let its inputs be collected
  return out;
}

export function asLeaf(n: ArrayNode): Leaf {
  const r = resolve(n);
  return r.kind === 'leaf' ? r : realise(r as Ew);
}

/** Evaluate `value` into `target` (a view), broadcasting; `op` names the step in errors. */
export function writeInto(target: Leaf, value: Expr, op: string): void {
  if (target.block.disposed) throw new Error('cannot write into an array after dispose()');
  const renamed = protectReaders(target, value);
  const f = freeze(value, target.shape, realise);
  if (readsOtherwise(f, target.block, target)) {
    // The source overlaps the destination through another view (a[1:] = a[:-1]): NumPy reads
    // all of the source before writing, so evaluate it aside first.
    const tmp = freshLeaf(value.kind === 'leaf' || value.kind === 'ew' ? value.dtype : target.dtype, target.shape);
    recordMap(op, f, tmp);
    recordMap(op, freeze(tmp, target.shape, realise), target);
  } else {
    recordMap(op, f, target);
  }
  // After a rename the block's buffer is new: what the write did not cover comes from the old one.
  if (renamed) {
    for (const box of renamed.boxes) {
      const at = (block: Block): Leaf => ({ kind: 'leaf', block, dtype: target.dtype, ...box });
      recordMap('copy', freeze(at(renamed.old), box.shape, realise), at(target.block));
    }
  }
}

/**
 * Lazy nodes that read `block` must see it as it was before this write. Small ones are
 * materialised now. When they together are larger than the block, they read a new block that
 * holds the old contents: when the write covers most of the block as one box (a stencil's
 * interior) and its value then reads nothing of the block, the two blocks exchange buffers
 * (a swap step: no copy of the data, the value is computed from the old buffer into the new
 * one) and writeInto copies the rest (the borders); otherwise the block is copied.
 */
function protectReaders(target: Leaf, value: Expr): { old: Block; boxes: Box[] } | null {
  const block = target.block;
  const live = takeReaders(block);
  if (live.length === 0) return null;
  try {
    return protect(target, value, live);
  } catch (e) {
    // Out of memory (a limit) part way: the write does not happen, and the readers not yet
    // materialised or moved to the copy still read the block, so a later write must find them.
    for (const n of live) if (readsDirectly(n, block)) registerReader(block, n);
    throw e;
  }
}

function protect(target: Leaf, value: Expr, live: Ew[]): { old: Block; boxes: Box[] } | null {
  const block = target.block;
  let total = 0;
  for (const n of live) total += shapeSize(n.shape);
  if (total <= block.length) {
    for (const n of live) realise(n);
    return null;
  }
  const copy = newBlock(block.dtype, block.length, block.rowLen, block.rowBlock, block.cols);
  for (const n of live) {
    n.args = n.args.map((a) => (a.kind === 'leaf' && a.block === block ? { ...a, block: copy } : a));
    registerReader(copy, n);
  }
  const boxes = complement(target);
  if (boxes && !readsBlock(value, block)) {
    record({ kind: 'swap', op: 'copy', src: block, dst: copy });
    renames++;
    return { old: copy, boxes };
  }
  record({ kind: 'copy', op: 'copy', src: block, dst: copy });
  return null;
}

let renames = 0;

/** How many writes renamed their block instead of copying it (tests check that it happens). */
export function renameCount(): number {
  return renames;
}

/** Part of a block as a view: what a rename must copy back. */
interface Box {
  shape: number[];
  strides: number[];
  offset: number;
}

/**
 * The parts of target's block outside target, as boxes of the block seen as rows of rowLen
 * elements, when target is one box of that view covering at least half of the block (else null:
 * copying the rest would cost more than the rename saves).
 */
function complement(t: Leaf): Box[] | null {
  const b = t.block;
  const n = shapeSize(t.shape);
  const R = b.rowLen;
  const rows = b.length / R;
  if (2 * n < b.length || !Number.isInteger(rows)) return null;
  const contiguous = (): boolean => {
    const c = cStrides(t.shape);
    return t.strides.every((s, i) => t.shape[i] === 1 || s === c[i]);
  };
  let r0: number, nr: number, c0: number, nc: number;
  if (t.shape.length === 2 && t.strides[0] === R && t.strides[1] === 1) {
    [r0, c0, nr, nc] = [Math.floor(t.offset / R), t.offset % R, t.shape[0], t.shape[1]];
  } else if (t.offset % R === 0 && n % R === 0 && contiguous()) {
    [r0, c0, nr, nc] = [t.offset / R, 0, n / R, R];
  } else {
    return null;
  }
  if (c0 + nc > R || r0 + nr > rows) return null;
  const box = (offset: number, r: number, c: number): Box[] =>
    r * c === 0 ? [] : R === 1 ? [{ shape: [r], strides: [1], offset }] : [{ shape: [r, c], strides: [R, 1], offset }];
  return [
    ...box(0, r0, R),
    ...box((r0 + nr) * R, rows - r0 - nr, R),
    ...box(r0 * R, nr, c0),
    ...box(r0 * R + c0 + nc, nr, R - c0 - nc),
  ];
}

/** Whether evaluating `e` reads `block`. */
function readsBlock(e: Expr, block: Block): boolean {
  const r = resolve(e);
  if (r.kind === 'leaf') return r.block === block;
  if (r.kind === 'const') return false;
  return r.args.some((a) => readsBlock(a, block));
}

/** Record a reduction of `x` over `axis` (undefined: all) into a fresh leaf of `dtype`. */
export function recordReduce(red: ReduceOp, x: ArrayNode, axis: number | undefined, dtype: DType): Leaf {
  const shape = x.shape;
  if (axis === undefined || shape.length <= 1) {
    const out = freshLeaf(dtype, axis === undefined || shape.length === 0 ? [] : []);
    const f = freeze(x, shape, realise);
    checkLive(f);
    const request: KernelRequest = { kind: 'reduceAll', program: f.program, operands: f.operands, shape, reduce: red, alias: aliases(f.blocks) };
    record(kernelStep(red, request, out.block, f.blocks, shapeSize(shape)));
    return out;
  }
  const outShape = shape.filter((_, i) => i !== axis);
  const out = freshLeaf(dtype, outShape);
  const f = freeze(x, shape, realise);
  checkLive(f);
  const request: KernelRequest = { kind: 'reduceAxis', program: f.program, operands: f.operands, shape, axis, reduce: red, out: { dtype, layout: out }, alias: aliases([out.block, ...f.blocks]) };
  record(kernelStep(red, request, out.block, f.blocks));
  return out;
}
