// The only file of lib/ that loads native code. Both addons are optional: a missing or broken
// one makes its loader return null and `nativeStatus()` say why, and the library runs without
// it (single-node without MPI, the JS matmul kernel without BLAS). Replace this file to test
// the fallbacks, or set DISTNUMPY_NO_MPI=1 / DISTNUMPY_NO_BLAS=1.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Row-major C = alpha * op(A) @ op(B) + beta * C on typed arrays in place; offsets in elements. */
type Gemm<T> = (
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: T, offA: number, lda: number, B: T, offB: number, ldb: number,
  beta: number, C: T, offC: number, ldc: number,
) => void;

/** Row-major y = alpha * op(A) @ x + beta * y (A is M x N); offsets and steps in elements. */
type Gemv<T> = (
  trans: boolean, M: number, N: number, alpha: number, A: T, offA: number, lda: number,
  x: T, offX: number, incX: number, beta: number, y: T, offY: number, incY: number,
) => void;

export interface BlasBinding {
  dgemm: Gemm<Float64Array>;
  sgemm: Gemm<Float32Array>;
  dgemv: Gemv<Float64Array>;
  sgemv: Gemv<Float32Array>;
  /** OpenBLAS's thread count is process-wide: every thread that loaded the addon shares it. */
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** openblas_get_config(): version, build options, core. */
  config(): string;
}

/** Typed arrays MPI can move; reductions use the MPI datatype of the array's element type. */
export type MpiBuffer =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array
  | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

export type ReduceOp = 'sum' | 'prod' | 'min' | 'max' | 'land' | 'lor';

/** count is in bytes. For a completed send: the sender's own rank, the tag and the bytes sent. */
export interface MpiStatus {
  readonly source: number;
  readonly tag: number;
  readonly count: number;
}

/** Made by Isend/Irecv; holds its buffer alive until completed by Test/Wait*. */
export interface MpiRequest {
  readonly done: boolean;
  readonly status: MpiStatus | null;
}

/**
 * The raw addon, mpi4py's names. Arguments are not checked here beyond memory safety: use
 * `Comm` in mpi.ts. Collectives and blocking calls run on the calling thread; the *Async ones
 * on a libuv pool thread (each pending one holds a pool thread until it settles).
 */
export interface MpiBinding {
  readonly ANY_SOURCE: number;
  readonly ANY_TAG: number;
  readonly PROC_NULL: number;
  readonly THREAD_SINGLE: number;
  readonly THREAD_FUNNELED: number;
  readonly THREAD_SERIALIZED: number;
  readonly THREAD_MULTIPLE: number;
  readonly Request: abstract new () => MpiRequest;
  setErrorClass(ctor: new (message: string) => Error): void;
  libraryVersion(): string;
  Init(): number;
  Initialized(): boolean;
  Finalized(): boolean;
  rank(): number;
  size(): number;
  tagUB(): number;
  Barrier(): void;
  Abort(code: number): never;
  Finalize(): void;
  Spawn(command: string, args: string[], count: number): void;
  processorName(): string;
  Wtime(): number;
  Send(buf: MpiBuffer, dest: number, tag: number): void;
  Recv(buf: MpiBuffer, source: number, tag: number): MpiStatus;
  Iprobe(source: number, tag: number): MpiStatus | null;
  Isend(buf: MpiBuffer, dest: number, tag: number): MpiRequest;
  Irecv(buf: MpiBuffer, source: number, tag: number): MpiRequest;
  Test(request: MpiRequest): boolean;
  Wait(request: MpiRequest): MpiStatus;
  Waitall(requests: readonly MpiRequest[]): MpiStatus[];
  Waitsome(requests: readonly MpiRequest[]): number[];
  Testsome(requests: readonly MpiRequest[]): number[];
  Bcast(buf: MpiBuffer, root: number): void;
  Allreduce(sendbuf: MpiBuffer, recvbuf: MpiBuffer, op: ReduceOp): void;
  Reduce(sendbuf: MpiBuffer, recvbuf: MpiBuffer | null, op: ReduceOp, root: number): void;
  Gatherv(sendbuf: MpiBuffer, recvbuf: MpiBuffer | null, counts: Int32Array | null,
    displs: Int32Array | null, root: number): void;
  Scatterv(sendbuf: MpiBuffer | null, counts: Int32Array | null, displs: Int32Array | null,
    recvbuf: MpiBuffer, root: number): void;
  WaitallAsync(requests: readonly MpiRequest[]): Promise<MpiStatus[]>;
  BcastAsync(buf: MpiBuffer, root: number): Promise<void>;
  AllreduceAsync(sendbuf: MpiBuffer, recvbuf: MpiBuffer, op: ReduceOp): Promise<void>;
  BarrierAsync(): Promise<void>;
}

