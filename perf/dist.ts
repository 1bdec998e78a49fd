// npm run bench:dist: batch and reduction round-trip costs at 2 ranks, the halo exchange of a
// stencil sweep, and the Jacobi stencil (4000x4000 by default) at 1 rank x 2 threads against
// 2 ranks x 1 thread, in one run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const run = fileURLToPath(new URL('./dist-run.js', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/distnumpy.js', import.meta.url));

interface Result {
  batchMs: number;
  reduceMs: number;
  sweepMs: number;
  W: number;
  halo: { bytes: number; waitMs: number };
  matmulMs: number;
  MM: number;
}

function go(args: string[], env: Record<string, string>): Result {
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
}

const configs = {
  '1 rank x 1 thread': go([run], { DISTNUMPY_THREADS: '1' }),
  '1 rank x 2 threads': go([run], { DISTNUMPY_THREADS: '2' }),
  '2 ranks x 1 thread': go([bin, 'run', '-n', '2', '--threads', '1', run], {}),
};
const rows = Object.entries(configs).map(([name, r]) => ({
  config: name,
  'batch us': (r.batchMs * 1000).toFixed(1),
  'reduce+read us': (r.reduceMs * 1000).toFixed(1),
  'halo KB/sweep': (r.halo.bytes / 1024).toFixed(1),
  'halo wait us/sweep': (r.halo.waitMs * 1000).toFixed(0),
  [`stencil ${r.W}^2 sweep ms`]: r.sweepMs.toFixed(1),
  [`matmul ${r.MM}^2 ms`]: r.matmulMs.toFixed(1),
}));
console.table(rows);
// The halo columns are rank 0's: bytes it sent and received per sweep, and how long it was
// blocked on them once its interior rows were done (the rest travelled beside the compute).
const ratio = configs['1 rank x 2 threads'].sweepMs / configs['2 ranks x 1 thread'].sweepMs;
console.log(`stencil: 2 ranks x 1 thread runs at ${ratio.toFixed(2)}x the speed of 1 rank x 2 threads`);
const dir = fileURLToPath(new URL('../../perf/results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}dist.json`, JSON.stringify({ date: new Date().toISOString(), configs, ratio }, null, 2));
