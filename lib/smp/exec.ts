// Running one kernel on this node: inline when the work is too small to pay for a hand-off
// (30-50 us, REFERENCE.md), otherwise in pieces of the outer loop that the calling thread and the
// pool's threads claim in turn (pieces.ts). Row sums that are a matrix-vector product go to BLAS.
import type { GemvPlan, Kernel } from '../kernels/codegen.js';
import { KernelCache } from '../kernels/compile.js';
import type { TypedArray } from '../kernels/dtypes.js';
import { gemmRows } from '../kernels/matmul.js';
import { combinePartials, type Partial, partialsOf } from '../kernels/partials.js';
import type { View } from '../kernels/view.js';
import { blas, gemvBlas } from './blas.js';
import type { Pending, ThreadPool } from './pool.js';
import type { RuntimeClass, SmpConfig } from './config.js';
import type { FaultMode, PiecesTask, Task, ViewMsg } from './task.js';
import { copyRange } from './copy.js';
import type { FusedKernel } from '../kernels/fused.js';
import { PIECES_PER_THREAD, claimPieces, piecePartials, stopClaiming } from './pieces.js';

const local = new KernelCache();

export interface Executor {
  pool: ThreadPool;
  inlineThreshold: number;
  /** Tuned threads and threshold per kernel class (distnumpy tune), when a tuning file is used. */
  classes?: SmpConfig['classes'];
}

function classOf(k: Kernel): RuntimeClass {
  if (k.kind !== 'map') return 'reduction';
  return k.elemCost >= 8 ? 'compute' : 'memory';
}

/** Split [0, n) into `parts` near-equal contiguous ranges. */
export function ranges(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const p = Math.max(1, Math.min(parts, n));
  for (let i = 0; i < p; i++) out.push([Math.floor((n * i) / p), Math.floor((n * (i + 1)) / p)]);
  return out;
}

/**
 * The threads to run a kernel on: 0 when its work is below the inline threshold (one call on this
 * thread). Above it a generated kernel runs in pieces even on one thread: V8 optimizes a function
 * when it is called again, and one long call only gets on-stack-replacement code, which in one
 * process of six stayed there (Monte Carlo at 1 thread: 106 ms a run instead of 71).
 */
function piecesFor(ex: Executor, split: number, work: number, cls: RuntimeClass = 'memory'): number {
  const tuned = ex.classes?.[cls];
  const threshold = tuned?.inlineThreshold ?? ex.inlineThreshold;
  const threads = Math.min(ex.pool.threads, tuned?.threads ?? ex.pool.threads);
  if (work < threshold) return 0;
  return Math.min(threads, split);
}

let fault: { mode: FaultMode; match: string; times: number } | null = null;

/**
 * For tests of fault handling: the next `times` pool tasks of kernels whose key contains
 * `match` fail in their worker as `mode` says (throw, exit the worker, exhaust its heap).
 */
export function injectFault(f: { mode: FaultMode; match: string; times?: number } | null): void {
  fault = f ? { mode: f.mode, match: f.match, times: f.times ?? 1 } : null;
}

function withFault(t: Task): Task {
  if (!fault || fault.times <= 0 || t.type !== 'pieces' || !t.key.includes(fault.match)) return t;
  fault.times--;
  return { ...t, fault: fault.mode };
}

/** Split [from, to) into `pieces` ranges: the first runs here, the others on the pool. */
async function spread(
  ex: Executor,
  from: number,
  to: number,
  pieces: number,
  here: (start: number, end: number) => void,
  task: (start: number, end: number) => Task,
): Promise<void> {
  const rs = ranges(to - from, pieces).map(([a, z]): [number, number] => [a + from, z + from]);
  const remote = rs.slice(1).map(([a, z]) => ex.pool.post(withFault(task(a, z))));
  await alongside(ex, remote, () => here(rs[0][0], rs[0][1]));
}

/**
 * How long this thread, its own share done, waits for the pool's tasks before it lets the event
 * loop turn: a split kernel's workers end within a piece of it, and a late start (a worker woken
 * on a busy machine took up to 4 ms) is worth waiting out asynchronously (MPI progress, timers).
 */
const SETTLE_HERE_MS = 2;

/**
 * Run `here` on this thread while `remote` runs on the pool; then wait for every remote task,
 * even after a failure here (`onFailure` runs first), so that no worker still writes into a
 * buffer when the error reaches the caller, who may free it.
 */
