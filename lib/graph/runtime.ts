// The runtime of this process: settings, the node's thread pool, and how a recorded step runs.
// The first operation initialises it with defaults; dn.init() does the same with options.
import { positiveInt, startNode, type NodeHandle, type RuntimeOptions } from '../dist/node.js';
import { checkOptions, describe } from './errors.js';
import type { Executor } from '../smp/exec.js';
import { executeStep } from '../dist/execute.js';
import { executeDistributed } from '../dist/execute-dist.js';
import { broadcastBatch, runOrAbort, serve } from '../dist/cluster.js';
import { letFinalizersRun } from '../smp/store.js';
import { flushWith, type Step } from './batch.js';
import { fuseBatch } from './fuse.js';
import { releaseKept, takeRoots } from './node.js';
import { realise, setGridColumns, setRanks, setRowBlock } from './materialise.js';

let node: NodeHandle | null = null;
let executor: Executor | null = null;

const NO_OPTIONS: RuntimeOptions = {};
const INIT_OPTIONS = ['threads', 'blockSize', 'grid', 'inlineThreshold', 'maxBytesPerRank'] as const;

/**
 * dn.init's options, checked on every call: also once the runtime is up, when valid values that
 * differ from the ones in force are ignored (init is idempotent).
 */
function checkInitOptions(opts: unknown): void {
  const o = checkOptions<RuntimeOptions>(opts, 'init', INIT_OPTIONS);
  if (o.threads !== undefined) positiveInt('init: threads', o.threads);
  if (o.blockSize !== undefined) positiveInt('init: blockSize', o.blockSize, true);
  if (o.inlineThreshold !== undefined) positiveInt('init: inlineThreshold', o.inlineThreshold, true);
  if (o.maxBytesPerRank !== undefined) positiveInt('init: maxBytesPerRank', o.maxBytesPerRank);
  const g: unknown = o.grid;
  if (g !== undefined && !(Array.isArray(g) && g.length === 2 && g.every((n) => Number.isInteger(n) && n >= 1))) {
    throw Object.assign(new TypeError(`init: grid must be two positive integers [rows, columns], got ${describe(g)}`), { code: 'ERR_INVALID_ARG_VALUE' });
  }
}

export function ensureInit(opts: RuntimeOptions = NO_OPTIONS): NodeHandle {
  if (opts !== NO_OPTIONS) checkInitOptions(opts);
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
  executor!.pool.headsUp();
  for (const e of takeRoots()) {
    try {
      realise(e);
    } catch {
      // No room for it now (memory limit): it stays lazy, and is computed if it is ever read.
    }
  }
  const comm = node!.size > 1 ? node!.comm : null;
  const announce = comm ? (steps: Step[]) => steps.length > 0 && broadcastBatch(comm, steps) : undefined;
  return flushWith(runStep, announce, fuseBatch).then(releaseKept).then(letFinalizersRun);
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
