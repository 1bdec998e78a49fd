// The message protocol between the calling thread and the pool's workers, typed in one place.
import type { TypedArray } from '../kernels/dtypes.js';

/**
 * A generated kernel, on arrays that live in SharedArrayBuffers, over [from, to) in `n` pieces
 * that this worker claims from `counter` with the calling thread (pieces.ts); `width` partials
 * per piece go to `partials`.
 */
export interface PiecesTask {
  type: 'pieces';
  key: string;
  /** '' when the lane's worker already holds it (lane.ts); `forgetSources`: drop those held first. */
  source: string;
  forgetSources?: boolean;
  arrays: TypedArray[];
  meta: number[];
  consts: number[];
  from: number;
  to: number;
  n: number;
  width: number;
  counter: Int32Array;
  partials: Float64Array | null;
}

/** Rows [start, end) of the JS matrix product (no BLAS, or integer dtypes). */
export interface GemmTask {
  type: 'gemm';
  a: ViewMsg;
  b: ViewMsg;
  c: ViewMsg;
  start: number;
  end: number;
}

export interface ViewMsg {
  dtype: import('../kernels/dtypes.js').DType;
  data: TypedArray;
  shape: number[];
  strides: number[];
  offset: number;
}

/** Elements [start, end) of one shared array copied into another (a snapshot before a write). */
export interface CopyTask {
  type: 'copy';
  src: TypedArray;
  dst: TypedArray;
  start: number;
  end: number;
}

/**
 * Keeps a worker serving a lane (lane.ts): it runs the jobs posted to `port`, waiting on `ctl`
 * between them. Every job carries its `done` word.
 */
export interface ServeTask {
  type: 'serve';
  ctl: Int32Array;
  port: import('node:worker_threads').MessagePort;
}

/** How a worker fails a task on purpose (tests of fault handling, see exec.ts injectFault). */
export type FaultMode = 'throw' | 'exit' | 'oom';

/**
 * Every task carries the store's drop epoch (see store.ts): a newer one makes the worker collect.
 * `fault` is set only by tests.
 */
export type Task = (PiecesTask | GemmTask | CopyTask) & { epoch?: number; fault?: FaultMode };
/** Tasks answer nothing: what they compute is in shared memory (partials too: pieces.ts). */
export type TaskResult = undefined;
