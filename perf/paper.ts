// npm run bench:paper: the DistNumPy paper's applications (Monte Carlo pi, N-body, dense Jacobi,
// Jacobi stencil) at 1 thread, all threads, 2 ranks x 1 thread (when MPI is active) and as NumPy
// twins, all in one run. Each configuration is a process (the thread count is fixed at init)
// running W warm-up and R timed repeats, N times in turn; the figures are medians of the N x R.
// Prints the table; writes perf/results/paper.json (all samples, machine), docs/paper-results.md
// and docs/paper-chart.svg. PAPER_ROUNDS=N PAPER_REPEAT=R PAPER_WARMUP=W PYTHON=python3 to change.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chartSvg } from './paper-chart.js';
import { NUMPY, ONE_THREAD, markdownTable, rows, type Measurement } from './paper-report.js';
import { median } from './stats.js';

interface AppSize {
  app: string;
  size: number;
  iters: number;
  label: string;
  /** Makes the twin do exactly `iters` iterations, as paper-run.ts does (tolerance 0). */
  twinArgs: string[];
}

// Sizes at which one run takes 0.1-2 s (the range) on one core of this machine: Monte
// Carlo 2e7 samples 140 ms, N-body 30 steps 150 ms, Jacobi 150 iterations 230 ms, the stencil 320 ms.
// (Until session 7 they were 1e7, 10 and 50: 50-75 ms a run, below the range.)
const APPS: AppSize[] = [
  { app: 'montecarlo', size: 2e7, iters: 0, label: '2e7 samples', twinArgs: [] },
  { app: 'nbody', size: 1000, iters: 30, label: '1000 bodies x 30 steps', twinArgs: [] },
  { app: 'jacobi', size: 2000, iters: 150, label: '2000 unknowns x 150 iterations', twinArgs: ['--tol', '0'] },
  { app: 'stencil', size: 2000, iters: 20, label: '2000x2000 x 20 sweeps', twinArgs: ['--eps', '0'] },
];

/** A command, and the variables it gets on top of ours. */
interface Launch {
  cmd: string;
  args: string[];
  env: Record<string, string>;
}

interface Config {
  name: string;
  cores: number | null;
  /** The command that runs `n` repeats of an app and prints one JSON line. */
  argv: (a: AppSize, n: number) => Launch;
}

/** What a runner (paper-run.js or a twin) prints. */
interface RunLine {
  times_ms: number[];
  result: number;
  iterations?: number;
  numpy?: string;
}

interface Info {
  host: string;
  cpu: string;
  cores: number;
  blas: { active: boolean; config?: string };
  mpi: { active: boolean; config?: string };
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const runner = fileURLToPath(new URL('./paper-run.js', import.meta.url));
const prober = fileURLToPath(new URL('./cores-probe.js', import.meta.url));
const bin = `${root}bin/distnumpy.js`;
const node = process.execPath;
const python = process.env.PYTHON ?? 'python3';
const REPEAT = Number(process.env.PAPER_REPEAT ?? 5);
// JIT compilation, kernel generation and first-touch page faults slow the first runs down, and
// V8 keeps compiling the runtime's own code for about 250 N-body steps (--trace-opt: 150 ms of
// TurboFan in steps 60-210, 10-40 ms per 100 steps after 300). At 1 thread the compiler runs on
// the idle core; at 2 it takes one from the kernel, and a fifth to a third of steps 60-210
// stalled 2-8 ms (3 of 150 steps after 300). With 2 warm-up runs the timed N-body runs were
// steps 60-210: 74% utilisation, against 84% in runs 9-15 of the same processes. 8 warm-up runs
// (240 steps) time the runtime as a long program sees it; the warm-up runs' times stay in the
// JSON.
const WARMUP = Number(process.env.PAPER_WARMUP ?? 8);
const ROUNDS = Number(process.env.PAPER_ROUNDS ?? 3);
// Pairs of the machine probe (cores-probe.ts) before each app in each round; 0 skips it.
const PROBE_PAIRS = Number(process.env.PAPER_PROBE_PAIRS ?? 8);
/** A probe pair this much slower together than alone had its cores shared. */
const PROBE_SLOW = 1.3;

/** Runs a command to its end; its stdout. */
function exec(cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** The answer of a runner: its last line that is a JSON object (mpirun may print before it). */
function lastJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line === undefined) throw new Error(`no JSON line in: ${stdout}`);
  return JSON.parse(line);
}

function isProbeLine(x: unknown): x is { ratios: number[] } {
  const o = x as { ratios?: unknown } | null;
  return typeof o === 'object' && o !== null && Array.isArray(o.ratios) && o.ratios.every((r) => typeof r === 'number');
}

function isRunLine(x: unknown): x is RunLine {
  const o = x as Partial<RunLine> | null;
  return typeof o === 'object' && o !== null && Array.isArray(o.times_ms) && typeof o.result === 'number';
}

const info = JSON.parse(exec(node, [bin, 'info', '--json'])) as Info;
const allThreads = availableParallelism();
/** One of ours: paper-run.js, under `distnumpy run` (mpirun) when there is more than one rank. */
function ours(name: string, threads: number, ranks: number): Config {
  return {
    name,
    cores: threads * ranks,
    argv: (a, n): Launch => {
      const run = [runner, a.app, String(a.size), String(a.iters), String(n)];
      return ranks === 1
        ? { cmd: node, args: run, env: { DISTNUMPY_THREADS: String(threads) } }
        : { cmd: node, args: [bin, 'run', '-n', String(ranks), '--threads', String(threads), ...run], env: {} };
    },
  };
}
const configs: Config[] = [
  ours(ONE_THREAD, 1, 1),
  ...(allThreads > 1 ? [ours(`${allThreads} threads`, allThreads, 1)] : []),
  ...(info.mpi.active ? [ours('2 ranks x 1 thread', 1, 2)] : []),
  {
    name: NUMPY,
    cores: null,
    argv: (a, n) => ({
      cmd: python,
      args: [`${root}perf/numpy/${a.app}.py`, '--size', String(a.size), '--iters', String(a.iters), '--repeat', String(n), ...a.twinArgs],
      env: {},
    }),
  },
];
if (!info.mpi.active) console.error('MPI is not active (see `distnumpy info`): no 2-rank configuration');

