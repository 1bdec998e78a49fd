// Argument checks shared by the native wrappers (mpi.ts, blas.ts): they run before C++ sees a
// value, and their messages name the argument and the value given.

export type ErrorCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE';

export function typeError(message: string, code: ErrorCode = 'ERR_INVALID_ARG_TYPE'): TypeError {
  return Object.assign(new TypeError(message), { code });
}

export function rangeError(message: string, code: ErrorCode = 'ERR_OUT_OF_RANGE'): RangeError {
  return Object.assign(new RangeError(message), { code });
}

/**
 * The name of a typed array's class, also for arrays made in another thread (realm), where
 * instanceof fails. Symbol.toStringTag, not Object.prototype.toString: 15x faster, and these
 * checks run on every message.
 */
export function viewKind(value: unknown): string | null {
  if (!ArrayBuffer.isView(value)) return null;
  const tag = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
  return tag === undefined || tag === 'DataView' ? null : tag;
}

/** A short description of a value for an error message: `Float64Array(10)`, `3.5`, `'x'`. */
export function describe(value: unknown): string {
  const kind = viewKind(value);
  if (kind !== null) return `${kind}(${(value as { length: number }).length})`;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return String(value);
}

/** An integer in [min, max]; the bounds appear in the message. */
export function intArg(fn: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw typeError(`${fn}: ${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(`${fn}: ${name} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

export const INT32_MAX = 2 ** 31 - 1;

/** Byte ranges [start, end) of two views over the same memory overlap. */
export function overlaps(a: ArrayBufferView, aStart: number, aEnd: number,
  b: ArrayBufferView, bStart: number, bEnd: number): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset + aStart < b.byteOffset + bEnd && b.byteOffset + bStart < a.byteOffset + aEnd;
}
