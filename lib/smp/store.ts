// The node's block store: every array's data lives in a SharedArrayBuffer so worker threads (and
// the MPI addon) work on it without copies. Buffers of dropped arrays are kept in a size-classed
// free list and reused, because a SharedArrayBuffer that worker threads have seen is only released
// when every thread's garbage collector has run: reuse keeps a long loop's memory flat.
import { CTOR, type DType, ITEMSIZE, type TypedArray } from '../kernels/dtypes.js';

export class Block {
  disposed = false;
  constructor(
    readonly id: number,
    readonly dtype: DType,
    readonly length: number,
    readonly buffer: SharedArrayBuffer,
    readonly data: TypedArray,
  ) {}
}

const ALIGN = 64;
/** Cached free bytes above which released buffers are dropped instead of kept. */
let cacheLimit = 1 << 30;
const free = new Map<number, SharedArrayBuffer[]>();
let freeBytes = 0;
let nextId = 1;
let liveBytes = 0;
let maxBytes = Infinity;

/** Round up to a size class (4 per power of two) so a freed buffer fits the next similar array. */
function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

export function setMemoryLimit(bytes: number): void {
  maxBytes = bytes;
}

export function memoryStats(): { liveBytes: number; cachedBytes: number } {
  return { liveBytes, cachedBytes: freeBytes };
}

/** A block of `length` elements; contents are unspecified (zeroed only when `zero`). */
export function allocate(dtype: DType, length: number, zero = false): Block {
  const bytes = sizeClass(Math.max(1, length * ITEMSIZE[dtype]));
  if (liveBytes + bytes > maxBytes) {
    throw new RangeError(
      `cannot allocate ${bytes} bytes for an array of ${length} ${dtype}: the memory limit of ${maxBytes} bytes per rank would be exceeded`,
    );
  }
  let sab = free.get(bytes)?.pop();
  if (sab) {
    freeBytes -= bytes;
  } else {
    try {
      sab = new SharedArrayBuffer(bytes);
    } catch (e) {
      throw new RangeError(`cannot allocate ${bytes} bytes for an array of ${length} ${dtype}: ${(e as Error).message}`);
    }
    zero = false; // fresh buffers are zero already
  }
  liveBytes += bytes;
  // The typed-array constructors accept shared buffers; the lib typings only say ArrayBuffer.
  const data = new CTOR[dtype](sab as unknown as ArrayBuffer, 0, length);
  if (zero) data.fill(0);
  const b = new Block(nextId++, dtype, length, sab, data);
  registry.register(b, sab, b);
  return b;
}

function recycle(sab: SharedArrayBuffer): void {
  const bytes = sab.byteLength;
  liveBytes -= bytes;
  if (freeBytes + bytes > cacheLimit) return;
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  list.push(sab);
  freeBytes += bytes;
}

// Blocks the program dropped come back here when collected.
const registry = new FinalizationRegistry<SharedArrayBuffer>(recycle);

/** Free a block now (x.dispose()); the caller guarantees no pending work reads it. */
export function release(b: Block): void {
  if (b.disposed) return;
  b.disposed = true;
  registry.unregister(b);
  recycle(b.buffer);
}

/** Drop the cached free buffers (shutdown, or a test measuring memory). */
export function trimCache(limit = 0): void {
  cacheLimit = limit === 0 ? cacheLimit : limit;
  free.clear();
  freeBytes = 0;
}
