// Fusing a batch (rank 0, before it is sent): neighbouring kernel steps that iterate over the
// same shape become one loop (kernels/fused.ts) that computes each element once and feeds every
// step's output.
// A stencil's `sum(abs(work - center))` and `center[...] = work` then read the grid once, and
// N-body's forces, distances and three net-force sums one pass instead of five.
//
// Steps join a group only where one loop gives the same results as the steps in turn: a step may
// read what an earlier step of the group wrote only at the element it is at (then it takes the
// value without reading memory), and may write only where the group reads at that same element.
// A snapshot copy or a swap of buffers (materialise.ts protectReaders) can move before the group,
// and the group's earlier reads of the copied block then read the copy: nothing in between writes
// either.
import { aliases } from '../kernels/codegen.js';
import { buildFused, FUSABLE_REDUCTIONS, type Sink } from '../kernels/fused.js';
import type { Instr, Operand, ReduceOp } from '../kernels/program.js';
import type { DType } from '../kernels/dtypes.js';
import { sameShape } from '../kernels/shape.js';
import type { Layout } from '../kernels/view.js';
import type { Block } from '../smp/store.js';
import type { Step } from './batch.js';

type KernelStep = Extract<Step, { kind: 'kernel' }>;
/** A copy or a swap: its source's data ends up in `dst` (fuse.ts treats both alike). */
type CopyStep = Extract<Step, { kind: 'copy' | 'swap' }>;

/** Bounds on one fused loop: beyond these V8's register allocation and compile time suffer. */
const MAX_INSTRS = 160;
const MAX_OPERANDS = 40;

const layoutKey = (l: Layout): string => `${l.offset}:${l.strides.join(',')}`;

/** Only the layout (an output's layout is its Leaf, whose block must not travel with the batch). */
const layoutOf = (l: Layout): Layout => ({ shape: [...l.shape], strides: [...l.strides], offset: l.offset });

/** The shape a kernel step iterates over, when it can join a fused loop (null: it cannot). */
function frameOf(s: Step): readonly number[] | null {
  if (s.kind !== 'kernel' || !s.request) return null;
  const r = s.request;
  const shape = r.shape;
  // Random numbers seek their stream by position: kept in kernels of their own.
  if (shape.length === 0 || shape.includes(0) || r.program.instrs.some((i) => i.k === 'random')) return null;
  if (r.kind === 'map') return shape;
  const dt = r.program.instrs[r.program.result].dtype;
  if ((dt !== 'float64' && dt !== 'float32') || !FUSABLE_REDUCTIONS.includes(r.reduce!)) return null;
  if (r.kind === 'reduceAll') return shape;
  return shape.length >= 2 && r.axis === shape.length - 1 ? shape : null;
}

class Group {
  // Not readonly: empty() gives the emitted group new ones (its fused step keeps these).
  steps: KernelStep[] = [];
  /** Steps that run before the fused loop: allocations and hoisted snapshot copies. */
  before: Step[] = [];
  instrs: Instr[] = [];
  consts: number[] = [];
  operands: Operand[] = [];
  blocks: (Block | null)[] = [];
  sinks: Sink[] = [];
  outs: Block[] = [];
  folds: { block: Block; reduce: ReduceOp; count: number }[] = [];
  /** Blocks map sinks write: the layout written, and the instruction holding a float64 value. */
  readonly written = new Map<Block, { key: string; value: number | null }>();
  /** Outputs of reductions: nothing in the group may touch them. */
  readonly folded = new Set<Block>();
  /** Layouts the group reads of each block. */
  readonly reads = new Map<Block, Set<string>>();
  readonly #cse = new Map<number | string, number>();
  /** Constants by value, per dtype code. */
  readonly #constCse: Map<number | string, number>[] = [];

  constructor(readonly frame: readonly number[]) {}

  /** Whether `s` (of this frame) can run inside the loop, after what the group holds. */
  admits(s: KernelStep): boolean {
    const r = s.request!;
    if (this.instrs.length + r.program.instrs.length > MAX_INSTRS || this.operands.length + r.operands.length > MAX_OPERANDS) return false;
    for (let i = 0; i < r.operands.length; i++) {
      const b = s.blocks[i];
      if (!b) continue;
      if (this.folded.has(b)) return false;
      const w = this.written.get(b);
      if (w && (w.value === null || w.key !== layoutKey(r.operands[i].layout) || r.operands[i].dtype !== 'float64')) return false;
    }
    if (this.folded.has(s.out) || this.written.has(s.out)) return false;
    const read = this.reads.get(s.out);
    if (r.kind !== 'map') return read === undefined;
    return read === undefined || [...read].every((k) => k === layoutKey(r.out!.layout));
  }

