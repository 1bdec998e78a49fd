// Combining the partial results of a whole-array reduction computed in pieces (threads, ranks),
// in piece order, so the result does not depend on which piece finished first.
import type { ReduceOp } from './program.js';

/**
 * [value, index]: the index for argmin/argmax; for an integer product the low 32 bits of the
 * product modulo 2^64 when |value| >= 2^53 (value is then rounded), else -1.
 */
export type Partial = [number, number];

/**
 * The partials of one kernel call, as a list: a whole-array reduction's kernel returns its value
 * alone (or [value, index] for argmin/argmax), a fused kernel with one fold that fold's value, one
 * with several a partial per fold (codegen.ts partialOf says why values come alone).
 */
export function partialsOf(r: unknown): Partial[] {
  if (typeof r === 'number') return [[r, -1]];
  return (typeof (r as unknown[])[0] === 'number' ? [r] : r) as Partial[];
}

/** NumPy's accumulator of an integer sum or product (uint64 for uint8 data); false: not one. */
export type IntAccumulator = false | 'int64' | 'uint64';

const EXACT = 2 ** 53;

/**
 * `integer`: an integer sum or product, where -5 * 0 = -0 must come out as NumPy's 0; integer
 * products combine modulo 2^64 as NumPy's int64/uint64 products wrap (the kernels compute each
 * piece so, codegen.ts), so any split gives the same value as one piece.
 */
export function combinePartials(red: ReduceOp, parts: readonly Partial[], integer: IntAccumulator | boolean = false): Partial {
  if (red === 'prod' && integer) return combineIntProducts(parts, integer === 'uint64');
  let [acc, ai] = identityPartial(red);
  for (const [v, i] of parts) {
    switch (red) {
      case 'sum':
      case 'mean':
        acc += v;
        break;
      case 'prod':
        acc *= v;
        break;
      case 'min':
        if (v < acc || v !== v) acc = v;
        break;
      case 'max':
        if (v > acc || v !== v) acc = v;
        break;
      case 'argmin':
        if (i >= 0 && (ai < 0 || v < acc || (v !== v && acc === acc))) [acc, ai] = [v, i];
        break;
      case 'argmax':
        if (i >= 0 && (ai < 0 || v > acc || (v !== v && acc === acc))) [acc, ai] = [v, i];
        break;
      case 'all':
        if (v === 0) acc = 0;
        break;
      case 'any':
        if (v !== 0) acc = 1;
        break;
    }
  }
  return [integer ? acc + 0 : acc, ai];
}

export function identityPartial(red: ReduceOp): Partial {
  switch (red) {
    case 'prod':
    case 'all':
      return [1, -1];
    case 'min':
    case 'argmin':
      return [Infinity, -1];
    case 'max':
    case 'argmax':
      return [-Infinity, -1];
    default:
      return [0, -1];
  }
}

/** The product of integer-product partials modulo 2^64, as the kernels compute one piece. */
function combineIntProducts(parts: readonly Partial[], unsigned: boolean): Partial {
  let acc = 1;
  for (const [v] of parts) {
    acc *= v;
    if (!(Math.abs(v) < EXACT && Math.abs(acc) < EXACT)) return combineIntProductsMod64(parts, unsigned);
  }
  return [acc + 0, -1];
}

function combineIntProductsMod64(parts: readonly Partial[], unsigned: boolean): Partial {
  let r = 1n;
  for (const [v, lo] of parts) r = BigInt.asUintN(64, r * residue(v, lo));
  return [Number(unsigned ? r : BigInt.asIntN(64, r)), Number(r & 0xffffffffn)];
}

/** A partial's product modulo 2^64: `v` itself when exact, else its high half from v and its low 32 bits. */
function residue(v: number, lo: number): bigint {
  if (Math.abs(v) < EXACT) return BigInt(v);
  // v is the 64-bit value rounded to a double (an error below 2^12): the high half is exact.
  const hi = Math.round((v - lo) / 4294967296);
  return BigInt.asUintN(64, (BigInt(hi) << 32n) + BigInt(lo));
}
