// npm run bench: the kernel suite at 1 and 2 threads (one process each, since the thread count
// is fixed at init) side by side with NumPy in the same run. Prints a table, writes JSON.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CASES } from './cases.js';

type Result = Record<string, { median: number; samples: number }>;

function run(cmd: string, args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const maxTime = process.env.BENCH_MAX_TIME ?? '3';
const threads = [1, 2];
const python = process.env.PYTHON ?? 'python3';
const results: Record<string, Result> = {};
for (const t of threads) {
  results[`${t}t`] = run(process.execPath, [`${here}kernels-run.js`], { DISTNUMPY_THREADS: String(t), BENCH_MAX_TIME: maxTime });
}
results.numpy = run(python, [fileURLToPath(new URL('../../perf/numpy/kernels.py', import.meta.url)), maxTime]);

const rows = CASES.map((c) => {
  const one = results['1t'][c.name].median;
  const two = results['2t'][c.name].median;
  const np = results.numpy[c.name].median;
  const gbs = (ms: number) => (c.bytes ? `${(c.bytes / ms / 1e6).toFixed(1)} GB/s` : '');
  return {
    case: c.name,
    '1 thread ms': one.toFixed(3),
    '2 threads ms': two.toFixed(3),
    'NumPy ms': np.toFixed(3),
    '2t rate': gbs(two),
    '2t vs 1t': (one / two).toFixed(2) + 'x',
    '2t vs NumPy': (np / two).toFixed(2) + 'x',
  };
});
console.table(rows);
const dir = fileURLToPath(new URL('../../perf/results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}kernels.json`;
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, results, rows }, null, 2));
console.log(`wrote ${file}`);
