// Soak runner: `npm run soak -- --minutes M` keeps drawing batches of random programs (the
// property tests' arbitraries, test/api/property/) and comparing them with NumPy for M minutes
// (default 10), sampling this process's memory every ~10 s. It fails (exit 1) on any divergence
// from NumPy, or when rss or arrayBuffers grow beyond 1.5 x their warm-up median + 64 MB after the
// warm-up (the first minute, or the first third of a shorter run, and at least two samples).
//
// Options: --minutes M, --seed S (default: from the clock; printed, so a run can be repeated),
// --batch N programs per NumPy call (default 200), --sample-seconds T (default 10),
// --keep-going (report divergences and go on instead of stopping at the first divergent batch).
// DISTNUMPY_RANKS=N (and the other DISTNUMPY_* variables) apply as usual; memory is rank 0's.
// A divergence prints each program's seed: DISTNUMPY_PROPERTY_SEED=<seed> npx ava
// build/test/api/property/ reruns it (it is that batch's first program) and shrinks it.
import * as dn from '../../lib/index.js';
import { programArb } from '../api/property/arbitraries.js';
import { describeFailure, evaluate, programAt } from '../api/property/interpret.js';

interface Options {
  minutes: number;
  seed: number;
  batch: number;
  sampleSeconds: number;
  keepGoing: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { minutes: 10, seed: Date.now() % 2 ** 31, batch: 200, sampleSeconds: 10, keepGoing: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number, got ${v}`);
      return n;
    };
    switch (flag) {
      case '--minutes': o.minutes = value(); break;
      case '--seed': o.seed = Math.floor(value()); break;
      case '--batch': o.batch = Math.max(1, Math.floor(value())); break;
      case '--sample-seconds': o.sampleSeconds = Math.max(1, value()); break;
      case '--keep-going': o.keepGoing = true; break;
      case '--help':
        console.log('npm run soak -- [--minutes M] [--seed S] [--batch N] [--sample-seconds T] [--keep-going]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (try --help)`);
    }
  }
  return o;
}

interface Sample {
  t: number; // seconds since start
  rss: number;
  arrayBuffers: number;
  heapUsed: number;
}
const MB = 1 << 20;
const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const opts = parseArgs(process.argv.slice(2));
const arb = programArb();
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const durationS = opts.minutes * 60;
const warmupS = Math.min(60, durationS / 3);

console.log(
  `soak: ${opts.minutes} min, seed ${opts.seed}, ${opts.batch} programs per batch, ranks ${dn.size}, ` +
    `memory sampled every ${opts.sampleSeconds} s (warm-up ${warmupS.toFixed(0)} s; bound 1.5 x warm-up median + 64 MB)`,
);

const samples: Sample[] = [];
let cases = 0;
let divergences = 0;
let batches = 0;
let numpyErrors = 0;
let memoryFailure: string | null = null;
let lastReported = 0;

function takeSample(): void {
  const m = process.memoryUsage();
  const s: Sample = { t: elapsed(), rss: m.rss, arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
  samples.push(s);
  // The warm-up: the samples of its first minute (or third), at least the first two.
  const inWarmup = samples.filter((x) => x.t <= warmupS);
  const warm = inWarmup.length >= 2 ? inWarmup : samples.slice(0, 2);
  let note = '';
  if (!warm.includes(s)) {
    for (const key of ['rss', 'arrayBuffers'] as const) {
      const bound = 1.5 * median(warm.map((x) => x[key])) + 64 * MB;
      if (s[key] > bound && !memoryFailure) {
        memoryFailure = `${key} ${mb(s[key])} at ${s.t.toFixed(0)} s exceeds 1.5 x warm-up median + 64 MB = ${mb(bound)}`;
      }
    }
    if (memoryFailure) note = `  MEMORY: ${memoryFailure}`;
  }
  console.log(
    `[${s.t.toFixed(0).padStart(5)} s] cases ${cases} (+${cases - lastReported}), divergences ${divergences}, ` +
      `rss ${mb(s.rss)}, arrayBuffers ${mb(s.arrayBuffers)}, heapUsed ${mb(s.heapUsed)}${note}`,
  );
  lastReported = cases;
}

const timer = setInterval(takeSample, opts.sampleSeconds * 1000);
let seed = opts.seed;
try {
  while (elapsed() < durationS && !memoryFailure) {
    const programs = Array.from({ length: opts.batch }, (_, i) => programAt(arb, seed + i));
    const r = await evaluate(programs);
    const batchSeed = seed;
    seed += programs.length;
    batches++;
    cases += programs.length;
    numpyErrors += r.stats.numpyRaised;
    if (r.failures.length > 0) {
      divergences += r.failures.length;
      console.log(`\nbatch seed ${batchSeed}: ${r.failures.length} of ${programs.length} programs differ from NumPy:`);
      for (const f of r.failures.slice(0, 5)) console.log(describeFailure(f, batchSeed + f.index));
      console.log(`(rerun one: DISTNUMPY_PROPERTY_SEED=<program seed> npx ava build/test/api/property/)\n`);
      if (!opts.keepGoing) break;
    }
  }
} finally {
  clearInterval(timer);
}
takeSample();

const first = samples[0];
const last = samples[samples.length - 1];
const max = (k: keyof Sample) => Math.max(...samples.map((s) => s[k]));
console.log('\nsoak summary');
console.log(`  time ${elapsed().toFixed(0)} s, ${batches} batches, ${cases} random programs (seeds ${opts.seed}..${seed - 1}), ${numpyErrors} of them error cases`);
console.log(`  divergences from NumPy: ${divergences}`);
for (const k of ['rss', 'arrayBuffers', 'heapUsed'] as const) {
  console.log(`  ${k.padEnd(12)} first ${mb(first[k])}, last ${mb(last[k])}, max ${mb(max(k))}`);
}
const ok = divergences === 0 && !memoryFailure;
console.log(ok ? '  PASS' : `  FAIL: ${divergences ? `${divergences} divergences` : ''}${divergences && memoryFailure ? '; ' : ''}${memoryFailure ?? ''}`);
await dn.shutdown();
process.exit(ok ? 0 : 1);
