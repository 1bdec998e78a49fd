// Moving rows before a step: every rank knows what every rank needs (partition.ts), so each
// posts its sends of owned rows and its receives of the rows it lacks, non-blocking, and waits.
// One message per pair of ranks: a single run of rows goes straight from and into the blocks'
// SharedArrayBuffers; several (small blocks, a 2-D grid) are packed into one buffer.
import type { TypedArray } from '../kernels/dtypes.js';
import type { Block } from '../smp/store.js';
import type { Comm, MpiRequest } from './mpi.js';
import { type Range, intersect, ownedPieces, ownedRows, rowsCovering, splitByColumns } from './partition.js';

/** What one rank reads of one block: a storage interval [lo, hi]. */
export interface Need {
  block: Block;
  interval: Range;
}

/** The rows each block is read at, merged into disjoint ascending ranges (blocks in first-seen order). */
function wantedRows(needs: readonly Need[]): Map<Block, Range[]> {
  const m = new Map<Block, Range[]>();
  for (const n of needs) {
    const list = m.get(n.block) ?? [];
    list.push(rowsCovering(n.block, n.interval));
    m.set(n.block, list);
  }
  for (const [b, list] of m) {
    list.sort((x, y) => x[0] - y[0]);
    const merged: Range[] = [];
    for (const r of list) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    m.set(b, merged);
  }
  return m;
}

/**
 * This rank's point-to-point traffic so far: messages and bytes it sent and received, and the
 * time it spent blocked waiting for them (not the time they travelled beside local work).
 */
export const traffic = { messages: 0, bytes: 0, waitMs: 0 };

/** Await `p`, counting the time blocked in traffic.waitMs. */
export async function waitFor(p: Promise<void> | null): Promise<void> {
  if (!p) return;
  const t0 = performance.now();
  try {
    await p;
  } finally {
    traffic.waitMs += performance.now() - t0;
  }
}

/** A run of elements [lo, hi) of a block's data. */
export interface Piece {
  data: TypedArray;
  lo: number;
  hi: number;
}

function bytesOf(x: Piece): Uint8Array {
  const b = x.data.BYTES_PER_ELEMENT;
  return new Uint8Array(x.data.buffer, x.data.byteOffset + x.lo * b, (x.hi - x.lo) * b);
}

/**
 * Move pieces between this rank and each other: `to[q]` are sent to rank q, `from[q]` received
 * from it (both sides list the same pieces in the same order). One message per pair of ranks: a
 * single piece travels in place, several (small blocks, many rows) are packed into one buffer,
 * so a block-cyclic layout costs one message per neighbour, not one per block of rows.
 */
export function transfer(comm: Comm, to: readonly Piece[][], from: readonly Piece[][]): void {
  const t = post(comm, to, from);
  if (t.reqs.length) {
    const t0 = performance.now();
    comm.Waitall(t.reqs);
    traffic.waitMs += performance.now() - t0;
  }
  t.unpack();
}

/**
 * transfer(), returning at once: the messages complete on a libuv thread (MPI_Waitall there)
 * while this thread and the pool compute what needs no remote data.
 */
export function transferAsync(comm: Comm, to: readonly Piece[][], from: readonly Piece[][]): Promise<void> | null {
  const t = post(comm, to, from);
  if (t.reqs.length === 0) return null;
  return comm.WaitallAsync(t.reqs).then(() => t.unpack());
}

function post(comm: Comm, to: readonly Piece[][], from: readonly Piece[][]): { reqs: MpiRequest[]; unpack: () => void } {
  const { recvs, sends } = postBySource(comm, to, from);
  const reqs = [...recvs.flatMap((r) => r.reqs), ...sends];
  return { reqs, unpack: () => recvs.forEach((r) => r.unpack()) };
}

/** What arrives from one rank: its receive requests, and what to do once they completed. */
export interface Arrival {
  reqs: MpiRequest[];
  unpack: () => void;
}