// Every (app, config) runs once per round, rounds outermost: a machine that drifts (frequency,
// neighbours on a VM) then shifts all configurations alike instead of whichever ran last.
const measurements: Measurement[] = APPS.flatMap((a) =>
  configs.map((c) => ({ app: a.app, label: a.label, config: c.name, cores: c.cores, warmup_ms: [], times_ms: [], median_ms: NaN, result: NaN })),
);
let numpyVersion = 'unknown';
// The machine's own two-core scaling, sampled before each app's configurations (cores-probe.ts).
const probeRatios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const a of APPS) {
    if (PROBE_PAIRS > 0 && allThreads > 1) {
      const probe = lastJson(exec(node, [prober, String(PROBE_PAIRS), String(allThreads)]));
      if (!isProbeLine(probe)) throw new Error(`cores-probe.js: unexpected answer ${JSON.stringify(probe)}`);
      probeRatios.push(...probe.ratios);
    }
    for (const c of configs) {
      process.stderr.write(`round ${round}/${ROUNDS}: ${a.app} (${a.label}), ${c.name} ... `);
      const { cmd, args, env } = c.argv(a, WARMUP + REPEAT);
      const out = lastJson(exec(cmd, args, env));
      if (!isRunLine(out)) throw new Error(`${cmd} ${args.join(' ')}: unexpected answer ${JSON.stringify(out)}`);
      numpyVersion = out.numpy ?? numpyVersion;
      // Tolerance 0 should give exactly `iters` iterations; fewer would make the work unequal.
      if (out.iterations !== undefined && out.iterations !== a.iters) process.stderr.write(`(only ${out.iterations} iterations) `);
      const m = measurements.find((x) => x.app === a.app && x.config === c.name)!;
      m.warmup_ms.push(...out.times_ms.slice(0, WARMUP));
      m.times_ms.push(...out.times_ms.slice(WARMUP));
      m.median_ms = median(m.times_ms);
      m.result = out.result;
      m.iterations = out.iterations;
      process.stderr.write(`${median(out.times_ms.slice(WARMUP)).toFixed(1)} ms\n`);
    }
  }
}

const table = rows(measurements);
const machine = {
  host: info.host,
  cpu: info.cpu,
  cores: info.cores,
  node: process.version,
  numpy: numpyVersion,
  blas: info.blas.config ?? 'not active',
  mpi: info.mpi.config ?? 'not active',
};
const date = new Date().toISOString();
const about = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, NumPy ${machine.numpy}`;
const md = markdownTable(table);
console.log(`\n${md}\n`);
// The machine's own scaling over the same minutes: a VM whose vCPUs share a core for a while
// slows every multi-threaded configuration then, and no program can use what it does not get.
const slowShare = probeRatios.filter((r) => r >= PROBE_SLOW).length / Math.max(1, probeRatios.length);
const probeText =
  probeRatios.length === 0
    ? 'Machine check: not run (one core, or PAPER_PROBE_PAIRS=0).'
    : `Machine check (perf/cores-probe.ts: plain arithmetic, no distnumpy, ${PROBE_PAIRS} pairs before each app in each round, ${probeRatios.length} in all): ` +
      `${allThreads} threads at once took a median ${median(probeRatios).toFixed(2)}x the time one thread alone took, and ${PROBE_SLOW}x or more in ${(100 * slowShare).toFixed(0)}% of the pairs ` +
      `(cores shared with other work: every multi-threaded figure above is slowed in such moments).`;
console.log(probeText);

const results = `${root}perf/results/`;
const docs = `${root}docs/`;
mkdirSync(results, { recursive: true });
mkdirSync(docs, { recursive: true });
writeFileSync(
  `${results}paper.json`,
  JSON.stringify({ date, machine, rounds: ROUNDS, repeat: REPEAT, warmup: WARMUP, probe: { threads: allThreads, ratios: probeRatios }, measurements, rows: table }, null, 2) + '\n',
);
writeFileSync(`${docs}paper-chart.svg`, (await chartSvg(table, about)) + '\n');
writeFileSync(
  `${docs}paper-results.md`,
  `# The paper's applications, measured\n\n` +
    `\`npm run bench:paper\` on ${about} (${date.slice(0, 10)}): medians of ${ROUNDS} x ${REPEAT} runs (${ROUNDS} processes per configuration, taken in turn, each ${WARMUP} warm-up runs then ${REPEAT} timed). ` +
    `Speedup is over our 1-thread run; CPU utilisation = speedup / cores used (threads x ranks); ` +
    `speed vs NumPy = NumPy ms / our ms, NumPy being the twins in perf/numpy/ (its element-wise loops run on one core). ` +
    `Result: the app's scalar (pi, sum of x, sum(h), last delta); the random inputs differ between distnumpy and NumPy.\n\n` +
    `${md}\n\n${probeText}\n\n![chart](paper-chart.svg)\n`,
);
console.log(`wrote ${results}paper.json, ${docs}paper-results.md, ${docs}paper-chart.svg`);
