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
