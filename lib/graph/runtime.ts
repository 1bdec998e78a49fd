// The runtime of this process: settings, the node's thread pool, and how a recorded step runs.
// The first operation initialises it with defaults; dn.init() does the same with options.
import type { Kernel } from '../kernels/codegen.js';
import type { TypedArray } from '../kernels/dtypes.js';
import { startNode, type NodeHandle, type RuntimeOptions } from '../dist/node.js';
import { type Executor, runGemm, runKernel } from '../smp/exec.js';
import { type Block, letFinalizersRun, release } from '../smp/store.js';
import { flushWith, type Step } from './batch.js';
import { type Leaf, takeRoots } from './node.js';
import { realise } from './materialise.js';

let node: NodeHandle | null = null;
let executor: Executor | null = null;

export function ensureInit(opts: RuntimeOptions = {}): NodeHandle {
  if (node) return node;
  node = startNode(opts);
  executor = { pool: node.pool, inlineThreshold: node.config.inlineThreshold.value };
  process.once('beforeExit', () => {
    void shutdown();
  });
  return node;
}

export function isInitialised(): boolean {
  return node !== null;
}

export function current(): NodeHandle {
  return ensureInit();
}

function leafView(l: Leaf) {
  return { dtype: l.dtype, data: l.block.data, shape: l.shape, strides: l.strides, offset: l.offset };
}

async function runStep(s: Step): Promise<void> {
  const ex = executor!;
  switch (s.kind) {
    case 'kernel':
      return runKernelStep(ex, s.kernel, s.out, s.blocks, s.count);
    case 'gemm':
      return runGemm(ex, leafView(s.a), leafView(s.b), leafView(s.c));
    case 'copy':
      (s.dst.data as Float64Array).set(s.src.data as Float64Array);
      return;
    case 'release':
      release(s.block);
      return;
  }
}

async function runKernelStep(ex: Executor, k: Kernel, out: Block, blocks: (Block | null)[], count?: number): Promise<void> {
  const arrays: TypedArray[] = [];
  if (k.kind !== 'reduceAll') arrays.push(out.data);
  for (const b of blocks) if (b) arrays.push(b.data);
  const r = await runKernel(ex, k, arrays);
  if (k.kind === 'reduceAll') {
    const [v, i] = r!;
    const value = k.reduce === 'argmin' || k.reduce === 'argmax' ? i : k.reduce === 'mean' ? v / count! : v;
    out.data[0] = out.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  }
}

/**
 * Run everything recorded so far. Element-wise results the program still holds and nothing has
 * consumed are materialised too (as DistNumPy's flush runs every recorded op); intermediates of
 * fused chains are not.
 */
export function flush(): Promise<void> {
  ensureInit();
  for (const e of takeRoots()) realise(e);
  return flushWith(runStep).then(letFinalizersRun);
}

export async function shutdown(): Promise<void> {
  if (!node) return;
  try {
    await flush();
  } finally {
    const n = node;
    node = null;
    executor = null;
    await n.close();
  }
}