async function alongside(ex: Executor, remote: Pending[], here: () => void, onFailure?: () => void): Promise<void> {
  let error: unknown;
  let failed = false;
  try {
    here();
  } catch (e) {
    onFailure?.();
    error = e;
    failed = true;
  }
  if (!failed) ex.pool.settle(remote, SETTLE_HERE_MS);
  const settled = await Promise.allSettled(remote.map((j) => j.promise));
  if (failed) throw error;
  const bad = settled.find((x) => x.status === 'rejected');
  if (bad) throw workerFailure((bad as PromiseRejectedResult).reason);
}

/** A worker's death says so: its own message ("worker exited with code: 70") does not. */
function workerFailure(reason: unknown): unknown {
  if (!(reason instanceof Error)) return reason;
  const code = (reason as Error & { code?: string }).code;
  const died = code === 'ERR_WORKER_OUT_OF_MEMORY' || /worker exited|worker terminated/i.test(reason.message);
  if (!died) return reason;
  return Object.assign(new Error(`a pool thread died (${reason.message}); a new thread replaces it`, { cause: reason }), { code });
}

/** What a generated kernel needs besides its range. */
type KernelCall = Pick<PiecesTask, 'key' | 'source' | 'arrays' | 'meta' | 'consts'>;

/**
 * Run kernel `fn` over [from, to) on `threads` threads (this one and the pool's), in pieces they
 * claim in turn (pieces.ts). Returns, for each of the kernel's `width` partials, that partial of
 * every piece in piece order.
 */
async function sharePieces(
  ex: Executor,
  threads: number,
  from: number,
  to: number,
  width: number,
  fn: (start: number, end: number, fresh: boolean) => unknown,
  call: KernelCall,
): Promise<Partial[][]> {
  const n = Math.min(to - from, threads * PIECES_PER_THREAD);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const partials = width > 0 ? new Float64Array(new SharedArrayBuffer(16 * n * width)) : null;
  const task: Task = { type: 'pieces', ...call, from, to, n, width, counter, partials };
  const remote = Array.from({ length: threads - 1 }, () => ex.pool.post(withFault(task)));
  await alongside(ex, remote, () => claimPieces(counter, n, from, to, width, partials, fn), () => stopClaiming(counter, n));
  return Array.from({ length: width }, (_, f) => piecePartials(partials!, n, width, f));
}

/** Run a kernel over all its rows; whole-array reductions return the combined partial. */
export async function runKernel(
  ex: Executor,
  k: Kernel,
  arrays: TypedArray[],
  from = 0,
  to = k.split,
): Promise<Partial | undefined> {
  if (k.gemv && runGemv(k.gemv, arrays, from, to)) return undefined;
  const fn = local.get(k.key, k.source);
  const pieces = piecesFor(ex, to - from, (to - from) * k.unitCost, classOf(k));
  if (pieces === 0) {
    const r = fn(arrays, k.meta, k.consts, from, to);
    if (k.kind !== 'reduceAll') return undefined;
    return combinePartials(k.reduce!, partialsOf(r), k.integerResult);
  }
  const width = k.kind === 'reduceAll' ? 1 : 0;
  const call = { key: k.key, source: k.source, arrays, meta: k.meta, consts: k.consts };
  const parts = await sharePieces(ex, pieces, from, to, width, (start, end, fresh) => fn(arrays, k.meta, k.consts, start, end, fresh), call);
  return k.kind === 'reduceAll' ? combinePartials(k.reduce!, parts[0], k.integerResult) : undefined;
}

let gemvRuns = 0;

/** How many kernels ran as BLAS gemv on this rank (for tests, as fuse.ts's fusedLoopCount). */
export function gemvCount(): number {
  return gemvRuns;
}

/**
 * Rows [from, to) of a row-sum kernel that is a matrix-vector product, by BLAS gemv on this
 * thread (OpenBLAS threads itself, as for products): false when there is no BLAS or the output
 * shares memory with an input. A zero sum comes out +0, as NumPy's (which starts from 0 too).
 */
function runGemv(g: GemvPlan, arrays: TypedArray[], from: number, to: number): boolean {
  const gemv = gemvBlas();
  const y = arrays[0];
  if (!gemv || y.buffer === arrays[g.a].buffer || y.buffer === arrays[g.x].buffer || to <= from) return false;
  gemvRuns++;
  gemv('float64', false, to - from, g.n, 1, arrays[g.a], g.offA + from * g.lda, g.lda, arrays[g.x], g.offX, g.incX, 0, y, g.offY + from * g.incY, g.incY);
  return true;
}

/**
 * Run a fused kernel (several steps in one loop, kernels/fused.ts) over all its rows; returns the
 * combined partial of each whole-array sink, in sink order.
 */
