// Property-based differential tests: random programs (arbitraries.ts: shapes with 0-d and
// size-0 axes, all five dtypes, views with steps, negative steps, integer indices, None and
// transposes, reshapes, broadcasting, chains of element-wise ops with scalars, where, clip and
// astype, a last transcendental step, reductions over all or one axis, and the errors NumPy
// raises) run on distnumpy and compared with NumPy, every batch in one python3 call
// (interpret.ts). Deterministic per seed: DISTNUMPY_PROPERTY_SEED=S draws program i of the batch
// from seed S + i (default seed below); DISTNUMPY_PROPERTY_RUNS sets the batch size and
// DISTNUMPY_PROPERTY_SHRINK_MS the time fast-check may spend shrinking a failure (0: none).
// A failure prints each differing program's seed and code and a shrunk version; regressions.ts
// lists seeds that are always run.
import test, { type ExecutionContext } from 'ava';
import * as dn from '../../../lib/index.js';
import { programArb } from './arbitraries.js';
import { type BatchResult, describeFailure, evaluate, programAt, shrink } from './interpret.js';
import { REGRESSIONS } from './regressions.js';

const DEFAULT_SEED = 6_2026;
const envSeed = process.env.DISTNUMPY_PROPERTY_SEED;
const SEED = envSeed !== undefined && envSeed.trim() !== '' ? Number(envSeed) : DEFAULT_SEED;
if (!Number.isSafeInteger(SEED)) throw new Error(`DISTNUMPY_PROPERTY_SEED must be an integer, got ${envSeed}`);
const RUNS = Number(process.env.DISTNUMPY_PROPERTY_RUNS || 300);
const SHRINK_MS = Number(process.env.DISTNUMPY_PROPERTY_SHRINK_MS ?? 30_000);
const arb = programArb();

test.after.always(async () => {
  await dn.shutdown();
});

function summary(r: BatchResult): string {
  const s = r.stats;
  return (
    `${s.programs} programs (${s.reductions} reductions, ${s.approx} transcendental, ${s.numpyRaised} NumPy errors), ` +
    `${s.elements} elements compared, ${s.skipped} order-dependent elements skipped, ${s.knownBugs} known-bug elements; ` +
    `distnumpy ${r.ms.ours.toFixed(0)} ms, NumPy ${r.ms.numpy.toFixed(0)} ms`
  );
}

/**
 * Run the programs of `seeds` (one NumPy call); a failure's text naming each program's seed and
 * `what` it is (with a shrunk case when `shrinkIt`), or null.
 */
async function run(t: ExecutionContext, seeds: number[], what: (i: number) => string, title: string, shrinkIt: boolean): Promise<string | null> {
  const r = await evaluate(seeds.map((s) => programAt(arb, s)));
  t.log(`${title}: ${summary(r)}`);
  if (r.failures.length === 0) return null;
  const parts = [`${r.failures.length} of ${seeds.length} random programs differ from NumPy (${title}).`];
  for (const f of r.failures.slice(0, 4)) parts.push(`${what(f.index)}\n${describeFailure(f, seeds[f.index])}`);
  if (r.failures.length > 4) parts.push(`... and ${r.failures.length - 4} more (program seeds ${r.failures.slice(4).map((f) => seeds[f.index]).join(', ')})`);
  const first = seeds[r.failures[0].index];
  if (shrinkIt && SHRINK_MS > 0) {
    const s = await shrink(first, arb, SHRINK_MS);
    parts.push(
      s
        ? `shrunk by fast-check (${s.shrinks} shrinks) from program seed ${first}:\n${describeFailure(s.failure, first)}`
        : `program seed ${first} did not fail again on its own (it may depend on the batch)`,
    );
  }
  parts.push(
    `DISTNUMPY_PROPERTY_SEED=${first} reruns a batch that starts with program ${first}. ` +
      `To keep it as a regression test, add { seed: ${first}, note: '...' } to test/api/property/regressions.ts.`,
  );
  return parts.join('\n\n');
}

test.serial('random element-wise programs and reductions over views match NumPy', async (t) => {
  const seeds = Array.from({ length: RUNS }, (_, i) => SEED + i);
  const failure = await run(t, seeds, (i) => `program ${i} of the batch of seed ${SEED}:`, `batch seed ${SEED}`, true);
  if (failure) t.fail(failure);
  else t.pass();
});

test.serial('regression seeds (regressions.ts) match NumPy', async (t) => {
  if (REGRESSIONS.length === 0) {
    t.pass('no regression seeds recorded');
    return;
  }
  const seeds: number[] = [];
  const notes: string[] = [];
  for (const r of REGRESSIONS) {
    for (let i = 0; i < (r.count ?? 1); i++) {
      seeds.push(r.seed + i);
      notes.push(r.note);
    }
  }
  const failure = await run(t, seeds, (i) => `regression: ${notes[i]}`, `${REGRESSIONS.length} regression seeds`, true);
  if (failure) t.fail(failure);
  else t.pass();
});
