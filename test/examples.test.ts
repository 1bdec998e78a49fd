// The paper's applications (examples/*.ts) against their NumPy twins (perf/numpy/<app>.py --io):
// the twin draws the inputs with NumPy, saves them as .npy with its outputs; we load the inputs
// with dn.load, run the example on them and compare. Element-wise-only results (the stencil grid,
// N-body positions and velocities) to 1e-12 relative; pi from the same samples identical; Jacobi
// h to 1e-12 with the same number of iterations (only the sums' order differs from NumPy's).
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as dn from '../lib/index.js';
import { jacobi } from '../examples/jacobi.js';
import { montecarloFrom } from '../examples/montecarlo.js';
import { type Bodies, nbody } from '../examples/nbody.js';
import { initialGrid, stencil } from '../examples/stencil.js';
import { python } from './helpers/numpy.js';

const run = promisify(execFile);
// build/test/examples.test.js -> perf/numpy/ (the twins are not compiled)
const TWINS = fileURLToPath(new URL('../../perf/numpy/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'distnumpy-examples-'));

/** meta.json: the twin's parameters and scalar results (all numbers, but `app`). */
type Meta = Record<string, number>;
interface Twin {
  dir: string;
  meta: Meta;
  load(name: string): Promise<dn.NdArray>;
}

/** Run perf/numpy/<app>.py --io into a fresh directory (started once, shared by the tests). */
const twins = new Map<string, Promise<Twin>>();
function twin(app: string, label: string, args: (string | number)[]): Promise<Twin> {
  let p = twins.get(label);
  if (!p) {
    const dir = join(root, label);
    p = run(python(), [join(TWINS, `${app}.py`), '--io', dir, ...args.map(String)], { timeout: 60_000 }).then(() => ({
      dir,
      meta: JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta,
      load: (name: string) => dn.load(join(dir, `${name}.npy`)),
    }));
    twins.set(label, p);
  }
  return p;
}

const CASES: Record<string, [string, (string | number)[]]> = {
  montecarlo: ['montecarlo', ['--size', 100_003]],
  'stencil-sweeps': ['stencil', ['--size', 29, '--iters', 6]],
  'stencil-converged': ['stencil', ['--size', 8, '--iters', 10_000]],
  jacobi: ['jacobi', ['--size', 67, '--iters', 200, '--tol', 1e-10]],
  nbody: ['nbody', ['--size', 53, '--iters', 3, '--dt', 0.1]],
};
const get = (label: string) => twin(CASES[label][0], label, CASES[label][1]);

test.before(() => {
  // Start every twin at once: python and NumPy's import dominate their time.
  for (const label of Object.keys(CASES)) get(label).catch(() => {});
});

test.after.always(async () => {
  rmSync(root, { recursive: true, force: true });
  await dn.shutdown();
});

/**
 * |actual - expected| <= rtol * |expected| + atol for every element, same shape; logs the worst
 * relative error. Identical elements (including -0 vs -0) pass whatever the tolerances.
 */
async function assertClose(t: ExecutionContext, actual: dn.NdArray, expected: dn.NdArray, label: string,
  { rtol = 1e-12, atol = 0 } = {}): Promise<void> {
  t.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  t.is(actual.dtype, expected.dtype, `${label}: dtype`);
  const [a, e] = [await actual.data(), await expected.data()];
  let worst = 0;
  let identical = 0;
  let bad = -1;
  for (let i = 0; i < e.length; i++) {
    const x = Number(a[i]);
    const y = Number(e[i]);
    if (Object.is(x, y)) {
      identical++;
      continue;
    }
    const err = Math.abs(x - y);
    if (y !== 0) worst = Math.max(worst, err / Math.abs(y));
    if (!(err <= rtol * Math.abs(y) + atol) && bad < 0) bad = i;
  }
  t.log(`${label}: ${identical}/${e.length} elements identical to NumPy, worst relative error ${worst.toExponential(2)}`);
  if (bad >= 0) t.fail(`${label}: element ${bad}: NumPy ${e[bad]}, distnumpy ${a[bad]} (worst relative error ${worst.toExponential(2)})`);
  else t.pass();
}

/** A sum (blocked here, pairwise in NumPy): equal to rounding. */
function closeScalar(t: ExecutionContext, actual: number, expected: number, label: string, rtol = 1e-12): void {
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  t.log(`${label}: ${actual} (NumPy ${expected}, relative difference ${rel.toExponential(2)})`);
  t.true(rel <= rtol, `${label}: ${actual}, NumPy ${expected}`);
}

test('montecarlo: pi from NumPy\'s samples is identical', async (t) => {
  const np = await get('montecarlo');
  const [x, y] = [await np.load('x'), await np.load('y')];
  t.deepEqual(x.shape, [100_003]);
  const pi = await montecarloFrom(x, y);
  const expected = (await (await np.load('pi')).item()) as number;
  t.is(expected, np.meta.pi);
  t.is(pi, expected);
});

test('stencil: the grid after 6 sweeps agrees with NumPy (and the initial grid is NumPy\'s)', async (t) => {
  const np = await get('stencil-sweeps');
  const grid = await np.load('grid');
  await assertClose(t, initialGrid(29), grid, 'initialGrid(29)', { rtol: 0 });
  const { iterations, delta } = await stencil(grid, np.meta.eps, np.meta.max_iter);
  t.is(iterations, 6);
  t.is(iterations, np.meta.iterations);
  await assertClose(t, grid, await np.load('grid_out'), 'grid after 6 sweeps');
  closeScalar(t, delta, np.meta.delta, 'last delta');
});

test('stencil: run to eps = 1e-3 stops after the same number of sweeps as NumPy', async (t) => {
  const np = await get('stencil-converged');
  const grid = await np.load('grid');
  const { iterations, delta } = await stencil(grid, np.meta.eps, np.meta.max_iter);
  t.is(iterations, np.meta.iterations);
  t.true(iterations > 100 && iterations < np.meta.max_iter, `${iterations} sweeps`);
  t.true(delta <= np.meta.eps);
  await assertClose(t, grid, await np.load('grid_out'), 'converged grid');
  closeScalar(t, delta, np.meta.delta, 'last delta');
});

test('jacobi: h and the iteration count agree with NumPy', async (t) => {
  const np = await get('jacobi');
  const [A, B] = [await np.load('A'), await np.load('B')];
  const { h, iterations, dmax } = await jacobi(A, B, np.meta.tol, np.meta.max_iter);
  t.is(iterations, np.meta.iterations);
  t.true(iterations > 10 && iterations < np.meta.max_iter, `${iterations} iterations`);
  t.true(dmax <= np.meta.tol);
  t.log(`${iterations} iterations; dmax ${dmax} (NumPy ${np.meta.dmax})`);
  await assertClose(t, h, await np.load('h'), 'h');
});

test('nbody: positions and velocities after 3 steps agree with NumPy', async (t) => {
  const np = await get('nbody');
  const b: Bodies = {
    P: await Promise.all([0, 1, 2].map((k) => np.load(`P${k}`))),
    V: await Promise.all([0, 1, 2].map((k) => np.load(`V${k}`))),
    M: await np.load('M'),
  };
  t.deepEqual(b.M.shape, [53, 1]);
  const r = await nbody(b, np.meta.steps, np.meta.dt);
  for (let k = 0; k < 3; k++) {
    await assertClose(t, r.P[k], await np.load(`P${k}_out`), `P${k}`);
    await assertClose(t, r.V[k], await np.load(`V${k}_out`), `V${k}`);
  }
});
