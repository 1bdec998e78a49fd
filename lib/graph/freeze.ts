// Freezing an expression tree into a straight-line program over operands, at the moment its step
// is recorded: later changes to the graph (a node materialised, a write redirected) cannot alter
// a recorded step. Shared subexpressions are computed once per element.
import type { DType } from '../kernels/dtypes.js';
import type { Instr, Operand, Program } from '../kernels/program.js';
import { broadcastStrides, cStrides, sameShape } from '../kernels/shape.js';
import type { Block } from '../smp/store.js';
import { batchNumber } from './batch.js';
import { fusing } from './fuse.js';
import { type Expr, type Ew, type Leaf, resolve } from './node.js';

export interface Frozen {
  program: Program;
  operands: Operand[];
  /** The block of each data operand, in operand order (index operands have none). */
  blocks: (Block | null)[];
}

/**
 * Freeze `root` as read over `shape` (broadcasting). `realise` materialises a child whose shape
 * differs from `shape`: fusing it would recompute it once per broadcast copy.
 */
export function freeze(root: Expr, shape: readonly number[], realise: (e: Ew, reuse?: boolean) => Leaf, reuse = true): Frozen {
  const f = new Freezer(root, shape, realise, reuse, ++stamps);
  const result = f.visit(root);
  const frozenIn = { batch: batchNumber(), shape: [...shape] };
  for (const n of f.visited) if (!n.realised) n.frozenIn = frozenIn;
  f.unmark();
  const frozen = { program: { instrs: f.instrs, result, consts: f.consts }, operands: f.operands, blocks: f.blocks };
  f.empty();
  recent = f;
  return frozen;
}

/**
 * The last Freezer, emptied, kept alive until the next freeze. V8 reaches the hidden classes that a
 * class's fields build up only through weak transitions from its first one: when no instance was
 * alive at a full collection (between two flushes), they died, the next instance built new ones,
 * and every optimized function that checked for the old ones was thrown away ("weak objects" in
 * --trace-deopt) and compiled again. N-body lost freeze's methods (and fuse.ts's intern, for the
 * same reason) at every collection the memory pacing asks for, about every 200 steps: keeping one
 * instance halved its background compiling (0.42 -> 0.21 ms a step over 2,000 steps, --trace-opt),
 * time taken from the pool's threads on a 2-core machine.
 */
let recent: Freezer | null = null;

/** Numbers the freezes: a node visited by this one holds its number (Ew.memoStamp). */
let stamps = 0;

const NO_ROOT: Expr = { kind: 'const', value: 0, dtype: 'float64' };

/** One freeze's state. */
class Freezer {
  instrs: Instr[] = [];
  consts: number[] = [];
  operands: Operand[] = [];
  blocks: (Block | null)[] = [];
  /**
   * The nodes this freeze made instructions of, with the marks they held before: a freeze inside
   * this one (a child realised on the way) puts them back when it ends, so this one's marks stand.
   * The marks on the nodes replace a Map, whose growth was most of a freeze's allocation.
   */
  visited: Ew[] = [];
  #before: number[] = [];
  /** The load instruction of each operand (-1: an index operand), to share one per view. */
  loads: number[] = [];

  constructor(
    private root: Expr,
    private readonly shape: readonly number[],
    private readonly realise: (e: Ew, reuse?: boolean) => Leaf,
    private readonly reuse: boolean,
    private readonly stamp: number,
  ) {}

  /** Drop what the freeze made and read: kept as `recent`, it holds only its shape and `realise`. */
  empty(): void {
    this.instrs = [];
    this.consts = [];
    this.operands = [];
    this.blocks = [];
    this.visited = [];
    this.#before = [];
    this.loads = [];
    this.root = NO_ROOT;
  }

  push(i: Instr): number {
    return this.instrs.push(i) - 1;
  }

  constant(v: number, dtype: DType): number {
    return this.push({ k: 'const', index: this.consts.push(v) - 1, dtype });
  }

  indexOperand(s: readonly number[], dtype: DType): number {
    const shape = this.shape;
    const layout = { shape, strides: broadcastStrides({ shape: s, strides: cStrides(s), offset: 0 }, shape), offset: 0 };
    this.blocks.push(null);
    this.loads.push(-1);
    return this.operands.push({ kind: 'index', dtype, layout }) - 1;
  }

  /** The load of an operand already reading this view of `block` (one dtype per block), or -1. */
  loadOf(block: Block, offset: number, strides: readonly number[]): number {
    for (let i = 0; i < this.blocks.length; i++) {
      if (this.blocks[i] !== block) continue;
      const l = this.operands[i].layout;
      if (l.offset === offset && sameShape(l.strides, strides)) return this.loads[i];
    }
    return -1;
  }

