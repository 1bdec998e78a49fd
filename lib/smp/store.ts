// The node's block store: every array's data lives in a SharedArrayBuffer so worker threads (and
// the MPI addon) work on it without copies. Buffers of dropped arrays are kept in a size-classed
// free list and reused, because a SharedArrayBuffer that worker threads have seen is only released
// when every thread's garbage collector has run: reuse keeps a long loop's memory flat.
import { freemem, totalmem } from 'node:os';
import { CTOR, type DType, ITEMSIZE, type TypedArray } from '../kernels/dtypes.js';

export class Block {
  /** dispose() was called: no new work may use the block. */
  disposed = false;
  /** The buffer went back to the free list (after the work recorded before dispose ran). */
  released = false;
  /**
   * Elements per row of the array the block was made for (the product of its shape but the
   * first axis): ranks own whole rows, so a stencil's neighbours are whole rows too.
   */
  rowLen = 1;
  /**
   * Rows per distribution block: 0 gives each rank one contiguous slab of rows; k > 0 deals
   * blocks of k rows to the ranks in turn (block-cyclic).
   */
  rowBlock = 0;
  /**
   * Columns (second axis) of the array the block was made for when it is also split by columns
   * over `gridCols` ranks of the process grid (blocks of `rowBlock` columns, or slabs); 1 and 1
   * when it is split by rows only.
   */
  cols = 1;
  gridCols = 1;
  /** Bytes counted against the per-rank memory limit (this rank's share under MPI). */
  charged = 0;
  /**
   * A new buffer from the system, all zeros and never written: filling it with zeros (dn.zeros)
   * can be skipped, so its pages stay uncommitted until something writes them.
   */
  untouched = false;
  /** A block travels between ranks by its id: encoding one whole (its data as JSON) is a bug. */
  toJSON(): never {
    throw new Error(`distnumpy: block ${this.id} was about to be encoded whole; blocks travel by id`);
  }

  constructor(
    readonly id: number,
    readonly dtype: DType,
    readonly length: number,
    // Mutable only for swapStorage.
    public buffer: SharedArrayBuffer,
    public data: TypedArray,
  ) {}
}

const ALIGN = 64;
/** Cached free bytes above which released buffers are dropped instead of kept. */
let cacheLimit = 512 * 2 ** 20;
const free = new Map<number, SharedArrayBuffer[]>();
let freeBytes = 0;
let nextId = 1;
let liveBytes = 0;
let maxBytes = Infinity;
let chargedBytes = 0;
let sinceCollect = 0;
let collectDue = false;
let finalizersDue = false;
// Live bytes once the last collection's finalizers ran: the program's real working set. (The
// current live count also holds dead blocks not yet collected; a threshold that followed it would
// let garbage postpone its own collection.) Charged bytes likewise, for the memory limit.
let liveAfterCollect = 0;
let chargedAfterCollect = 0;

/** The next turn of the event loop: the current job ends first (1-2 us here when nothing else waits). */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The end of every flush. A collection the allocations asked for runs here, between two turns of
 * the event loop, rather than inside the allocation that crossed the threshold:
 * - before it, a new job: WeakRef.deref() keeps its target alive until the current job ends, and
 *   the runtime derefs the lazy nodes it tracks while recording (to protect readers from a write,
 *   and at the flush). A collection in the same job could not free the previous iteration's nodes,
 *   nor the blocks they hold: a stencil kept one or two dead grids per collection, and at one
 *   thread, where a whole loop runs as one job, hundreds of MB;
 * - after it, another: finalizers run as tasks of the event loop, and a program that only awaits
 *   settled promises (one thread, all work inline) would never let them run.
 * A collection inside allocate() would free nothing sooner anyway: its finalizers also wait for
 * a turn of the loop. (allocate() still collects at once when a program allocates OVERDUE times
 * the threshold without a flush.)
 */
