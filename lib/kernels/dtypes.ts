// The five dtypes of distnumpy, their storage and NumPy 2's promotion rules (NEP 50).
// NumPy's int64 has no counterpart here: where NumPy would produce int64 from these dtypes
// (bool + Python int, arange of integers, argmax), distnumpy produces int32; integer sums and
// products accumulate exactly in float64 and return float64 (see README, "dtypes").

export type DType = 'bool' | 'uint8' | 'int32' | 'float32' | 'float64';
export const DTYPES: readonly DType[] = ['bool', 'uint8', 'int32', 'float32', 'float64'];

export type TypedArray = Uint8Array | Int32Array | Float32Array | Float64Array;
export type TypedArrayCtor =
  | Uint8ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export const CTOR: Record<DType, TypedArrayCtor> = {
  bool: Uint8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

export const ITEMSIZE: Record<DType, number> = { bool: 1, uint8: 1, int32: 4, float32: 4, float64: 8 };

/** Position in the safe-casting lattice used for promotion between arrays. */
const KIND_ORDER: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(dt: DType): boolean {
  return dt === 'float32' || dt === 'float64';
}
export function isInteger(dt: DType): boolean {
  return dt === 'uint8' || dt === 'int32';
}

/** Promotion of two array dtypes (numpy.result_type on arrays). int32 with float32 gives float64. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  const [lo, hi] = KIND_ORDER[a] < KIND_ORDER[b] ? [a, b] : [b, a];
  if (lo === 'int32' && hi === 'float32') return 'float64';
  return hi;
}

/** A JS number or boolean used as an operand: NumPy 2 treats Python scalars as "weak". */
export type Scalar = number | boolean;

export function scalarKind(v: Scalar): 'bool' | 'int' | 'float' {
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int' : 'float';
}

/** result_type(array of dt, weak Python scalar v). */
export function promoteScalar(dt: DType, v: Scalar): DType {
  const k = scalarKind(v);
  if (k === 'bool') return dt;
  if (k === 'int') return dt === 'bool' ? 'int32' : dt;
  return isFloat(dt) ? dt : 'float64';
}

/** The dtype a lone scalar takes when it becomes an array (np.asarray(3) is int64 -> int32 here). */
export function scalarDType(v: Scalar): DType {
  const k = scalarKind(v);
  return k === 'bool' ? 'bool' : k === 'int' && Math.abs(v as number) <= 2147483647 ? 'int32' : 'float64';
}

/** Range of each integer dtype, for NumPy 2's out-of-bounds check on Python integers. */
export const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int32: [-2147483648, 2147483647],
};

/** NumPy 2 refuses a Python integer that does not fit the integer dtype it meets. */
export function intScalarFits(v: Scalar, dt: DType): boolean {
  const r = INT_RANGE[dt];
  return !(r && typeof v === 'number' && Number.isInteger(v) && (v < r[0] || v > r[1]));
}

/** False for NaN and the infinities into an integer dtype (floats hold them; bool takes them as true). */
export function nonFiniteFits(v: number, dt: DType): boolean {
  return Number.isFinite(v) || !isInteger(dt);
}

/**
 * Cast a JS number to dt as NumPy does (bool: nonzero, NaN included). An integer-valued number is
 * a Python int, which NumPy converts through int64: it wraps (300 -> 44 in uint8; np.where takes
 * Python ints so). Any other number is a float, cast as NumPy's C cast on x86-64 does (see
 * ops.ts floatToIntCode): truncated when it fits int32, else INT_MIN (NaN, inf, 3e9 + 0.5), and
 * to uint8 through that int32.
 */
export function castScalar(v: Scalar, dt: DType): number {
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  const int = Number.isInteger(x);
  switch (dt) {
    case 'bool':
      return x !== 0 ? 1 : 0;
    case 'uint8':
      return int || Math.abs(x) < 2147483648 ? x & 255 : 0;
    case 'int32':
      return int || Math.abs(x) < 2147483648 ? x | 0 : -2147483648;
    case 'float32':
      return Math.fround(x);
    case 'float64':
      return x;
  }
}

/** The type-descriptor strings of .npy headers (little-endian). */
export const NPY_DESCR: Record<DType, string> = {
  bool: '|b1',
  uint8: '|u1',
  int32: '<i4',
  float32: '<f4',
  float64: '<f8',
};