  /** Mark `e` as made into instruction `r` by this freeze. */
  mark(e: Ew, r: number): void {
    if (e.memoStamp === this.stamp) return;
    this.visited.push(e);
    this.#before.push(e.memoStamp, e.memoAt);
    e.memoStamp = this.stamp;
    e.memoAt = r;
  }

  /** Put back the marks this freeze replaced, latest first. */
  unmark(): void {
    for (let i = this.visited.length - 1; i >= 0; i--) {
      this.visited[i].memoStamp = this.#before[2 * i];
      this.visited[i].memoAt = this.#before[2 * i + 1];
    }
  }

  visit(e0: Expr): number {
    const shape = this.shape;
    let e = resolve(e0);
    if (e.kind === 'ew' && e.memoStamp === this.stamp) return e.memoAt;
    if (e.kind === 'ew' && e.disposed) throw new Error('cannot use an array after dispose()');
    if (e.kind === 'ew') e.consumed = true;
    // Not fused: a child of another shape (it would be recomputed per broadcast copy), and a
    // costly subexpression (divisions, transcendentals) that an earlier step already computed
    // inline: the second of three reductions over the same forces materialises them once
    // instead of recomputing. Cheap chains (a stencil's additions) are recomputed.
    if (e.kind === 'ew' && !sameShape(e.shape, shape)) e = this.realise(e);
    // The whole reused subexpression is materialised as one kernel: below it everything inlines.
    // Not when the step that inlined it will share this step's loop (fuse.ts): the loop then
    // computes it once for both, and nothing is written to memory.
    else if (this.reuse && e.kind === 'ew' && e.frozenIn && e.costly && e.weight >= 3 && e !== this.root && !sharesLoop(e, shape)) e = this.realise(e, false);
    let r: number;
    if (e.kind === 'const') {
      r = this.constant(e.value, e.dtype);
    } else if (e.kind === 'leaf') {
      const strides = broadcastStrides(e, shape);
      const known = this.loadOf(e.block, e.offset, strides);
      if (known >= 0) {
        r = known;
      } else {
        this.blocks.push(e.block);
        const operand = this.operands.push({ kind: 'data', dtype: e.dtype, layout: { shape, strides, offset: e.offset } }) - 1;
        r = this.push({ k: 'load', operand, dtype: e.dtype });
        this.loads.push(r);
      }
    } else if (e.op === 'uniform' || e.op === 'normal') {
      const [k0, k1, stream] = e.params!;
      const seed = this.consts.length;
      this.consts.push(k0, k1, stream);
      r = this.push({ k: 'random', operand: this.indexOperand(e.shape, 'float64'), dist: e.op, seed, dtype: e.dtype });
    } else if (e.op === 'arange') {
      // NumPy fills start + i*delta in the array's dtype (delta = second element - first).
      const [start, delta] = e.params!;
      const ct: DType = e.dtype === 'float32' ? 'float32' : 'float64';
      const i = this.push({ k: 'index', operand: this.indexOperand(e.shape, 'float64'), dtype: 'float64' });
      const mul = this.push({ k: 'op', op: 'mul', args: [i, this.constant(delta, ct)], dtype: ct, ct });
      const add = this.push({ k: 'op', op: 'add', args: [this.constant(start, ct), mul], dtype: ct, ct });
      r = e.dtype === ct ? add : this.push({ k: 'op', op: 'cast', args: [add], dtype: e.dtype, ct: e.dtype });
    } else {
      const args: number[] = [];
      for (const a of e.args) args.push(this.visit(a));
      r = this.push({ k: 'op', op: e.op, args, dtype: e.dtype, ct: e.ct, scalarExp: e.scalarExp });
    }
    if (e0.kind === 'ew') this.mark(e0, r);
    if (e !== e0 && e.kind === 'ew') this.mark(e, r);
    return r;
  }
}

/**
 * Whether `e` was inlined by a step of the batch being recorded that iterates over `shape` too:
 * the two steps are then expected to run as one fused loop. (When something between them keeps
 * them apart, `e` is computed twice: the cost of a wrong guess.)
 */
function sharesLoop(e: Ew, shape: readonly number[]): boolean {
  return fusing() && e.frozenIn !== undefined && e.frozenIn.batch === batchNumber() && sameShape(e.frozenIn.shape, shape);
}

/** Whether the frozen expression reads `block` through any view other than `target`'s. */
export function readsOtherwise(f: Frozen, block: Block, target: Leaf): boolean {
  return f.operands.some((o, i) => {
    if (f.blocks[i] !== block) return false;
    const t = broadcastStrides(target, target.shape);
    return o.layout.offset !== target.offset || o.layout.strides.some((s, d) => s !== t[d]);
  });
}
