// dn.random: counter-based (Philox4x32-10). Each call draws a new stream; element i of its result
// depends only on (seed, stream, i), so the numbers are the same for any thread or rank count.
// Random arrays are lazy generators: x*x + y*y <= 1 over two of them fuses into one pass that
// never stores the samples.
import { randomBytes } from 'node:crypto';
import { checkShape, type ShapeArg } from './creation.js';
import { describe, rangeError, typeError } from './errors.js';
import type { NdArray } from './ndarray.js';
import { wrap } from './ndarray.js';
import { ensureInit } from './runtime.js';
import { binary, makeEw } from './ufuncs.js';

let key: [number, number] = [randomBytes(4).readUInt32LE(0), randomBytes(4).readUInt32LE(0)];
let stream = 0;

export function seed(n: number): void {
  // A TypeError for every bad seed, out-of-range integers included (as random.test.ts checks).
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) {
    throw typeError(`random.seed: seed must be an integer from 0 to 2**53 - 1, got ${describe(n)}`, 'ERR_SEED');
  }
  key = [n % 4294967296, Math.floor(n / 4294967296)];
  stream = 0;
}

function draw(dist: 'uniform' | 'normal', shape: ShapeArg, fn: string): NdArray {
  ensureInit();
  const s = checkShape(shape, fn);
  return wrap(makeEw(dist, [], 'float64', 'float64', s, { params: [key[0], key[1], stream++] }));
}

/** Uniform on [0, 1). */
export function random(shape: ShapeArg = []): NdArray {
  return draw('uniform', shape, 'random');
}

function checkNum(v: unknown, name: string, fn: string): number {
  if (typeof v !== 'number') throw typeError(`${fn}: ${name} must be a number, got ${describe(v)}`, 'ERR_OPERAND');
  return v;
}

/** Uniform on [low, high): low + (high - low) * random(), as NumPy computes it. */
export function uniform(low = 0, high = 1, shape: ShapeArg = []): NdArray {
  checkNum(low, 'low', 'uniform');
  checkNum(high, 'high', 'uniform');
  // NumPy: OverflowError "Range exceeds valid bounds" when high - low is not finite.
  if (!Number.isFinite(low) || !Number.isFinite(high) || !Number.isFinite(high - low)) {
    throw rangeError(`uniform: Range exceeds valid bounds: low and high must be finite, got low = ${low}, high = ${high}`, 'ERR_RANGE');
  }
  return binary('add', binary('mul', draw('uniform', shape, 'uniform'), high - low), low);
}

export function normal(mean = 0, std = 1, shape: ShapeArg = []): NdArray {
  checkNum(mean, 'loc', 'normal');
  checkNum(std, 'scale', 'normal');
  if (std < 0) throw rangeError(`normal: scale < 0 (got ${std})`, 'ERR_RANGE');
  return binary('add', binary('mul', draw('normal', shape, 'normal'), std), mean);
}