/**
 * Post every receive (`from[q]`, grouped by the sending rank q) and every send (`to[q]`): one
 * message per pair of ranks, a single piece in place, several packed into one buffer.
 */
export function postBySource(comm: Comm, to: readonly Piece[][], from: readonly Piece[][]): { recvs: Arrival[]; sends: MpiRequest[] } {
  const one = (list: readonly Piece[]): Uint8Array | null => (list.length === 1 ? bytesOf(list[0]) : null);
  // Receives first, so the sends find them posted.
  const recvs = from.map((list, q): Arrival => {
    if (q === comm.rank || list.length === 0) return { reqs: [], unpack: () => undefined };
    const direct = one(list);
    if (direct) return { reqs: [comm.Irecv(direct, q, 0)], unpack: () => undefined };
    const parts = list.map(bytesOf);
    const packed = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
    return {
      reqs: [comm.Irecv(packed, q, 0)],
      unpack: () => {
        let at = 0;
        for (const x of parts) {
          x.set(packed.subarray(at, at + x.length));
          at += x.length;
        }
      },
    };
  });
  const sends: MpiRequest[] = [];
  to.forEach((list, q) => {
    if (q === comm.rank || list.length === 0) return;
    const direct = one(list);
    if (direct) return void sends.push(comm.Isend(direct, q, 0));
    const parts = list.map(bytesOf);
    const packed = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const x of parts) {
      packed.set(x, at);
      at += x.length;
    }
    sends.push(comm.Isend(packed, q, 0));
  });
  for (const list of [...from, ...to]) for (const x of list) traffic.bytes += (x.hi - x.lo) * x.data.BYTES_PER_ELEMENT;
  traffic.messages += sends.length + recvs.reduce((n, r) => n + r.reqs.length, 0);
  return { recvs, sends };
}

/**
 * Bring to this rank the rows that `needOf(rank)` lists and other ranks own, sending the rows
 * this rank owns to those that need them.
 */
export function exchange(comm: Comm, needOf: (rank: number) => Need[]): void {
  const [to, from] = plan(comm, needOf);
  transfer(comm, to, from);
}

/** exchange(), returning at once (null: nothing to move); see transferAsync. */
export function exchangeAsync(comm: Comm, needOf: (rank: number) => Need[]): Promise<void> | null {
  const [to, from] = plan(comm, needOf);
  return transferAsync(comm, to, from);
}

/** What this rank sends to and receives from each rank for `needOf`. */
function plan(comm: Comm, needOf: (rank: number) => Need[]): [Piece[][], Piece[][]] {
  const me = comm.rank;
  const p = comm.size;
  const all = Array.from({ length: p }, (_, q) => wantedRows(needOf(q)));
  // The pieces rank `owner` holds of what a rank wants, in an order both sides compute alike.
  const pieces = (want: Map<Block, Range[]>, owner: number): Piece[] => {
    const out: Piece[] = [];
    for (const [b, rows] of want) {
      for (const w of rows) {
        for (const o of ownedRows(b, owner, p)) {
          for (const [lo, hi] of ownedPieces(b, intersect(w, o), owner, p)) if (hi > lo) out.push({ data: b.data, lo, hi });
        }
      }
    }
    return out;
  };
  const from = Array.from({ length: p }, (_, q) => (q === me ? [] : pieces(all[me], q)));
  const to = Array.from({ length: p }, (_, q) => (q === me ? [] : pieces(all[q], me)));
  return [to, from];
}

/** Whether every row `needs` reads is one rank `me` owns (so no message is waited for). */
export function allLocal(needs: readonly Need[], me: number, p: number): boolean {
  for (const n of needs) {
    if (splitByColumns(n.block)) return false; // this rank never owns whole rows
    let [a, z] = rowsCovering(n.block, n.interval);
    for (const [oa, oz] of ownedRows(n.block, me, p)) {
      if (oa <= a && a < oz) a = oz;
      if (a >= z) break;
    }
    if (a < z) return false;
  }
  return true;
}
