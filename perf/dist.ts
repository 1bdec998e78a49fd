// npm run bench:dist: batch and reduction round-trip costs at 2 ranks, and the Jacobi stencil
// (4000x4000 by default) at 1 rank x 2 threads against 2 ranks x 1 thread, in one run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const run = fileURLToPath(new URL('./dist-run.js', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/distnumpy.js', import.meta.url));

function go(args: string[], env: Record<string, string>): Record<string, number> {
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
  [`stencil ${r.W}^2 sweep ms`]: r.sweepMs.toFixed(1),
}));
console.table(rows);
const ratio = configs['1 rank x 2 threads'].sweepMs / configs['2 ranks x 1 thread'].sweepMs;
console.log(`stencil: 2 ranks x 1 thread runs at ${ratio.toFixed(2)}x the speed of 1 rank x 2 threads`);
const dir = fileURLToPath(new URL('../../perf/results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}dist.json`, JSON.stringify({ date: new Date().toISOString(), configs, ratio }, null, 2));
