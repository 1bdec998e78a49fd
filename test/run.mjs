// npm test: the whole suite at the default thread count, then the API suite again at 1 thread and
// at 3 threads with the inline threshold at 0 (so even tiny kernels are split over threads), so
// every result is checked for every way the work can be divided. Prints one closing line.
import { spawnSync } from 'node:child_process';

const runs = [
  { name: 'default threads', env: {}, files: [] },
  { name: '1 thread', env: { DISTNUMPY_THREADS: '1' }, files: ['build/test/api/**/*.test.js'] },
  { name: '3 threads, no inline', env: { DISTNUMPY_THREADS: '3', DISTNUMPY_INLINE_THRESHOLD: '0' }, files: ['build/test/api/**/*.test.js'] },
];

let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
for (const r of runs) {
  console.log(`\n=== ${r.name} ===`);
  const res = spawnSync('npx', ['ava', '--tap', ...r.files], {
    env: { ...process.env, ...r.env, NODE_DISABLE_COLORS: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.stdout.write(res.stdout);
  process.stderr.write(res.stderr);
  const text = res.stdout + res.stderr;
  const num = (re) => Number(re.exec(text)?.[1] ?? 0);
  // ava's TAP summary: "# pass N", "# fail N", "# skip N".
  const p = num(/^# pass (\d+)/m);
  const f = num(/^# fail (\d+)/m);
  passed += p;
  failed += f;
  skipped += num(/^# skip (\d+)/m);
  if (res.status !== 0) {
    ok = false;
    if (f === 0) failed += 1; // a crash or timeout that ava did not count as a test
  }
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok && failed === 0 ? 0 : 1);
