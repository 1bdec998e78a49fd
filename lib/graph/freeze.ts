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
  const instrs: Instr[] = [];
  const consts: number[] = [];
  const operands: Operand[] = [];
  const blocks: (Block | null)[] = [];
  const memo = new Map<Expr, number>();
  const leafMemo = new Map<string, number>();

  const push = (i: Instr): number => instrs.push(i) - 1;
  const constant = (v: number, dtype: DType): number => push({ k: 'const', index: consts.push(v) - 1, dtype });
  const indexOperand = (s: readonly number[], dtype: DType): number => {
    const layout = { shape, strides: broadcastStrides({ shape: s, strides: cStrides(s), offset: 0 }, shape), offset: 0 };
    blocks.push(null);
    return operands.push({ kind: 'index', dtype, layout }) - 1;
  };

  const visit = (e0: Expr): number => {
    let e = resolve(e0);
    const seen = memo.get(e);
    if (seen !== undefined) return seen;
    if (e.kind === 'ew' && e.disposed) throw new Error('cannot use an array after dispose()');
    if (e.kind === 'ew') e.consumed = true;
    // Not fused: a child of another shape (it would be recomputed per broadcast copy), and a
    // costly subexpression (divisions, transcendentals) that an earlier step already computed
    // inline: the second of three reductions over the same forces materialises them once
    // instead of recomputing. Cheap chains (a stencil's additions) are recomputed.
    if (e.kind === 'ew' && !sameShape(e.shape, shape)) e = realise(e);
    // The whole reused subexpression is materialised as one kernel: below it everything inlines.
    // Not when the step that inlined it will share this step's loop (fuse.ts): the loop then
    // computes it once for both, and nothing is written to memory.
    else if (reuse && e.kind === 'ew' && e.frozenIn && e.costly && e.weight >= 3 && e !== root && !sharesLoop(e, shape)) e = realise(e, false);
    let r: number;
    if (e.kind === 'const') {
      r = constant(e.value, e.dtype);
    } else if (e.kind === 'leaf') {
      const strides = broadcastStrides(e, shape);
      const key = `${e.block.id}:${e.offset}:${strides.join(',')}`;
      const known = leafMemo.get(key);
      if (known !== undefined) {
        r = known;
      } else {
        blocks.push(e.block);
        const operand = operands.push({ kind: 'data', dtype: e.dtype, layout: { shape, strides, offset: e.offset } }) - 1;
        r = push({ k: 'load', operand, dtype: e.dtype });
        leafMemo.set(key, r);
      }
    } else if (e.op === 'uniform' || e.op === 'normal') {
      const [k0, k1, stream] = e.params!;
      const seed = consts.length;
      consts.push(k0, k1, stream);
      r = push({ k: 'random', operand: indexOperand(e.shape, 'float64'), dist: e.op, seed, dtype: e.dtype });
    } else if (e.op === 'arange') {
      // NumPy fills start + i*delta in the array's dtype (delta = second element - first).
      const [start, delta] = e.params!;
      const ct: DType = e.dtype === 'float32' ? 'float32' : 'float64';
      const i = push({ k: 'index', operand: indexOperand(e.shape, 'float64'), dtype: 'float64' });
      const mul = push({ k: 'op', op: 'mul', args: [i, constant(delta, ct)], dtype: ct, ct });
      const add = push({ k: 'op', op: 'add', args: [constant(start, ct), mul], dtype: ct, ct });
      r = e.dtype === ct ? add : push({ k: 'op', op: 'cast', args: [add], dtype: e.dtype, ct: e.dtype });
    } else {
      const args = e.args.map(visit);
      r = push({ k: 'op', op: e.op, args, dtype: e.dtype, ct: e.ct, scalarExp: e.scalarExp });
    }
    memo.set(e0, r);
    memo.set(e, r);
    return r;
  };
  const result = visit(root);
  const frozenIn = { batch: batchNumber(), shape: [...shape] };
  for (const n of memo.keys()) if (n.kind === 'ew' && !n.realised) n.frozenIn = frozenIn;
  return { program: { instrs, result, consts }, operands, blocks };
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
