// The runtime of this process: settings, the node's thread pool, and how a recorded step runs.
// The first operation initialises it with defaults; dn.init() does the same with options.
import { startNode, type NodeHandle, type RuntimeOptions } from '../dist/node.js';
import type { Executor } from '../smp/exec.js';
import { executeStep } from '../dist/execute.js';
import { executeDistributed } from '../dist/execute-dist.js';
import { broadcastBatch, runOrAbort, serve } from '../dist/cluster.js';
import { letFinalizersRun } from '../smp/store.js';
import { flushWith, type Step } from './batch.js';
import { takeRoots } from './node.js';
import { realise, setGridColumns, setRanks, setRowBlock } from './materialise.js';

let node: NodeHandle | null = null;
let executor: Executor | null = null;

export function ensureInit(opts: RuntimeOptions = {}): NodeHandle {
  if (node) return node;
  node = startNode(opts);
  executor = { pool: node.pool, inlineThreshold: node.config.inlineThreshold.value, classes: node.config.classes };
  setRowBlock(node.config.blockSize.value);
  setRanks(node.size);
  setGridColumns(node.config.grid.value?.[1] ?? 1);
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

async function runStep(s: Step): Promise<void> {
  const comm = node!.comm;
  if (comm && node!.size > 1) return runOrAbort(comm, () => executeDistributed(executor!, comm, s), s.op);
  return executeStep(executor!, s);
}

/**
 * Run everything recorded so far. Element-wise results the program still holds and nothing has
 * consumed are materialised too (as DistNumPy's flush runs every recorded op); intermediates of
 * fused chains are not.
 */
export function flush(): Promise<void> {
  ensureInit();
  for (const e of takeRoots()) {
    try {
      realise(e);
    } catch {
      // No room for it now (memory limit): it stays lazy, and is computed if it is ever read.
    }
  }
  const comm = node!.size > 1 ? node!.comm : null;
  const announce = comm ? (steps: Step[]) => steps.length > 0 && broadcastBatch(comm, steps) : undefined;
  return flushWith(runStep, announce).then(letFinalizersRun);
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

/** A serving rank (not rank 0 under mpirun): execute rank 0's batches until it shuts down. */
export function serveForever(): Promise<never> {
  const n = ensureInit();
  return serve(n.comm!, executor!);
}

/** The number of ranks (1 without MPI). */
export function worldSize(): number {
  return ensureInit().size;
}
