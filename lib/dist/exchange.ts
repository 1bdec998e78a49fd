// Moving rows before a step: every rank knows what every rank needs (partition.ts), so each
// posts its sends of owned rows and its receives of the rows it lacks, non-blocking, and waits.
// Rows go straight from and into the blocks' SharedArrayBuffers (no copies).
import type { Block } from '../smp/store.js';
import type { Comm, MpiRequest } from './mpi.js';
import { type Range, intersect, ownedRows, rowsCovering } from './partition.js';

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

function elements(b: Block, rows: Range): Range {
  return [rows[0] * b.rowLen, Math.min(b.length, rows[1] * b.rowLen)];
}

/**
 * Bring to this rank the rows that `needOf(rank)` lists and other ranks own, sending the rows
 * this rank owns to those that need them.
 */
export function exchange(comm: Comm, needOf: (rank: number) => Need[]): void {
  const me = comm.rank;
  const p = comm.size;
  const all = Array.from({ length: p }, (_, q) => wantedRows(needOf(q)));
  const reqs: MpiRequest[] = [];
  // One message per (block, wanted row range, owned row range): the tag numbers them in an order
  // both sides compute alike.
  const pieces = (b: Block, want: Range[], owner: number): Range[] =>
    want.flatMap((w) =>
      ownedRows(b, owner, p)
        .map((o) => intersect(w, o))
        .filter(([a, z]) => z > a)
        .map((rows) => elements(b, rows)),
    );
  // Receives first, so the sends find them posted.
  for (let q = 0; q < p; q++) {
    if (q === me) continue;
    let tag = 0;
    for (const [b, want] of all[me]) for (const [lo, hi] of pieces(b, want, q)) reqs.push(comm.Irecv(b.data.subarray(lo, hi), q, tag++));
  }
  for (let q = 0; q < p; q++) {
    if (q === me) continue;
    let tag = 0;
    for (const [b, want] of all[q]) for (const [lo, hi] of pieces(b, want, me)) reqs.push(comm.Isend(b.data.subarray(lo, hi), q, tag++));
  }
  if (reqs.length) comm.Waitall(reqs);
}