  add(s: KernelStep): void {
    const r = s.request!;
    const p = r.program;
    const at: number[] = new Array(p.instrs.length);
    // Each instruction is rebuilt with its fields in one order (a spread copy made objects of many
    // layouts, and was the batch's largest allocation).
    for (let n = 0; n < p.instrs.length; n++) {
      const ins = p.instrs[n];
      let made: Instr;
      switch (ins.k) {
        case 'const':
          made = { k: 'const', index: this.consts.push(p.consts[ins.index]) - 1, dtype: ins.dtype };
          break;
        case 'load': {
          const b = s.blocks[ins.operand]!;
          const w = this.written.get(b);
          if (w) {
            at[n] = w.value!; // admits() checked: the same element, a float64 value
            continue;
          }
          made = { k: 'load', operand: this.operand(r.operands[ins.operand], b), dtype: ins.dtype };
          break;
        }
        case 'index':
          made = { k: 'index', operand: this.operand(r.operands[ins.operand], null), dtype: ins.dtype };
          break;
        case 'op': {
          const args = new Array<number>(ins.args.length);
          for (let a = 0; a < args.length; a++) args[a] = at[ins.args[a]];
          made = { k: 'op', op: ins.op, args, dtype: ins.dtype, ct: ins.ct, scalarExp: ins.scalarExp };
          break;
        }
        default:
          throw new Error(`fuse: unexpected instruction ${ins.k}`);
      }
      at[n] = this.intern(made);
    }
    const value = at[p.result];
    this.steps.push(s);
    if (r.kind === 'map') {
      const dt = p.instrs[p.result].dtype;
      this.sinks.push({ kind: 'map', value, dtype: r.out!.dtype, layout: layoutOf(r.out!.layout) });
      this.outs.push(s.out);
      this.written.set(s.out, { key: layoutKey(r.out!.layout), value: dt === 'float64' && r.out!.dtype === 'float64' ? value : null });
    } else {
      this.folded.add(s.out);
      if (r.kind === 'reduceAxis') {
        this.sinks.push({ kind: 'reduceAxis', value, reduce: r.reduce!, dtype: r.out!.dtype, layout: layoutOf(r.out!.layout) });
        this.outs.push(s.out);
      } else {
        this.sinks.push({ kind: 'reduceAll', value, reduce: r.reduce! });
        this.folds.push({ block: s.out, reduce: r.reduce!, count: s.count ?? this.frame.reduce((x, y) => x * y, 1) });
      }
    }
  }

  /** Whether `c` can run before the group, its source then read from the copy. */
  hoists(c: CopyStep): boolean {
    return !this.written.has(c.src) && !this.folded.has(c.src) && !this.touches(c.dst);
  }

  hoist(c: CopyStep): void {
    this.before.push(c);
    const keys = this.reads.get(c.src);
    if (!keys) return;
    this.reads.delete(c.src);
    this.reads.set(c.dst, keys);
    this.blocks.forEach((b, i) => {
      if (b === c.src) this.blocks[i] = c.dst;
    });
  }

  touches(b: Block): boolean {
    return this.reads.has(b) || this.written.has(b) || this.folded.has(b);
  }

  /** The steps this group runs as: one fused step, or its single step as it was. */
  emit(): Step[] {
    if (this.steps.length < 2) return [...this.before, ...this.steps];
    const kernel = buildFused({
      program: { instrs: this.instrs, consts: this.consts, result: this.sinks[this.sinks.length - 1].value },
      operands: this.operands,
      frame: this.frame,
      sinks: this.sinks,
      alias: aliases([...this.outs, ...this.blocks]),
    });
    const op = [...new Set(this.steps.map((s) => s.op))].join('+');
    fusedLoops++;
    return [...this.before, { kind: 'fused', op, kernel, outs: this.outs, folds: this.folds, blocks: this.blocks }];
  }

  /** Drop what the group held: kept as `recentGroup`, it holds only its frame. */
  empty(): void {
    this.steps = [];
    this.before = [];
    this.instrs = [];
    this.consts = [];
    this.operands = [];
    this.blocks = [];
    this.sinks = [];
    this.outs = [];
    this.folds = [];
    this.written.clear();
    this.folded.clear();
    this.reads.clear();
    this.#cse.clear();
    this.#constCse.length = 0;
  }

  /** The operand reading `b` (null: an index operand) with `o`'s dtype and layout, added if new. */
  private operand(o: Operand, b: Block | null): number {
    for (let i = 0; i < this.operands.length; i++) {
      const q = this.operands[i];
      if (this.blocks[i] === b && q.kind === o.kind && q.dtype === o.dtype && sameLayout(q.layout, o.layout)) return i;
    }
    const i = this.operands.push(o) - 1;
    this.blocks.push(b);
    if (b) {
      let keys = this.reads.get(b);
      if (!keys) this.reads.set(b, (keys = new Set()));
      keys.add(layoutKey(o.layout));
    }
    return i;
  }

