// The steps of a batch: what every rank executes, in order. Rank 0 records them; under MPI they
// travel to the other ranks in one broadcast per batch (wire.ts), so a step holds only what can
// be encoded: kernels as source, blocks by id, host data as typed arrays.
import { buildKernel, type Kernel, type KernelRequest } from '../kernels/codegen.js';
import type { FusedKernel } from '../kernels/fused.js';
import type { ReduceOp } from '../kernels/program.js';
import type { DType, TypedArray } from '../kernels/dtypes.js';
import type { Block } from '../smp/store.js';

/** A view of a block, as the matrix product reads it. */
export interface BlockView {
  block: Block;
  dtype: DType;
  shape: number[];
  strides: number[];
  offset: number;
}

export type Step =
  | {
      kind: 'kernel';
      op: string;
      /** Null until kernelOf() builds it from `request` (rank 0); received steps carry it. */
      kernel: Kernel | null;
      /** The output block; for a whole-array reduction, the 0-d block its result goes to. */
      out: Block;
      /** One per operand; null for index operands. */
      blocks: (Block | null)[];
      /** Whole-array mean: the element count to divide by. */
      count?: number;
      /** What the kernel was built from: lets rank 0 fuse it with its neighbours (not sent). */
      request?: KernelRequest;
    }
  /**
   * Several kernel steps over the same shape in one loop (graph/fuse.ts): `outs`
   * are the map and per-row outputs in sink order, `folds` the whole-array results.
   */
  | {
      kind: 'fused';
      op: string;
      kernel: FusedKernel;
      outs: Block[];
      folds: { block: Block; reduce: ReduceOp; count: number }[];
      blocks: (Block | null)[];
    }
  | { kind: 'gemm'; op: string; a: BlockView; b: BlockView; c: BlockView }
  | { kind: 'copy'; op: string; src: Block; dst: Block }
  /**
   * The blocks exchange their storage: `dst` (new) takes what `src` holds, and `src` takes dst's
   * buffer, to be written by the steps that follow (a write that renames instead of copying).
   */
  | { kind: 'swap'; op: string; src: Block; dst: Block }
  /** A new block (ranks other than the recording one allocate theirs with the same id). */
  | { kind: 'alloc'; op: string; block: Block }
  /** Every element of the block set to one value (already cast to the block's dtype). */
  | { kind: 'fill'; op: string; block: Block; value: number }
  /** Host data written into the block from element 0 (dn.array, linspace, eye, load). */
  | { kind: 'data'; op: string; block: Block; values: TypedArray }
  /** dispose(): the block goes back to the store once the steps recorded before it have run. */
  | { kind: 'release'; op: string; block: Block }
  /** A read on rank 0 (toArray, data, item): the other ranks send it the rows they own of
   * elements [lo, hi) (the part of the block the view reads). */
  | { kind: 'gather'; op: string; block: Block; lo: number; hi: number }
  /** Parallel save: rank 0 writes the .npy header, every rank writes its own rows in place. */
  | { kind: 'save'; op: string; block: Block; path: string; header: Uint8Array }
  /** Parallel load: every rank reads its own rows of a .npy file (data at byte `offset`). */
  | { kind: 'load'; op: string; block: Block; path: string; offset: number };

/** A kernel step's kernel, built from its request when first asked for (graph/materialise.ts). */
export function kernelOf(s: Extract<Step, { kind: 'kernel' }>): Kernel {
  return (s.kernel ??= buildKernel(s.request!));
}

export function inputsOf(s: Step): Block[] {
  switch (s.kind) {
    case 'kernel':
    case 'fused':
      return s.blocks.filter((b): b is Block => b !== null);
    case 'gemm':
      return [s.a.block, s.b.block];
    case 'copy':
    case 'swap':
      return [s.src];
    case 'gather':
    case 'save':
      return [s.block];
    default:
      return [];
  }
}

export function outputsOf(s: Step): Block[] {
  switch (s.kind) {
    case 'kernel':
      return [s.out];
    case 'fused':
      return [...s.outs, ...s.folds.map((f) => f.block)];
    case 'gemm':
      return [s.c.block];
    case 'copy':
      return [s.dst];
    case 'swap':
      return [s.src, s.dst];
    case 'fill':
    case 'data':
    case 'load':
      return [s.block];
    default:
      return [];
  }
}
