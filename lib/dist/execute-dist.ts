// Executing a step on one of several ranks: owner computes. Each rank runs the part of a kernel
// whose output rows it owns, after fetching the input rows that part reads from their owners;
// whole-array reductions split the iteration evenly and combine the partials in rank order.
import { combinePartials, type Partial } from '../kernels/partials.js';
import { type Executor, gemmUsesBlas, ranges, runCopy, runFused, runGemm, runKernel } from '../smp/exec.js';
import type { Block } from '../smp/store.js';
import { arraysOf, executeStep, storeReduced } from './execute.js';
import { createNpy, readRanges, writeRanges } from './npy-io.js';
import { type Need, type Piece, allLocal, exchange, exchangeAsync, postBySource, transfer, waitFor } from './exchange.js';
import type { Comm } from './mpi.js';
import { type Iteration, type Range, ownedCols, ownedElements, ownedOuter, ownedRows, ownedTiles, pointers, splitByColumns, subKernel, touched, viewInterval } from './partition.js';
import { type BlockView, kernelOf, type Step } from './steps.js';

/**
 * The rows of every input a kernel reads for the outer index ranges `parts`; `base`: how many
 * output pointers come before the inputs'.
 */
function kernelNeeds(k: Iteration, blocks: (Block | null)[], parts: Range[], base = k.kind === 'reduceAll' ? 0 : 1): Need[] {
  const { dims, ptrs, axisLen } = pointers(k);
  const needs: Need[] = [];
  for (const part of parts) {
    if (part[1] <= part[0]) continue;
    blocks.forEach((b, i) => {
      if (!b) return;
      const iv = touched(ptrs[i + base], dims, part[0], part[1], axisLen);
      if (iv) needs.push({ block: b, interval: iv });
    });
  }
  return needs;
}

async function kernelStep(ex: Executor, comm: Comm, s: Extract<Step, { kind: 'kernel' }>): Promise<void> {
  const k = kernelOf(s);
  const p = comm.size;
  const me = comm.rank;
  if (k.kind === 'reduceAll') {
    const parts = ranges(k.split, p);
    while (parts.length < p) parts.push([k.split, k.split]);
    exchange(comm, (q) => kernelNeeds(k, s.blocks, [parts[q]]));
    const mine = (await runKernel(ex, k, arraysOf([], s.blocks), parts[me][0], parts[me][1]))!;
    const active = parts.map(([a, z]) => z > a);
    const [all] = acrossRanks(comm, [mine], active, (ps) => combinePartials(k.reduce!, ps.length ? ps : [mine], k.integerResult));
    storeReduced(s.out, k.reduce!, all, s.count);
    return;
  }
  const tiles = Array.from({ length: p }, (_, q) => ownedTiles(k, s.out, q, p));
  const arrays = arraysOf([s.out], s.blocks);
  if (tiles[me] === null) {
    // The output does not split by rows: every rank computes all of it from all it reads.
    const full: Range = [0, k.split];
    exchange(comm, () => kernelNeeds(k, s.blocks, [full]));
    await runKernel(ex, k, arrays);
    return;
  }
  if (tiles[me]!.some((t) => t.inner)) {
    // A 2-D process grid: each tile is the kernel over some rows and some columns. Whole rows
    // of the inputs travel (see exchange), so the needs of a tile's outer range will do.
    const outers = (q: number): Range[] => [...new Map((tiles[q] ?? []).map((t) => [t.outer[0], t.outer])).values()];
    exchange(comm, (q) => kernelNeeds(k, s.blocks, outers(q)));
    for (const t of tiles[me]!) await runKernel(ex, t.inner ? subKernel(k, t.inner) : k, arrays, t.outer[0], t.outer[1]);
    return;
  }
  const owned = tiles.map((ts) => (ts ?? []).map((t) => t.outer));
  await runOwned(comm, owned, (parts) => kernelNeeds(k, s.blocks, parts), (a, z) => runKernel(ex, k, arrays, a, z));
}

