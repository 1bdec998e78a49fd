// Small pieces the API tests share: a seeded generator for test data, and an ExecutionContext
// that collects failed checks so one test can report every failing case at once.
import type { ExecutionContext } from 'ava';
import { isDeepStrictEqual } from 'node:util';

/** A linear congruential generator on [0, 1): the same test data on every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Checks that record failures in `failures` instead of failing the test at the first. */
export function collecting(failures: string[]): ExecutionContext {
  const ctx = {
    pass: () => true,
    fail: (msg?: string) => (failures.push(msg ?? 'fail'), false),
    is: (a: unknown, b: unknown, msg?: string) => Object.is(a, b) || ctx.fail(`${msg}: actual ${String(a)}, expected ${String(b)}`),
    deepEqual: (a: unknown, b: unknown, msg?: string) =>
      isDeepStrictEqual(a, b) || ctx.fail(`${msg}: actual ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`),
  };
  return ctx as unknown as ExecutionContext;
}