export async function runFused(ex: Executor, k: FusedKernel, arrays: TypedArray[], from = 0, to = k.split): Promise<Partial[]> {
  const pieces = piecesFor(ex, to - from, (to - from) * k.unitCost, 'reduction');
  const fn = local.get(k.key, k.source);
  const run = (start: number, end: number, fresh?: boolean) => fn(arrays, k.meta, k.consts, start, end, fresh);
  const folds = k.sinks.filter((s) => s.kind === 'reduceAll');
  if (pieces === 0) {
    const r = partialsOf(run(from, to));
    return folds.map((s, i) => combinePartials(s.reduce, [r[i]]));
  }
  const call = { key: k.key, source: k.source, arrays, meta: k.meta, consts: k.consts };
  const parts = await sharePieces(ex, pieces, from, to, folds.length, run, call);
  return folds.map((s, i) => combinePartials(s.reduce, parts[i]));
}

/** dst[start:end] = src[start:end], split over the threads when large (memory-bound). */
export async function runCopy(ex: Executor, src: TypedArray, dst: TypedArray, start = 0, end = src.length): Promise<void> {
  const pieces = piecesFor(ex, end - start, end - start);
  if (pieces <= 1) return copyRange(src, dst, start, end);
  await spread(ex, start, end, pieces, (a, z) => copyRange(src, dst, a, z), (a, z) => ({ type: 'copy', src, dst, start: a, end: z }));
}

function toMsg(v: View): ViewMsg {
  return { dtype: v.dtype, data: v.data, shape: [...v.shape], strides: [...v.strides], offset: v.offset };
}

/** Whether runGemm(a, b, c) goes to BLAS (which can also accumulate: see runGemm's beta). */
export function gemmUsesBlas(a: View, b: View, c: View): boolean {
  return blas() !== null && (c.dtype === 'float64' || c.dtype === 'float32') && a.dtype === c.dtype && b.dtype === c.dtype;
}

/**
 * c = a @ b for 2-D views; c is C-contiguous. Float dtypes go to BLAS when one is installed (it
 * threads itself); otherwise the JS kernel splits rows over the pool. With beta = 1 (BLAS only,
 * see gemmUsesBlas) c += a @ b, which is how a product whose B arrives in panels (distributed)
 * accumulates.
 */
export async function runGemm(ex: Executor, a: View, b: View, c: View, beta: 0 | 1 = 0): Promise<void> {
  const [M, K] = a.shape;
  const N = b.shape[1];
  if (M === 0 || N === 0) return;
  if (K === 0 && beta === 1) return;
  if (K === 0) {
    // An empty inner dimension: every element is an empty sum.
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c.data[c.offset + i * c.strides[0] + j * c.strides[1]] = 0;
    return;
  }
  const gemm = blas();
  if (beta === 1 && !gemmUsesBlas(a, b, c)) throw new Error('runGemm: accumulating (beta = 1) needs BLAS and one float dtype');
  if (gemm && gemmUsesBlas(a, b, c)) {
    // Views BLAS cannot read (negative or two non-unit strides) are packed first.
    if (!blasLayout(a)) a = pack(a);
    if (!blasLayout(b)) b = pack(b);
    const la = blasLayout(a)!;
    const lb = blasLayout(b)!;
    gemm(c.dtype as 'float64' | 'float32', la.trans, lb.trans, M, N, K, 1, a.data, a.offset, la.ld, b.data, b.offset, lb.ld, beta, c.data, c.offset, c.strides[0]);
    return;
  }
  const pieces = piecesFor(ex, M, M * N * K);
  if (pieces <= 1) return gemmRows(a, b, c, 0, M);
  await spread(ex, 0, M, pieces, (start, end) => gemmRows(a, b, c, start, end), (start, end) => ({
    type: 'gemm', a: toMsg(a), b: toMsg(b), c: toMsg(c), start, end,
  }));
}

function pack(v: View): View {
  const [r, c] = v.shape;
  const data = new (v.data.constructor as Float64ArrayConstructor)(r * c);
  for (let i = 0, q = 0; i < r; i++) for (let j = 0; j < c; j++) data[q++] = v.data[v.offset + i * v.strides[0] + j * v.strides[1]];
  return { dtype: v.dtype, data, shape: [r, c], strides: [c, 1], offset: 0 };
}

/** Row-major BLAS wants unit stride along one axis; a transposed view is the other one. */
function blasLayout(v: View): { trans: boolean; ld: number } | null {
  const [r, c] = v.shape;
  const [s0, s1] = v.strides;
  if ((s1 === 1 || c === 1) && s0 >= Math.max(1, c)) return { trans: false, ld: Math.max(1, s0, c) };
  if ((s0 === 1 || r === 1) && s1 >= Math.max(1, r)) return { trans: true, ld: Math.max(1, s1, r) };
  return null;
}
