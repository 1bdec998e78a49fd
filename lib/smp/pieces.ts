// A kernel split into more pieces than threads, which the threads claim in turn from a shared
// counter: a thread that starts late (a worker woken from sleep on a busy machine took up to
// 4 ms here) or is interrupted takes fewer pieces instead of holding everyone up. Pieces are fixed
// by the range and their count alone, and each piece's partial results go to its own slot, so the
// combined result does not depend on which thread ran which piece.
import { type Partial, partialsOf } from '../kernels/partials.js';

/**
 * Pieces per thread: enough to even out a late start or a slower thread, few enough that each is
 * worth a call. With 6, two threads each took six Monte Carlo pieces though the main thread ran
 * them 10% slower (42 against 38 ms); 16 let the faster one take more (43 -> 36 ms in all).
 */
export const PIECES_PER_THREAD = 16;

/** Piece c of [from, to) cut into n near-equal ranges. */
export function pieceOf(from: number, to: number, n: number, c: number): [number, number] {
  const len = to - from;
  return [from + Math.floor((len * c) / n), from + Math.floor((len * (c + 1)) / n)];
}

/**
 * Claim pieces from `counter` until none are left, running each; a piece's result (one partial,
 * or `width` of them from a fused kernel) is stored in its slots of `partials`. `run` is told
 * whether the piece is the first this call runs (`fresh`): a kernel may keep what it prepared for
 * that one (wasm-rows.ts keeps its copies of operands that are the same for every row).
 */
export function claimPieces(
  counter: Int32Array,
  n: number,
  from: number,
  to: number,
  width: number,
  partials: Float64Array | null,
  run: (start: number, end: number, fresh: boolean) => unknown,
): void {
  for (let fresh = true; ; fresh = false) {
    const c = Atomics.add(counter, 0, 1);
    if (c >= n) return;
    const [a, z] = pieceOf(from, to, n, c);
    const r = run(a, z, fresh);
    if (width === 0 || !partials) continue;
    const list = partialsOf(r);
    for (let f = 0; f < width; f++) {
      partials[2 * (c * width + f)] = list[f][0];
      partials[2 * (c * width + f) + 1] = list[f][1];
    }
  }
}

/** Stop the other threads claiming (after a failure: nothing more is worth running). */
export function stopClaiming(counter: Int32Array, n: number): void {
  Atomics.store(counter, 0, n);
}

/** Partial `f` of every piece, in piece order. */
export function piecePartials(partials: Float64Array, n: number, width: number, f: number): Partial[] {
  const out: Partial[] = [];
  for (let c = 0; c < n; c++) out.push([partials[2 * (c * width + f)], partials[2 * (c * width + f) + 1]]);
  return out;
}