/**
 * Run `run` over the outer ranges this rank owns (`owned[q]`: rank q's) once the rows they read
 * that other ranks own have arrived; returns each run's result. The halo completes on a libuv
 * thread (MPI_Waitall there) while this thread computes the rows that need none of it: that
 * thread is what progresses a rendezvous-sized message in time (measured: a 4000^2 sweep at 2
 * ranks took 100 ms this way, 120-140 ms posting first and waiting after the interior).
 */
async function runOwned<R>(comm: Comm, owned: Range[][], needs: (parts: Range[]) => Need[], run: (a: number, z: number) => Promise<R>): Promise<R[]> {
  const me = comm.rank;
  const p = comm.size;
  const results: R[] = [];
  const pending = exchangeAsync(comm, (q) => needs(owned[q]));
  if (!pending || owned[me].length > MAX_SPLIT_RANGES) {
    // Nothing to wait for; or many small row blocks, where nearly every row is an edge row.
    await waitFor(pending);
    for (const [a, z] of owned[me]) if (z > a) results.push(await run(a, z));
    return results;
  }
  // While the rows from other ranks travel, compute the rows that need none of them (a
  // stencil's interior), then the rest (its edge rows) once they have arrived.
  const local = (r: Range) => allLocal(needs([r]), me, p);
  const after: Range[] = [];
  let failure: unknown = null;
  try {
    for (const [a, z] of owned[me]) {
      const [ia, iz] = interior([a, z], local);
      if (iz > ia) results.push(await run(ia, iz));
      if (ia > a) after.push([a, ia]);
      if (z > iz) after.push([Math.max(ia, iz), z]);
    }
  } catch (e) {
    failure = e;
  }
  await waitFor(pending); // even after a failure: the receives write into these blocks
  if (failure) throw failure;
  for (const [a, z] of after) results.push(await run(a, z));
  return results;
}

/**
 * A fused step (several steps in one loop, graph/fuse.ts) on one rank of several: the ranks
 * split the loop by the rows of its outputs, which must all be dealt alike (else every rank
 * runs all of it), or evenly when it only folds; the folds' partials combine in rank order.
 */
async function fusedStep(ex: Executor, comm: Comm, s: Extract<Step, { kind: 'fused' }>): Promise<void> {
  const k = s.kernel;
  const p = comm.size;
  const base = s.outs.length;
  const arrays = arraysOf(s.outs, s.blocks);
  const needs = (parts: Range[]): Need[] => kernelNeeds(k, s.blocks, parts, base);
  let owned: Range[][] | null;
  if (base === 0) {
    owned = ranges(k.split, p).map((r) => [r]);
    while (owned.length < p) owned.push([]);
  } else {
    const outer = Array.from({ length: p }, (_, q) => ownedOuter(k, s.outs[0], q, p));
    const same = (q: number, j: number): boolean => sameRanges(ownedOuter(k, s.outs[j], q, p, j), outer[q]);
    owned = outer.some((r, q) => r === null || s.outs.some((_, j) => j > 0 && !same(q, j))) ? null : (outer as Range[][]);
  }
  const folds = s.folds;
  const identity: Partial[] = folds.map((f) => combinePartials(f.reduce, []));
  let mine: Partial[];
  if (owned === null) {
    // The outputs do not split alike by rows: every rank computes all of them from all it reads.
    exchange(comm, () => needs([[0, k.split]]));
    mine = await runFused(ex, k, arrays);
  } else {
    const parts = await runOwned(comm, owned, needs, (a, z) => runFused(ex, k, arrays, a, z));
    mine = folds.map((f, i) => (parts.length ? combinePartials(f.reduce, parts.map((r) => r[i])) : identity[i]));
    const active = owned.map((rs) => rs.some(([a, z]) => z > a));
    if (folds.length > 0) mine = acrossRanks(comm, mine, active, (ps, i) => combinePartials(folds[i].reduce, ps.length ? ps : [identity[i]]));
  }
  folds.forEach((f, i) => storeReduced(f.block, f.reduce, mine[i], f.count));
}

