// Error classes and factories with stable, NumPy-like messages that name the values involved.
import { shapeStr } from '../kernels/shape.js';

/** Shapes that do not broadcast or do not match (NumPy raises ValueError for these). */
export class ShapeError extends Error {
  readonly code: string;
  constructor(message: string, code = 'ERR_SHAPE') {
    super(message);
    this.name = 'ShapeError';
    this.code = code;
  }
}

function withCode<E extends Error>(e: E, code: string): E {
  (e as E & { code: string }).code = code;
  return e;
}

export function typeError(message: string, code = 'ERR_TYPE'): TypeError {
  return withCode(new TypeError(message), code);
}

export function rangeError(message: string, code = 'ERR_RANGE'): RangeError {
  return withCode(new RangeError(message), code);
}

export function broadcastError(shapes: readonly (readonly number[])[]): ShapeError {
  return new ShapeError(
    `operands could not be broadcast together with shapes ${shapes.map(shapeStr).join(' ')}`,
    'ERR_BROADCAST',
  );
}

export function axisError(axis: unknown, ndim: number): RangeError {
  return rangeError(`axis ${axis} is out of bounds for array of dimension ${ndim}`, 'ERR_AXIS');
}

/** A failure while a batch ran: the message names the operation that failed. */
export function executionError(op: string, cause: unknown): Error {
  const msg = cause instanceof Error ? cause.message : String(cause);
  const e = new Error(`distnumpy: ${op} failed: ${msg}`, { cause });
  return withCode(e, 'ERR_EXECUTION');
}

// ---- describing values in messages ---------------------------------------------------------------

/** Objects that describe themselves in messages without being read (NdArray). */
export const DESCRIBE = Symbol.for('distnumpy.describe');

const MAX_ITEMS = 6;
const MAX_CHARS = 60;

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > MAX_CHARS ? `${one.slice(0, MAX_CHARS - 3)}...` : one;
}

/** A number as JS writes it, except -0 and integers past 2**53, which are written exactly. */
export function numberStr(x: number): string {
  if (Object.is(x, -0)) return '-0';
  if (Number.isInteger(x) && Math.abs(x) > Number.MAX_SAFE_INTEGER && Math.abs(x) < 1e30) return BigInt(x).toString();
  return String(x);
}

/** A value as a JS literal would show it (`'zz'`, `7n`, `[2, NaN]`, `{dtype: 'int32'}`), never reading arrays. */
export function show(x: unknown, depth = 0): string {
  if (x === null) return 'null';
  switch (typeof x) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return numberStr(x);
    case 'string':
      return `'${clip(x)}'`;
    case 'boolean':
      return String(x);
    case 'bigint':
      return `${x}n`;
    case 'symbol':
      return x.toString();
    case 'function':
      return x.name ? `function ${x.name}` : clip(Function.prototype.toString.call(x));
  }
  const o = x as Record<PropertyKey, unknown>;
  const self = o[DESCRIBE];
  if (typeof self === 'function') return (self as () => string).call(o);
  if (Array.isArray(x)) {
    if (depth > 2) return '[...]';
    const items: string[] = [];
    for (let i = 0; i < Math.min(x.length, MAX_ITEMS); i++) items.push(show(x[i], depth + 1));
    if (x.length > MAX_ITEMS) items.push(`... ${x.length - MAX_ITEMS} more`);
    return `[${items.join(', ')}]`;
  }
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return `${x.constructor.name}(${(x as unknown as { length: number }).length})`;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto === Object.prototype || proto === null) {
    if (depth > 1) return '{...}';
    const keys = Object.keys(o);
    const items = keys.slice(0, MAX_ITEMS).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${show(o[k], depth + 1)}`);
    if (keys.length > MAX_ITEMS) items.push('...');
    return `{${items.join(', ')}}`;
  }
  return (proto?.constructor?.name as string | undefined) ?? 'object';
}

function article(word: string): string {
  return /^[aeiouAEIOU]/.test(word) ? `an ${word}` : `a ${word}`;
}

/**
 * What a value is, for a message: its kind and the value itself ("the number NaN", "the string
 * 'zz'", "the bigint 7n", "null", "a JS array [7]", "an NdArray(float64, [3, 4])", "an object {}",
 * "a Set"). Never reads an array and never calls the value's own toString.
 */
export function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  switch (typeof x) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'bigint':
      return `the ${typeof x} ${show(x)}`;
    case 'symbol':
      return `a symbol ${show(x)}`;
    case 'function':
      return x.name ? `the function ${x.name}` : `a function ${show(x)}`;
  }
  // (NdArray: "an NdArray(float64, [3])".)
  const self = (x as Record<PropertyKey, unknown>)[DESCRIBE];
  if (typeof self === 'function') return `an ${show(x)}`;
  if (Array.isArray(x)) return `a JS array ${show(x)}`;
  const proto = Object.getPrototypeOf(x);
  if (proto === Object.prototype || proto === null) return `an object ${show(x)}`;
  return article(show(x));
}

/** An options argument: undefined or a plain object with only the keys `allowed`. */
export function checkOptions<T extends object>(o: unknown, fn: string, allowed: readonly string[]): Partial<T> {
  if (o === undefined) return {};
  const isArrayLike = Array.isArray(o) || ArrayBuffer.isView(o) || (typeof o === 'object' && o !== null && typeof (o as Record<PropertyKey, unknown>)[DESCRIBE] === 'function');
  if (typeof o !== 'object' || o === null || isArrayLike) {
    const hint = allowed.includes('out') && typeof o === 'object' && o !== null && !Array.isArray(o) ? ` (to write into an array, pass { out: array })` : '';
    throw typeError(`${fn}: options must be an object such as { ${allowed.join(', ')} }, got ${describe(o)}${hint}`, 'ERR_OPTIONS');
  }
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw typeError(`${fn}: unknown option '${k}' (valid options: ${allowed.join(', ')})`, 'ERR_OPTIONS');
    }
  }
  return o as Partial<T>;
}
