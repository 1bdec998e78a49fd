// One configuration of `npm run bench:paper`: runs one of the paper's applications (the functions
// of examples/) R times and prints one JSON line, the same contract as the NumPy twins
// (perf/numpy/<app>.py): {"app", "size", "iters", "times_ms": [...], "result", ...}.
//   DISTNUMPY_THREADS=t node build/perf/paper-run.js <app> <size> <iters> <repeat>
//   node bin/distnumpy.js run -n 2 --threads 1 build/perf/paper-run.js <app> <size> <iters> <repeat>
// Under MPI only rank 0 gets past the import of the library, so only rank 0 prints.
import * as dn from '../lib/index.js';
import { montecarlo } from '../examples/montecarlo.js';
import { bodies, nbody } from '../examples/nbody.js';
import { jacobi, system } from '../examples/jacobi.js';
import { initialGrid, stencil } from '../examples/stencil.js';

interface Outcome {
  result: number;
  iterations?: number;
}
/** The timed part of one repeat. */
type Run = () => Promise<Outcome>;
/** Builds what every repeat shares, and returns a function that prepares one repeat (untimed). */
type App = (size: number, iters: number) => () => Promise<Run>;

// Each timed run ends by reading its result scalar: with lazy arrays that read (or the flush
// before it) is what makes the work happen, and the reduction it adds is O(size), negligible.
// Jacobi and the stencil get tolerance 0 so that they do exactly `iters` iterations, as the
// twins do when paper.ts passes them --tol 0 / --eps 0: both sides do the same work.
const APPS: Record<string, App> = {
  montecarlo: (n) => {
    // As the example and the twin: drawing the samples is part of the timed run.
    dn.random.seed(2026);
    return async () => async () => ({ result: await montecarlo(n) });
  },
  nbody: (n, steps) => {
    const b = bodies(n); // nbody() returns new bodies: the same input serves every repeat
    return async () => {
      await dn.flush();
      return async () => {
        const r = await nbody(b, steps, 0.1);
        return { result: (await r.P[0].sum().item()) as number };
      };
    };
  },
  jacobi: (n, iters) => {
    const { A, B } = system(n); // not modified by jacobi(): shared by every repeat
    return async () => {
      await dn.flush();
      return async () => {
        const { h, iterations } = await jacobi(A, B, 0, iters);
        return { result: (await h.sum().item()) as number, iterations };
      };
    };
  },
  stencil: (W, iters) => async () => {
    // The sweep works in place: every repeat starts from a fresh grid, built outside the timer.
    const grid = initialGrid(W);
    await dn.flush();
    return async () => {
      const { iterations, delta } = await stencil(grid, 0, iters);
      return { result: delta, iterations };
    };
  },
};

function usage(message: string): never {
  console.error(`${message}\nusage: paper-run.js <${Object.keys(APPS).join('|')}> <size> <iters> <repeat>`);
  process.exit(2);
}

const [name, ...nums] = process.argv.slice(2);
const app = APPS[name ?? ''];
if (!app) usage(`unknown app ${name}`);
const [size, iters, repeat] = nums.map(Number);
if (![size, iters, repeat].every((v) => Number.isInteger(v) && v >= 0)) usage('size, iters and repeat must be integers >= 0');

const prepare = app(size, iters);
const times: number[] = [];
let last: Outcome = { result: NaN };
for (let r = 0; r < repeat; r++) {
  const run = await prepare();
  const t0 = performance.now();
  last = await run();
  times.push(performance.now() - t0);
}
const threads = dn.runtimeInfo().config.threads.value;
console.log(JSON.stringify({ app: name, size, iters, ranks: dn.size, threads, times_ms: times, ...last }));
await dn.shutdown();