export async function letFinalizersRun(): Promise<void> {
  if (collectDue && collect) {
    collectDue = false;
    sinceCollect = 0;
    await nextTurn();
    collect();
    finalizersDue = true;
  }
  if (!finalizersDue) return;
  finalizersDue = false;
  await nextTurn();
  liveAfterCollect = liveBytes;
  chargedAfterCollect = chargedBytes;
}
let collect: (() => void) | null = null;
// A full collection takes 3-5 ms of the main thread here even with a small heap, while the
// pool waits, so a loop that allocates a large array per iteration (the stencil's snapshot of the
// grid) is paced by them.
const COLLECT_EVERY = 16 * 2 ** 20;
/**
 * A collection is asked for after this many times the live bytes have been allocated (as V8
 * lets its own heap grow to a multiple of what survived)... A 2000^2 stencil allocates one grid
 * per sweep and keeps two: collecting after half the live bytes (every sweep) took 260 ms of its
 * 20 sweeps at 2 threads, after 1x 212 ms, after 2x 195 ms; 3x took another 0.4 ms off a sweep
 * (9.4 -> 9.0 ms, 200 sweeps, means). The process then holds up to four times its live arrays
 * (live, one period's garbage, the free list it becomes), less where memory is short (below).
 */
const GROWTH = 3;
/**
 * ...and made at once, in allocate(), after this many times that: the program has allocated that
 * much without a flush (no dropped block came back meanwhile, but the collection at least lets
 * them come back at its next turn of the event loop).
 */
const OVERDUE = 4;

/**
 * V8 does not count SharedArrayBuffers towards its heap, so a loop that drops large arrays can
 * grow the process by gigabytes before a collection runs the finalizers that recycle them.
 * The store asks for a collection itself each time it has handed out GROWTH times the bytes that
 * were live after the last one (at least COLLECT_EVERY), so the blocks of dropped arrays come
 * back through the free list within a few arrays' worth of allocation.
 */
export function setCollector(fn: (() => void) | null): void {
  collect = fn;
}

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

const MACHINE_BYTES = totalmem();

/** Allocations from this size on are checked against the machine's available memory. */
const CHECK_FROM = 64 * 2 ** 20;

function outOfMemory(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_MEMORY' });
}

