// Executing one step on this rank's node: kernels and products on the thread pool, host steps
// inline. The same function serves rank 0 and the serving ranks.
import type { Kernel } from '../kernels/codegen.js';
import type { TypedArray } from '../kernels/dtypes.js';
import type { Partial } from '../kernels/partials.js';
import type { ReduceOp } from '../kernels/program.js';
import { type Executor, runCopy, runFused, runGemm, runKernel } from '../smp/exec.js';
import { type Block, release, swapStorage } from '../smp/store.js';
import { type BlockView, kernelOf, type Step } from './steps.js';
import { createNpy, readRanges, writeRanges } from './npy-io.js';

function view(v: BlockView) {
  return { dtype: v.dtype, data: v.block.data, shape: v.shape, strides: v.strides, offset: v.offset };
}

export async function executeStep(ex: Executor, s: Step): Promise<void> {
  switch (s.kind) {
    case 'kernel':
      return runKernelStep(ex, kernelOf(s), s.out, s.blocks, s.count);
    case 'fused': {
      const folds = await runFused(ex, s.kernel, arraysOf(s.outs, s.blocks));
      s.folds.forEach((f, i) => storeReduced(f.block, f.reduce, folds[i], f.count));
      return;
    }
    case 'gemm':
      return runGemm(ex, view(s.a), view(s.b), view(s.c));
    case 'copy':
      return runCopy(ex, s.src.data, s.dst.data);
    case 'swap':
      return swapStorage(s.src, s.dst);
    case 'fill':
      if (!(s.value === 0 && s.block.untouched)) s.block.data.fill(s.value);
      s.block.untouched = false;
      return;
    case 'data':
      (s.block.data as Float64Array).set(s.values as Float64Array);
      return;
    case 'release':
      release(s.block);
      return;
    case 'alloc':
    case 'gather':
      return;
    case 'save':
      createNpy(s.path, s.header, s.block);
      writeRanges(s.path, s.header.length, s.block, [[0, s.block.length]]);
      return;
    case 'load':
      readRanges(s.path, s.offset, s.block, [[0, s.block.length]]);
      return;
  }
}

/**
 * A kernel's arrays in the order it takes them: its outputs, then its operands' data. Pushed into
 * a literal: `outs.map(...)` gave arrays of another elements kind than `[]` did (a whole-array
 * reduction has no outputs), and a generated kernel compiled for one deoptimised on the other
 * ("wrong map" at its first `arrs[i]`, --trace-deopt, with V8's default interrupt budget).
 */
export function arraysOf(outs: readonly Block[], blocks: readonly (Block | null)[]): TypedArray[] {
  const arrays: TypedArray[] = [];
  for (const b of outs) arrays.push(b.data);
  for (const b of blocks) if (b) arrays.push(b.data);
  return arrays;
}

/** A whole-array reduction's combined partial, stored as its 0-d result (`count`: for a mean). */
export function storeReduced(out: Block, reduce: ReduceOp, [v, i]: Partial, count = 1): void {
  const value = reduce === 'argmin' || reduce === 'argmax' ? i : reduce === 'mean' ? v / count : v;
  out.data[0] = out.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
}

async function runKernelStep(ex: Executor, k: Kernel, out: Block, blocks: (Block | null)[], count?: number): Promise<void> {
  const r = await runKernel(ex, k, arraysOf(k.kind === 'reduceAll' ? [] : [out], blocks));
  if (k.kind === 'reduceAll') storeReduced(out, k.reduce!, r!, count);
}