  /**
   * The instruction's index, shared with an identical one already in the loop. Looked up by
   * number, not by a text of the instruction: building those texts was most of what fusing a
   * batch allocated.
   */
  private intern(ins: Instr): number {
    let key: number | string;
    let table: Map<number | string, number>;
    if (ins.k === 'const') {
      const v = this.consts[ins.index];
      table = this.#constCse[DTYPE_CODE[ins.dtype]] ??= new Map();
      key = Object.is(v, -0) ? '-0' : v; // a Map takes -0 for 0 (and NaN for NaN, as wanted)
    } else if (ins.k === 'op' && (ins.scalarExp !== undefined || ins.args.length > 3 || ins.args.some((a) => a > 255))) {
      // (A group's first step is not held to MAX_INSTRS: nothing then joins it, but its own
      // instructions are interned all the same, and their arguments may not fit 8 bits.)
      table = this.#cse;
      key = `${ins.op}(${ins.args.join(',')})${ins.dtype}${ins.ct}${ins.scalarExp ?? ''}`;
    } else if (ins.k === 'op') {
      // Op, dtypes and up to three arguments (below 256 each) in 40 bits.
      table = this.#cse;
      key = (opCode(ins.op) * 64 + DTYPE_CODE[ins.dtype] * 8 + DTYPE_CODE[ins.ct]) * 2 ** 26 + ins.args.length * 2 ** 24;
      for (let a = 0; a < ins.args.length; a++) key += ins.args[a] * 2 ** (8 * a);
    } else if (ins.k === 'load' || ins.k === 'index') {
      // Negative: apart from the op keys.
      table = this.#cse;
      key = -1 - ((ins.operand * 8 + DTYPE_CODE[ins.dtype]) * 2 + (ins.k === 'load' ? 0 : 1));
    } else {
      throw new Error(`fuse: unexpected instruction ${ins.k}`);
    }
    const known = table.get(key);
    if (known !== undefined) {
      if (ins.k === 'const') this.consts.pop();
      return known;
    }
    const i = this.instrs.push(ins) - 1;
    table.set(key, i);
    return i;
  }
}

/** Small numbers for op names (intern's keys), given out as names are first met. */
const opCodes = new Map<string, number>();

function opCode(op: string): number {
  let c = opCodes.get(op);
  if (c === undefined) opCodes.set(op, (c = opCodes.size));
  return c;
}

/** Below 8 each (intern packs them in 3 bits). */
const DTYPE_CODE: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

function sameLayout(a: Layout, b: Layout): boolean {
  return a.offset === b.offset && sameShape(a.strides, b.strides);
}

/**
 * The last group, emptied, kept alive until the next one is emitted: as freeze.ts's `recent`, so
 * that a collection between two flushes does not take the hidden classes Group's optimized
 * methods check for (intern was compiled again after each one).
 */
let recentGroup: Group | null = null;

let fusedLoops = 0;

/** How many fused loops batches have had so far (tests check that fusion happens). */
export function fusedLoopCount(): number {
  return fusedLoops;
}

let fusingOn = true;

/**
 * Whether batches are fused: not on a process grid that also splits arrays by columns (fused
 * steps split by rows). Set at init.
 */
export function setFusing(on: boolean): void {
  fusingOn = on;
}

export function fusing(): boolean {
  return fusingOn;
}

/**
 * The batch with runs of fusable kernel steps over one shape replaced by fused steps.
 * A fusable step waits alone (with the allocations recorded after it) until a second step joins
 * it: most steps of many batches never get company (Jacobi's three kernels an iteration each
 * iterate over another shape), and building a group for each one, its instructions interned and
 * its maps and sets made, was a tenth of what such a batch allocated.
 */
export function fuseBatch(steps: Step[]): Step[] {
  if (!fusingOn) return steps;
  const out: Step[] = [];
  let g: Group | null = null;
  let lone: KernelStep | null = null;
  let loneFrame: readonly number[] = [];
  let loneBefore: Step[] = [];
  /** The lone step as a group (to admit a second step, or to hoist a copy before it). */
  const grouped = (): Group => {
    const h = new Group(loneFrame);
    h.add(lone!);
    h.before.push(...loneBefore);
    lone = null;
    loneBefore = [];
    return h;
  };
  const close = (): void => {
    if (g) {
      out.push(...g.emit());
      g.empty();
      recentGroup = g;
    } else if (lone) {
      out.push(...loneBefore, lone);
    }
    g = null;
    lone = null;
    loneBefore = [];
  };
  for (const s of steps) {
    const frame = frameOf(s);
    if (frame && s.kind === 'kernel') {
      // A step of the lone one's shape: the lone one becomes a group (which closes below, as it
      // was, if it does not admit this step).
      if (lone && sameShape(loneFrame, frame)) g = grouped();
      if (g && sameShape(g.frame, frame) && g.admits(s)) {
        g.add(s);
        continue;
      }
      close();
      lone = s;
      loneFrame = frame;
      continue;
    }
    // An allocation does nothing when it runs (ranks allocate when they receive the batch).
    if (s.kind === 'alloc' && (g || lone)) {
      if (g) g.before.push(s);
      else loneBefore.push(s);
      continue;
    }
    if (lone && (s.kind === 'copy' || s.kind === 'swap')) g = grouped();
    if (g && (s.kind === 'copy' || s.kind === 'swap') && g.hoists(s)) {
      g.hoist(s);
      continue;
    }
    close();
    out.push(s);
  }
  close();
  return out;
}