/** Whether two lists of ranges (null: not split by rows) are the same. */
function sameRanges(a: readonly Range[] | null, b: readonly Range[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((r, i) => r[0] === b[i][0] && r[1] === b[i][1]);
}

/**
 * Every rank's partials (one per fold), gathered in rank order by one Allreduce (each entry has
 * one non-zero slot, so the sum is exact), and for each fold `combine`d over the ranks that
 * had work (`active`).
 */
function acrossRanks(comm: Comm, mine: Partial[], active: boolean[], combine: (parts: Partial[], fold: number) => Partial): Partial[] {
  const p = comm.size;
  const W = mine.length;
  const send = new Float64Array(2 * p * W);
  mine.forEach(([v, i], f) => {
    send[2 * (comm.rank * W + f)] = v;
    send[2 * (comm.rank * W + f) + 1] = i;
  });
  const all = new Float64Array(2 * p * W);
  comm.Allreduce(send, all, 'sum');
  return mine.map((_, f) => {
    const ps: Partial[] = [];
    for (let q = 0; q < p; q++) if (active[q]) ps.push([all[2 * (q * W + f)], all[2 * (q * W + f) + 1]]);
    return combine(ps, f);
  });
}

const MAX_SPLIT_RANGES = 16;

/** How many outer indices at each end of a range may depend on other ranks' rows. */
const EDGE_SCAN = 4;

/**
 * The part [ia, iz) of the range whose reads are all local: up to EDGE_SCAN indices are peeled
 * from each end until one is local, and the middle must be local as a whole; otherwise nothing
 * (an empty range at a) is interior and everything waits for the messages.
 */
function interior([a, z]: Range, local: (r: Range) => boolean): Range {
  let ia = a;
  while (ia < z && ia - a < EDGE_SCAN && !local([ia, ia + 1])) ia++;
  let iz = z;
  while (iz > ia && z - iz < EDGE_SCAN && !local([iz - 1, iz])) iz--;
  return iz > ia && local([ia, iz]) ? [ia, iz] : [a, a];
}

function rowsView(v: BlockView, rows: Range): BlockView {
  return { ...v, shape: [rows[1] - rows[0], v.shape[1]], offset: v.offset + rows[0] * v.strides[0] };
}

/**
 * C = A @ B by rows of C: each rank computes the C rows it owns. When B's rows are rows of its
 * block (B is not transposed) and BLAS multiplies, this is SUMMA over the 1-D process grid: B's
 * row panels stay where they are owned, every owner sends its panel to the ranks that need it,
 * and each rank accumulates C_mine += A_mine[:, panel] @ B[panel] panel by panel, starting with
 * its own while the others travel. Otherwise (a transposed B, integer products) each rank
 * fetches the B it reads and multiplies once.
 */
async function gemmStep(ex: Executor, comm: Comm, s: Extract<Step, { kind: 'gemm' }>): Promise<void> {
  const p = comm.size;
  const me = comm.rank;
  const cRows = (q: number): readonly Range[] => ownedRows(s.c.block, q, p);
  const aNeeds = (q: number): Need[] => {
    const out: Need[] = [];
    for (const r of cRows(q)) {
      const ia = viewInterval(rowsView(s.a, r));
      if (ia) out.push({ block: s.a.block, interval: ia });
    }
    return out;
  };
  if ([s.a.block, s.b.block, s.c.block].some(splitByColumns)) return gemmGrid(ex, comm, s);
  const panels = bPanels(s.b, p);
  if (!panels || s.b.shape[0] === 0 || !gemmUsesBlas(view(s.a), view(s.b), view(s.c))) {
    exchange(comm, (q) => {
      if (cRows(q).length === 0) return [];
      const ib = viewInterval(s.b);
      return ib ? [...aNeeds(q), { block: s.b.block, interval: ib }] : aNeeds(q);
    });
    for (const rows of cRows(me)) await runGemm(ex, view(rowsView(s.a, rows)), view(s.b), view(rowsView(s.c, rows)));
    return;
  }
  exchange(comm, aNeeds);
  const mine = cRows(me);
  const to = panels.map((_, q) => (q === me || cRows(q).length === 0 ? [] : panels[me].pieces));
  const from = panels.map((panel, q) => (q === me || mine.length === 0 ? [] : panel.pieces));
  const { recvs, sends } = postBySource(comm, to, from);
  // Completion runs on libuv threads from the start (MPI progresses there while BLAS computes on
  // this one): the sends, and the panels in the order they are used, one after another.
  const sent = sends.length ? comm.WaitallAsync(sends) : null;
  const arrived: (Promise<void> | null)[] = new Array(p).fill(null);
  let chain: Promise<void> = Promise.resolve();
  for (let i = 1; i < p; i++) {
    const q = (me + i) % p;
    if (recvs[q].reqs.length === 0) continue;
    chain = chain.then(() => comm.WaitallAsync(recvs[q].reqs)).then(() => recvs[q].unpack());
    arrived[q] = chain;
  }
  let beta: 0 | 1 = 0;
  let failure: unknown = null;
  for (let i = 0; i < p; i++) {
    const q = (me + i) % p;
    await waitFor(arrived[q]);
    if (failure || panels[q].k.length === 0) continue;
    try {
      for (const [k0, k1] of panels[q].k) {
        for (const rows of mine) {
          await runGemm(ex, view(colsView(rowsView(s.a, rows), [k0, k1])), view(rowsView(s.b, [k0, k1])), view(rowsView(s.c, rows)), beta);
        }
        beta = 1;
      }
    } catch (e) {
      failure = e; // the messages still complete before the step fails
    }
  }
  await waitFor(sent?.then(() => undefined) ?? null);
  if (failure) throw failure;
}

/**
 * A product on a 2-D process grid: each rank computes its tiles of C, C[rows, cols] =
 * A[rows, :] @ B[:, cols], from the rows of A and the columns of B those tiles read.
 */
async function gemmGrid(ex: Executor, comm: Comm, s: Extract<Step, { kind: 'gemm' }>): Promise<void> {
  const p = comm.size;
  const N = s.c.shape[1];
  const cTiles = (q: number): [Range, Range][] => {
    const cols: readonly Range[] = splitByColumns(s.c.block) ? ownedCols(s.c.block, q, p) : [[0, N]];
    return ownedRows(s.c.block, q, p).flatMap((rows) => cols.map((c): [Range, Range] => [rows, c]));
  };
  exchange(comm, (q) => {
    const needs: Need[] = [];
    for (const [rows, cols] of cTiles(q)) {
      const ia = viewInterval(rowsView(s.a, rows));
      const ib = viewInterval(colsView(s.b, cols));
      if (ia) needs.push({ block: s.a.block, interval: ia });
      if (ib) needs.push({ block: s.b.block, interval: ib });
    }
    return needs;
  });
  for (const [rows, cols] of cTiles(comm.rank)) {
    await runGemm(ex, view(rowsView(s.a, rows)), view(colsView(s.b, cols)), view(colsView(rowsView(s.c, rows), cols)));
  }
}

function view(v: BlockView) {
  return { dtype: v.dtype, data: v.block.data, shape: v.shape, strides: v.strides, offset: v.offset };
}

function colsView(v: BlockView, cols: Range): BlockView {
  return { ...v, shape: [v.shape[0], cols[1] - cols[0]], offset: v.offset + cols[0] * v.strides[1] };
}

/**
 * For each rank, the ranges of k (rows of the view B) whose storage rows it owns, and those rows
 * as pieces to send; null when B's rows are not rows of its block (a transposed or reversed
 * view), where panels by owner do not exist.
 */
function bPanels(b: BlockView, p: number): { k: Range[]; pieces: Piece[] }[] | null {
  const L = b.block.rowLen;
  const [K, N] = b.shape;
  const [s0, s1] = b.strides;
  if (K === 0 || N === 0) return null;
  if (s0 <= 0 || s0 % L !== 0 || (N > 1 && s1 < 0) || (b.offset % L) + Math.max(0, s1) * (N - 1) >= L) return null;
  const step = s0 / L;
  const r0 = Math.floor(b.offset / L);
  const firstK = (row: number) => Math.min(K, Math.max(0, Math.ceil((row - r0) / step)));
  return Array.from({ length: p }, (_, q) => {
    const k: Range[] = [];
    const pieces: Piece[] = [];
    for (const [ra, rz] of ownedRows(b.block, q, p)) {
      const k0 = firstK(ra);
      const k1 = firstK(rz);
      if (k1 <= k0) continue;
      k.push([k0, k1]);
      if (step === 1) pieces.push({ data: b.block.data, lo: (r0 + k0) * L, hi: Math.min(b.block.length, (r0 + k1) * L) });
      else for (let j = k0; j < k1; j++) pieces.push({ data: b.block.data, lo: (r0 + j * step) * L, hi: Math.min(b.block.length, (r0 + j * step + 1) * L) });
    }
    return { k, pieces };
  });
}

/** Rank 0 receives the elements [from, to) of the block that other ranks own (a read). */
function gather(comm: Comm, b: Block, from: number, to: number): void {
  const p = comm.size;
  const parts = (q: number): Piece[] =>
    ownedElements(b, q, p)
      .map(([lo, hi]): Piece => ({ data: b.data, lo: Math.max(lo, from), hi: Math.min(hi, to) }))
      .filter((x) => x.hi > x.lo);
  const none: Piece[][] = Array.from({ length: p }, () => []);
  if (comm.rank === 0) transfer(comm, none, none.map((_, q) => (q === 0 ? [] : parts(q))));
  else transfer(comm, none.map((_, q) => (q === 0 ? parts(comm.rank) : [])), none);
}

export async function executeDistributed(ex: Executor, comm: Comm, s: Step): Promise<void> {
  switch (s.kind) {
    case 'kernel':
      return kernelStep(ex, comm, s);
    case 'fused':
      return fusedStep(ex, comm, s);
    case 'gemm':
      return gemmStep(ex, comm, s);
    case 'gather':
      return gather(comm, s.block, s.lo, s.hi);
    case 'save':
      if (comm.rank === 0) createNpy(s.path, s.header, s.block);
      comm.Barrier();
      writeRanges(s.path, s.header.length, s.block, ownedElements(s.block, comm.rank, comm.size));
      comm.Barrier();
      return;
    case 'load':
      readRanges(s.path, s.offset, s.block, ownedElements(s.block, comm.rank, comm.size));
      return;
    case 'fill':
      // Only the owned rows: a rank must not touch (and so commit memory for) the others.
      if (!(s.value === 0 && s.block.untouched)) {
        for (const [lo, hi] of ownedElements(s.block, comm.rank, comm.size)) s.block.data.fill(s.value, lo, hi);
      }
      s.block.untouched = false;
      return;
    case 'data':
      for (const [lo, hi] of ownedElements(s.block, comm.rank, comm.size)) {
        (s.block.data as Float64Array).set((s.values as Float64Array).subarray(lo, hi), lo);
      }
      return;
    case 'copy': {
      // The copy has the source's rows: each rank copies the rows it owns.
      for (const [lo, hi] of ownedElements(s.src, comm.rank, comm.size)) await runCopy(ex, s.src.data, s.dst.data, lo, hi);
      return;
    }
    default:
      return executeStep(ex, s);
  }
}