function size(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

/** A block of `length` elements; contents are unspecified (zeroed only when `zero`). */
export function allocate(dtype: DType, length: number, zero = false, id?: number, charge?: number): Block {
  const bytes = sizeClass(Math.max(1, length * ITEMSIZE[dtype]));
  // Under MPI a rank only touches the rows it owns (untouched pages of a buffer take no memory):
  // the caller charges that share against the per-rank limit.
  const charged = charge ?? bytes;
  // Built only for a refusal: allocate is on every array's path.
  const what = () => `cannot allocate ${size(charge ?? length * ITEMSIZE[dtype])} for an array of ${length} ${dtype}`;
  if (chargedBytes + charged > maxBytes) {
    throw outOfMemory(`${what()}: the memory limit of ${size(maxBytes)} per rank would be exceeded (${size(chargedBytes)} in use)`);
  }
  if (collect) {
    // The whole buffer, not this rank's share: under MPI a rank also writes the rows it
    // receives (halos, reads), with small blocks most of the array (4 ranks, blocks of 1 row).
    sinceCollect += bytes;
    // Less when the memory limit or the machine leaves less room for garbage: the limit counts
    // charged bytes (a rank's share), the machine whole buffers; neither room below 0. And no
    // more than the free list keeps (half its limit): the buffers a collection returns beyond it
    // are dropped, and the next allocations then fault in fresh pages (a 4000^2 stencil at 3x
    // the live bytes: 33 fresh 128 MB buffers in 31 sweeps, 56 ms a sweep instead of 38).
    const room = Math.max(0, Math.min(maxBytes - chargedAfterCollect, MACHINE_BYTES - liveAfterCollect));
    const threshold = Math.max(COLLECT_EVERY, Math.min(GROWTH * liveAfterCollect, room / 4, cacheLimit / 2));
    if (sinceCollect > threshold) collectDue = true;
    if (sinceCollect > OVERDUE * threshold) {
      // Collect now; collectDue stays, so the flush's end collects again between two turns of
      // the loop, where the nodes this job has deref'd can be freed too.
      sinceCollect = 0;
      collect();
      finalizersDue = true;
    }
  }
  let sab = free.get(bytes)?.pop();
  const fresh = sab === undefined;
  if (sab) {
    freeBytes -= bytes;
  } else {
    // Linux hands out address space it cannot back (overcommit): an array larger than the
    // memory there is would be created, then the process killed once it is written. Refuse it
    // here, before anything is recorded or written.
    if (charged >= CHECK_FROM) {
      const available = freemem() + freeBytes;
      if (charged > available || chargedBytes + charged > totalmem()) {
        throw outOfMemory(`${what()}: this machine has ${size(available)} available (${size(totalmem())} in all, ${size(chargedBytes)} held by arrays)`);
      }
    }
    try {
      sab = new SharedArrayBuffer(bytes);
    } catch (e) {
      throw outOfMemory(`${what()}: ${(e as Error).message}`);
    }
    zero = false; // fresh buffers are zero already
  }
  liveBytes += bytes;
  chargedBytes += charged;
  // The typed-array constructors accept shared buffers; the lib typings only say ArrayBuffer.
  const data = new CTOR[dtype](sab as unknown as ArrayBuffer, 0, length);
  if (zero) data.fill(0);
  const b = new Block(id ?? nextId++, dtype, length, sab, data);
  b.untouched = fresh;
  b.charged = charged;
  track(b);
  return b;
}

// Buffers dropped (not cached) stay alive while a pool worker still holds a wrapper of one, until
// that worker collects. Every 64 MiB dropped starts a new epoch; tasks carry it, and a worker
// that sees a newer epoch collects once.
let dropped = 0;
let epoch = 0;

function noteDropped(bytes: number): void {
  dropped += bytes;
  if (dropped >= 64 * 2 ** 20) {
    dropped = 0;
    epoch++;
  }
}

export function dropEpoch(): number {
  return epoch;
}

let onFree: ((id: number) => void) | null = null;

/** Told the id of every block that goes back to the store (the other ranks free theirs). */
export function setFreeListener(fn: ((id: number) => void) | null): void {
  onFree = fn;
}

function recycle(sab: SharedArrayBuffer): void {
  const bytes = sab.byteLength;
  liveBytes -= bytes;
  // Keep at most as many free bytes as are live, or as a collection returns (what was allocated
  // since the last one, and the part of the live bytes then that died; 32 MiB at least): enough
  // to serve the allocations until the next collection returns more, not a hoard from a burst
  // long ago.
  if (freeBytes + bytes > Math.min(cacheLimit, Math.max(32 * 2 ** 20, liveBytes, (GROWTH + 1) * liveAfterCollect))) {
    noteDropped(bytes);
    return;
  }
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  list.push(sab);
  freeBytes += bytes;
}

// Blocks the program dropped come back here when collected.
const registry = new FinalizationRegistry<{ sab: SharedArrayBuffer; id: number; charged: number }>(({ sab, id, charged }) => {
  chargedBytes -= charged;
  recycle(sab);
  onFree?.(id);
});

/** The block's buffer comes back to the store when the block is collected (unregistered by it). */
function track(b: Block): void {
  registry.register(b, { sab: b.buffer, id: b.id, charged: b.charged }, b);
}

/**
 * Exchange the storage of two blocks of one dtype and length (a write that renames instead of
 * copying: graph/materialise.ts). Each block's buffer goes back to the store when that block is
 * collected, so the registry follows the buffers.
 */
export function swapStorage(a: Block, b: Block): void {
  if (a.dtype !== b.dtype || a.length !== b.length || a.released || b.released) {
    throw new Error(`distnumpy: cannot swap the storage of blocks ${a.id} and ${b.id}`);
  }
  registry.unregister(a);
  registry.unregister(b);
  [a.buffer, b.buffer] = [b.buffer, a.buffer];
  [a.data, b.data] = [b.data, a.data];
  // Both now hold written data, or will before anything reads them: no fill may be skipped.
  a.untouched = false;
  b.untouched = false;
  track(a);
  track(b);
}

/** Free a block now (x.dispose()); the caller guarantees no pending work reads it. */
export function release(b: Block): void {
  if (b.released) return;
  b.disposed = true;
  b.released = true;
  registry.unregister(b);
  chargedBytes -= b.charged;
  recycle(b.buffer);
  onFree?.(b.id);
}

/** Drop the cached free buffers (shutdown, or a test measuring memory). */
export function trimCache(limit = 0): void {
  cacheLimit = limit === 0 ? cacheLimit : limit;
  free.clear();
  freeBytes = 0;
}
