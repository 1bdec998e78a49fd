// The current batch: steps recorded in program order, run at the next synchronisation point.
// Flushes run one after another; a failed step fails its batch, and every array that step or a
// later one would have written carries the error, so reading it rejects instead of returning
// garbage.
import { type Step, inputsOf, outputsOf } from '../dist/steps.js';
import type { Block } from '../smp/store.js';
import { executionError } from './errors.js';

export type { Step } from '../dist/steps.js';

export type StepRunner = (s: Step) => Promise<void>;

let steps: Step[] = [];
let chain: Promise<void> = Promise.resolve();
const failed = new WeakMap<Block, Error>();

let batches = 0;

/** Which batch steps recorded now belong to (it changes at each flush). */
export function batchNumber(): number {
  return batches;
}

export function record(step: Step): void {
  steps.push(step);
}

export function pendingSteps(): number {
  return steps.length;
}

export function failureOf(b: Block): Error | undefined {
  return failed.get(b);
}

/**
 * Run everything recorded so far with `run`; resolves when this batch (and earlier ones) ran.
 * `transform` rewrites the batch first (fuse.ts).
 */
export function flushWith(run: StepRunner, announce?: (steps: Step[]) => void, transform?: (steps: Step[]) => Step[]): Promise<void> {
  const mine = transform ? transform(steps) : steps;
  steps = [];
  batches++;
  const p = chain.then(() => {
    announce?.(mine);
    return runAll(mine, run);
  });
  chain = p.catch(() => undefined);
  return p;
}

async function runAll(list: Step[], run: StepRunner): Promise<void> {
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    try {
      // Disposed blocks stay valid until the flush after dispose() (which is this one or later).
      const bad = inputsOf(s).find((b) => failed.has(b) || b.released);
      if (bad) {
        throw failed.get(bad) ?? new Error('an input array was disposed before the batch ran');
      }
      await run(s);
    } catch (e) {
      const err = e instanceof Error && (e as Error & { code?: string }).code === 'ERR_EXECUTION' ? e : executionError(s.op, e);
      for (const rest of list.slice(i)) for (const o of outputsOf(rest)) failed.set(o, err);
      throw err;
    }
  }
}
