// Functions that generated kernels call by name. They are handed to `new Function` as arguments
// (not pasted in as source) so there is one definition, testable on its own, and V8 inlines them.

/** Integer power with int32 wrap-around, as NumPy's integer `power`. */
export function ipow(base: number, exp: number): number {
  if (exp < 0) throw new RangeError('Integers to negative integer powers are not allowed.');
  let r = 1;
  let b = base | 0;
  let e = exp;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, b);
    b = Math.imul(b, b);
    e >>>= 1;
  }
  return r;
}

/** C's pow (NumPy's): 1 ** anything and (-1) ** +-inf are 1, where JS's Math.pow gives NaN. */
export function cpow(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}

/** Integer remainder with the divisor's sign (Python/NumPy), 0 for a zero divisor as NumPy gives. */
export function imod(a: number, b: number): number {
  if (b === 0) return 0;
  const m = a % b;
  return m !== 0 && b < 0 !== m < 0 ? m + b : m;
}

/** Float remainder as NumPy's npy_divmod: fmod, moved to the divisor's sign, zero signed as b. */
export function fmod(a: number, b: number): number {
  const m = a % b;
  if (b === 0 || m !== m) return m;
  if (m !== 0) return b < 0 !== m < 0 ? m + b : m;
  return b < 0 ? -0 : 0;
}

// Random numbers are a pure function of (seed, stream, element index), so any thread or rank
// count gives the same array. Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11), keyed by the seed, turns the counter (group lo, group hi, stream, 0) of each
// aligned group of GROUP elements into a 128-bit state of xoshiro128** (Blackman & Vigna), which
// then yields the group's numbers in order: the counter-based property of Philox at the cost of
// a 32-bit xorshift step per word (a full Philox evaluation costs ~60 ns in JS). Groups of 256
// rather than 32 took the Monte Carlo kernel from 142 to 105 ms for 10^7 samples; reading a lazy
// random array out of order (a reversed or transposed view) costs up to a group's steps a read.
const GROUP = 256;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of a * M for uint32 a and the Philox multiplier M = mh*2^16 + ml, in int arithmetic. */
function mulhi(a: number, mh: number, ml: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const t = a0 * ml;
  const m1 = a1 * ml + (t >>> 16);
  const m2 = a0 * mh + (m1 & 0xffff);
  return (a1 * mh + (m1 >>> 16) + (m2 >>> 16)) | 0;
}

const out = new Int32Array(4);

function philoxInto(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  c0 |= 0;
  c1 |= 0;
  c2 |= 0;
  c3 |= 0;
  k0 |= 0;
  k1 |= 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(c0, 0xd251, 0x1f53);
    const lo0 = Math.imul(c0, 0xd2511f53);
    const hi1 = mulhi(c2, 0xcd9e, 0x8d57);
    const lo1 = Math.imul(c2, 0xcd9e8d57);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 = (k0 + W0) | 0;
    k1 = (k1 + W1) | 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** Philox4x32-10 of one counter under one key: the four 32-bit output words. */
export function philox4x32(ctr: readonly number[], key: readonly number[]): number[] {
  philoxInto(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1]);
  return [out[0] >>> 0, out[1] >>> 0, out[2] >>> 0, out[3] >>> 0];
}

const TWO32 = 4294967296;
const INV53 = 1 / 9007199254740992;

// The generator's position: the element last produced, under which key and stream.
let s0 = 0;
let s1 = 0;
let s2 = 0;
let s3 = 0;
let cur = -2;
let curK0 = -1;
let curK1 = -1;
let curStream = -1;
let curPer = 0;
// The words of the element at `cur` (uniform uses two, normal four).
let wa = 0;
let wb = 0;
let wc = 0;
let wd = 0;

function next32(): number {
  const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return r;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Position the generator on element `index`, `per` words an element (consecutive indices cost one step). */
function seek(index: number, k0: number, k1: number, stream: number, per: number): void {
  const same = k0 === curK0 && k1 === curK1 && stream === curStream && per === curPer;
  if (index === cur && same) return;
  if (index !== cur + 1 || index % GROUP === 0 || !same) {
    const g = Math.floor(index / GROUP);
    philoxInto(g % TWO32, Math.floor(g / TWO32), stream, 0, k0, k1);
    s0 = out[0];
    s1 = out[1];
    s2 = out[2];
    s3 = out[3];
    if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // xoshiro's one forbidden state (p = 2^-128)
    curK0 = k0;
    curK1 = k1;
    curStream = stream;
    curPer = per;
    cur = g * GROUP - 1;
  }
  while (cur < index) {
    wa = next32();
    wb = next32();
    if (per === 4) {
      wc = next32();
      wd = next32();
    }
    cur++;
  }
}

/** Uniform [0,1) double with 53 random bits (NumPy's construction) for element `index`. */
export function randUniform(index: number, k0: number, k1: number, stream: number): number {
  seek(index, k0, k1, stream, 2);
  return ((wa >>> 5) * 67108864 + (wb >>> 6)) * INV53;
}

/** Standard normal for element `index`: Box-Muller on the element's two uniforms (four words). */
export function randNormal(index: number, k0: number, k1: number, stream: number): number {
  seek(index, k0, k1, stream, 4);
  return boxMuller(wa, wb, wc, wd);
}

/** Box-Muller on an element's four words: u1 in (0, 1] keeps the log finite. */
function boxMuller(wa: number, wb: number, wc: number, wd: number): number {
  const u1 = 1 - ((wa >>> 5) * 67108864 + (wb >>> 6)) * INV53;
  const u2 = ((wc >>> 5) * 67108864 + (wd >>> 6)) * INV53;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Seed the xoshiro state of group `g` into `state` (used by generated kernels, which keep one
 * generator per random operand in local variables and step it inline).
 */
export function rngGroup(g: number, k0: number, k1: number, stream: number, state: Int32Array): void {
  philoxInto(g % TWO32, Math.floor(g / TWO32), stream, 0, k0, k1);
  state[0] = out[0];
  state[1] = out[1];
  state[2] = out[2];
  state[3] = out[3];
  if ((out[0] | out[1] | out[2] | out[3]) === 0) state[0] = 1;
}

export const RNG_GROUP = GROUP;

/** Every helper a generated kernel may call, by the name it calls it. */
export const KERNEL_HELPERS = { ipow, imod, fmod, cpow, randUniform, randNormal, rngGroup } as const;
export const HELPER_NAMES = Object.keys(KERNEL_HELPERS);
export const HELPER_FNS = Object.values(KERNEL_HELPERS);
