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

/** Merge the needs on the same block into one bounding interval per block. */
function byBlock(needs: readonly Need[]): Map<Block, Range> {
  const m = new Map<Block, Range>();
  for (const n of needs) {
    const cur = m.get(n.block);
    m.set(n.block, cur ? [Math.min(cur[0], n.interval[0]), Math.max(cur[1], n.interval[1])] : [n.interval[0], n.interval[1]]);
  }
  return m;
}

function elements(b: Block, rows: Range): Range {
  return [rows[0] * b.rowLen, Math.min(b.length, rows[1] * b.rowLen)];
}

/**
 * Bring to this rank the rows that `needOf(rank)` lists and other ranks own, sending the rows
 * this rank owns to those that need them. Blocks are matched by their order of first appearance,
 * which every rank computes alike; the message tag is that order.
 */
export function exchange(comm: Comm, needOf: (rank: number) => Need[]): void {
  const me = comm.rank;
  const p = comm.size;
  const all = Array.from({ length: p }, (_, q) => byBlock(needOf(q)));
  const reqs: MpiRequest[] = [];
  // Receives first, so the sends find them posted.
  let tag = 0;
  for (const [b, iv] of all[me]) {
    const want = rowsCovering(b, iv);
    for (let q = 0; q < p; q++) {
      if (q === me) continue;
      const got = intersect(want, ownedRows(b, q, p));
      if (got[1] <= got[0]) continue;
      const [lo, hi] = elements(b, got);
      if (hi > lo) reqs.push(comm.Irecv(b.data.subarray(lo, hi), q, tag));
    }
    tag++;
  }
  for (let q = 0; q < p; q++) {
    if (q === me) continue;
    tag = 0;
    for (const [b, iv] of all[q]) {
      const give = intersect(rowsCovering(b, iv), ownedRows(b, me, p));
      if (give[1] > give[0]) {
        const [lo, hi] = elements(b, give);
        if (hi > lo) reqs.push(comm.Isend(b.data.subarray(lo, hi), q, tag));
      }
      tag++;
    }
  }
  if (reqs.length) comm.Waitall(reqs);
}
