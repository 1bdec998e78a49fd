// The lazy graph. An array is a Leaf (a view of a block, possibly not yet computed by its batch)
// or an Ew node (an element-wise expression that has not been materialised). Ew nodes become
// leaves only when something needs their memory: a view, a write, a non-fusable op, a read.
import type { DType } from '../kernels/dtypes.js';
import type { OpName } from '../kernels/ops.js';
import { type Block, nextTurn } from '../smp/store.js';

export interface Leaf {
  kind: 'leaf';
  block: Block;
  dtype: DType;
  shape: number[];
  strides: number[];
  offset: number;
}

export interface Const {
  kind: 'const';
  /** Already cast to `dtype`. */
  value: number;
  dtype: DType;
}

export type GenKind = 'uniform' | 'normal' | 'arange';

export interface Ew {
  kind: 'ew';
  op: OpName | GenKind;
  args: Expr[];
  dtype: DType;
  /** The dtype the op computes in (comparisons: the operands' common dtype). */
  ct: DType;
  shape: number[];
  /** pow with a constant exponent (NumPy's fast paths). */
  scalarExp?: number;
  /** Generators: uniform/normal [key0, key1, stream], arange [start, step]. */
  params?: number[];
  /** Fused nodes below this one, counted with repeats: bounds a generated kernel's size. */
  weight: number;
  realised: Leaf | null;
  /** Read by another node or a recorded step: flush() need not materialise it on its own. */
  consumed?: boolean;
  /** dispose() was called on the (lazy) array: it may not be used again. */
  disposed?: boolean;
  /**
   * Already inlined into a recorded step (a second step that needs it may read it from memory):
   * that step's batch and iteration shape (see freeze.ts).
   */
  frozenIn?: { batch: number; shape: readonly number[] };
  /** Holds a costly op (division, a transcendental): recomputing it costs more than reading it. */
  costly?: boolean;
  /** disposals() when this node and every lazy input were last known not disposed (ndarray.ts). */
  liveAt: number;
  /** The freeze that last visited this node, and the instruction it made of it (freeze.ts). */
  memoStamp: number;
  memoAt: number;
}

export type Expr = Leaf | Const | Ew;
export type ArrayNode = Leaf | Ew;

/**
 * How many arrays were disposed so far. A node built, or checked, since the last disposal still
 * has every input: checking an operand (liveNode) walks its lazy tree only after a dispose().
 */
let disposalCount = 0;

export function disposals(): number {
  return disposalCount;
}

export function noteDisposal(): void {
  disposalCount++;
}

/** Follow a materialised Ew node to its leaf. */
export function resolve<T extends Expr>(e: T): T | Leaf {
  return e.kind === 'ew' && e.realised ? e.realised : e;
}

/** Ew nodes that read each block directly, so a write to the block can protect them first. */
// `pruneAt`: the size at which the set is pruned next. Nodes the program dropped stay in the set
// until a collection clears their WeakRefs, so a loop that reads one array every iteration
// (Jacobi's A * h) keeps adding: pruning at a fixed size scanned the whole set at every
// registration once it was past it (45% of a small Jacobi's time). Twice the size left after a
// prune keeps the cost constant per registration.
const readers = new WeakMap<Block, { set: Set<WeakRef<Ew>>; pruneAt: number }>();

export function registerReader(block: Block, node: Ew): void {
  let entry = readers.get(block);
  if (!entry) readers.set(block, (entry = { set: new Set(), pruneAt: 64 }));
  if (entry.set.size >= entry.pruneAt) {
    pruneReaders(entry.set);
    entry.pruneAt = Math.max(64, 2 * entry.set.size);
  }
  entry.set.add(new WeakRef(node));
  kept++;
}

function pruneReaders(set: Set<WeakRef<Ew>>): void {
  kept += set.size;
  for (const r of set) {
    const n = r.deref();
    if (!n || n.realised) set.delete(r);
  }
}

/**
 * The still-lazy nodes that read `block` directly, handed over: the set is emptied, because the
 * caller (a write to the block) makes every one of them stop reading it (it materialises them or
 * points them at a copy), or gives back those it could not. Leaving the others in the set would
 * keep them alive: the next write's scan would deref() them, which holds a WeakRef's target
 * until the current job ends, so a collection in that job could not free the previous
 * iteration's nodes or the copy they read.
 */
export function takeReaders(block: Block): Ew[] {
  const entry = readers.get(block);
  if (!entry) return [];
  readers.delete(block);
  kept += entry.set.size;
  const out: Ew[] = [];
  for (const r of entry.set) {
    const n = r.deref();
    if (n && readsDirectly(n, block)) out.push(n);
  }
  return out;
}

/** Whether `n` is still lazy and reads `block` as one of its own arguments. */
export function readsDirectly(n: Ew, block: Block): boolean {
  return !n.realised && n.args.some((a) => a.kind === 'leaf' && a.block === block);
}

/** Ew nodes made since the last flush; the ones nothing consumed are the program's results. */
let roots: WeakRef<Ew>[] = [];

export function noteRoot(e: Ew): void {
  roots.push(new WeakRef(e));
  kept++;
}

/** The still-lazy results the program holds (made since the last flush, read by nothing). */
export function takeRoots(): Ew[] {
  kept += roots.length;
  const out: Ew[] = [];
  for (const r of roots) {
    const e = r.deref();
    if (e && !e.realised && !e.consumed) out.push(e);
  }
  roots = [];
  return out;
}

/**
 * WeakRef targets made or deref'd since the event loop last turned. V8 keeps every one of them
 * alive until the current job ends (its "keep during job" set), and a loop that only awaits
 * flushes can run as one job: N-body at one thread held every node it had made, and the blocks
 * they read, until the turn before the next collection (store.ts), 180 steps on (6,000 nodes and
 * 1,650 blocks at step 150, in a heap snapshot taken after a full collection).
 */
let kept = 0;

/** Past this many, a flush ends with a turn of the event loop (a few steps of a small loop). */
const KEPT_PER_TURN = 256;

/** Let the current job end when it has kept enough WeakRef targets (the end of a flush). */
export async function releaseKept(): Promise<void> {
  if (kept < KEPT_PER_TURN) return;
  kept = 0;
  await nextTurn();
}
