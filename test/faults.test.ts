// A pool worker that dies mid-kernel (an exception, exiting, running out of heap) rejects the
// awaited read with an error naming the operation; the pool replaces the worker and the runtime
// goes on. Runs once, on one rank: under MPI a failed step ends the job by design (cluster.test).
import test from 'ava';
import * as dn from '../lib/index.js';
import { current } from '../lib/graph/runtime.js';
import { injectFault } from '../lib/smp/exec.js';
import type { FaultMode } from '../lib/smp/task.js';

test.before(async () => {
  // Three threads and no inline threshold: every kernel is split, so workers take pieces.
  await dn.init({ threads: 3, inlineThreshold: 0 });
});

test.after.always(async () => {
  injectFault(null);
  await dn.shutdown();
});

async function workersBack(want: number): Promise<number> {
  const t0 = Date.now();
  while (current().pool.workers < want && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
  return current().pool.workers;
}

const EXPECT: Record<FaultMode, RegExp> = {
  throw: /injected fault/,
  exit: /a pool thread died \(worker exited with code: 70\)/,
  oom: /a pool thread died \(.*memory limit/,
};

for (const mode of ['throw', 'exit', 'oom'] as FaultMode[]) {
  test.serial(`a worker that fails by '${mode}' rejects the read naming the operation; the runtime goes on`, async (t) => {
    const a = dn.arange(200_000);
    const expected = 2 * (199_999 * 200_000) / 2;
    t.is(await a.mul(2).sum().item(), expected);
    injectFault({ mode, match: 'reduceAll|sum|' });
    const err = await t.throwsAsync(a.mul(2).sum().item());
    t.regex(err!.message, /\bsum\b/, 'names the operation');
    t.regex(err!.message, EXPECT[mode]);
    t.is((err as Error & { code?: string }).code, 'ERR_EXECUTION');
    // The same work, and new work, run again on a full pool.
    t.is(await workersBack(2), 2, 'the pool replaced the worker');
    t.is(await a.mul(2).sum().item(), expected);
    const b = dn.ones([300, 300]).add(a.slice(':300'));
    t.is(await b.sum().item(), 300 * 300 + 300 * (299 * 300) / 2);
  });
}