export interface NativePartStatus {
  active: boolean;
  /** Why the part is not active (not built, disabled, failed to load). */
  reason?: string;
  /** OpenBLAS's build configuration, or the MPI library's version. */
  config?: string;
}

export interface NativeStatus {
  blas: NativePartStatus;
  mpi: NativePartStatus;
}

type Part = 'blas' | 'mpi';
const TARGET: Record<Part, string> = { blas: 'dn_blas', mpi: 'dn_mpi' };
const DISABLE: Record<Part, string> = { blas: 'DISTNUMPY_NO_BLAS', mpi: 'DISTNUMPY_NO_MPI' };

// Compiled, this file is build/lib/dist/native.js; run from source it is lib/dist/native.ts.
// Walking up to the package's own package.json serves both.
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(path.join(dir, 'native'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

const ROOT = packageRoot();
const require = createRequire(import.meta.url);

interface BuildRecord {
  built?: boolean;
  reason?: string;
}

function buildRecord(part: Part): BuildRecord | null {
  try {
    const status: unknown = JSON.parse(readFileSync(path.join(ROOT, 'native/build/status.json'), 'utf8'));
    if (typeof status === 'object' && status !== null && part in status) {
      return (status as Record<Part, BuildRecord>)[part];
    }
  } catch {
    // no status: the build script never ran (or the package was copied without it)
  }
  return null;
}

interface Loaded<T> {
  binding: T | null;
  reason?: string;
}

const loaded: Partial<Record<Part, Loaded<unknown>>> = {};

function load<T>(part: Part): Loaded<T> {
  const cached = loaded[part];
  if (cached) return cached as Loaded<T>;
  let result: Loaded<T>;
  const file = path.join(ROOT, 'native/build/Release', `${TARGET[part]}.node`);
  if (process.env[DISABLE[part]] === '1') {
    result = { binding: null, reason: `disabled by ${DISABLE[part]}=1` };
  } else if (!existsSync(file)) {
    const record = buildRecord(part);
    const reason = record?.reason ?? 'native/build/status.json is missing: run `node native/build.mjs`';
    result = { binding: null, reason: `not built: ${reason}` };
  } else {
    try {
      result = { binding: require(file) as T };
    } catch (error) {
      result = { binding: null, reason: `failed to load ${file}: ${(error as Error).message}` };
    }
  }
  loaded[part] = result;
  return result;
}

export function loadBlas(): BlasBinding | null {
  return load<BlasBinding>('blas').binding;
}

export function loadMpi(): MpiBinding | null {
  return load<MpiBinding>('mpi').binding;
}

/** Which native parts this thread can use, and why not. Loads them (loading MPI does not init it). */
export function nativeStatus(): NativeStatus {
  const blas = load<BlasBinding>('blas');
  const mpi = load<MpiBinding>('mpi');
  return {
    blas: blas.binding
      ? { active: true, config: blas.binding.config() }
      : { active: false, reason: blas.reason },
    mpi: mpi.binding
      ? { active: true, config: mpi.binding.libraryVersion().split('\n')[0].trim() }
      : { active: false, reason: mpi.reason },
  };
}
