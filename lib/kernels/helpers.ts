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

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a value
// depends only on (key, counter), so element i of a random array is the same whichever thread or
// rank computes it. Key = the seed's two 32-bit halves; counter = (index lo, index hi, stream, 0).
const M0_HI = 0xd251;
const M0_LO = 0x1f53;
const M1_HI = 0xcd9e;
const M1_LO = 0x8d57;
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO16 = 65536;
const INV16 = 1 / 65536;

/** High 32 bits of a*M for a < 2^32 and M = mh*2^16 + ml, exactly, in doubles. */
function mulhi(a: number, mh: number, ml: number): number {
  return Math.floor((a * mh + Math.floor(a * ml * INV16)) * INV16);
}

// The four output words of the last philox call; kernels read them right after the call.
const out = new Uint32Array(4);

function philoxInto(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  c0 >>>= 0;
  c1 >>>= 0;
  c2 >>>= 0;
  c3 >>>= 0;
  k0 >>>= 0;
  k1 >>>= 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(c0, M0_HI, M0_LO);
    const lo0 = Math.imul(c0, M0) >>> 0;
    const hi1 = mulhi(c2, M1_HI, M1_LO);
    const lo1 = Math.imul(c2, M1) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** Philox4x32-10 of one counter under one key: the four 32-bit output words. */
export function philox4x32(ctr: readonly number[], key: readonly number[]): number[] {
  philoxInto(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1]);
  return [out[0], out[1], out[2], out[3]];
}

const TWO32 = 4294967296;
const INV53 = 1 / 9007199254740992;

/** Uniform [0,1) double with 53 random bits (NumPy's construction) for element `index`. */
export function randUniform(index: number, k0: number, k1: number, stream: number): number {
  philoxInto(index % TWO32, Math.floor(index / TWO32), stream, 0, k0, k1);
  return ((out[0] >>> 5) * 67108864 + (out[1] >>> 6)) * INV53;
}

/** Standard normal for element `index` (Box-Muller on the two 53-bit halves of one philox block). */
export function randNormal(index: number, k0: number, k1: number, stream: number): number {
  philoxInto(index % TWO32, Math.floor(index / TWO32), stream, 0, k0, k1);
  const u1 = 1 - ((out[0] >>> 5) * 67108864 + (out[1] >>> 6)) * INV53; // (0, 1]: log stays finite
  const u2 = ((out[2] >>> 5) * 67108864 + (out[3] >>> 6)) * INV53;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export const TWO_POW_16 = TWO16;

/** Every helper a generated kernel may call, by the name it calls it. */
export const KERNEL_HELPERS = { ipow, imod, fmod, randUniform, randNormal } as const;
export const HELPER_NAMES = Object.keys(KERNEL_HELPERS);
export const HELPER_FNS = Object.values(KERNEL_HELPERS);
