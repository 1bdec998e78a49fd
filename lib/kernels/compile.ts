// Turning generated source into a function, and a bounded cache of compiled kernels (one per
// thread: functions cannot cross threads, sources can).
import { HELPER_FNS, HELPER_NAMES } from './helpers.js';
import type { TypedArray } from './dtypes.js';

export type KernelFn = (
  arrs: TypedArray[],
  meta: ArrayLike<number>,
  consts: ArrayLike<number>,
  start: number,
  end: number,
  /** False for a later piece of the same kernel on this thread in one claim (pieces.ts); else a first. */
  fresh?: boolean,
) => number | [number, number] | [number, number][] | undefined;

export function compileKernel(source: string): KernelFn {
  // The debug switch prints every generated kernel as it is compiled.
  if (globalThis.process?.env?.DISTNUMPY_DEBUG_KERNELS) console.error(source);
  return new Function(...HELPER_NAMES, source)(...HELPER_FNS) as KernelFn;
}

/** Least-recently-used cache: generated kernels are few per program, but never unbounded. */
export class KernelCache {
  readonly #map = new Map<string, KernelFn>();
  constructor(readonly capacity = 512) {}

  get(key: string, source: string): KernelFn {
    let fn = this.#map.get(key);
    if (fn) {
      this.#map.delete(key);
      this.#map.set(key, fn);
      return fn;
    }
    fn = compileKernel(source);
    this.#map.set(key, fn);
    if (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as string);
    return fn;
  }
}
