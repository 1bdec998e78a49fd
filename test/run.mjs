// npm test: the whole suite at the default thread count, then the API suite again at 1 thread,
// at 3 threads with the inline threshold at 0 (so even tiny kernels are split over threads), and
// at 2, 3 and 4 MPI ranks (each test file its own cluster: DISTNUMPY_RANKS spawns the ranks),
// by slabs, by small row blocks and on a 2x2 process grid, so every result is checked for every
// way the work can be divided. Prints one closing line.
import { spawnSync } from 'node:child_process';
import { nativeStatus } from '../build/lib/dist/native.js';

const API = ['build/test/api/**/*.test.js'];
// One run deals rows in blocks of a size drawn anew each time, so block sizes nobody chose get
// tested too; the size is in the run's title, and DISTNUMPY_TEST_BLOCKSIZE repeats it.
const RANDOM_BLOCK = Number(process.env.DISTNUMPY_TEST_BLOCKSIZE ?? 1 + Math.floor(Math.random() * 6));
const runs = [
  { name: 'default threads', env: {}, files: [] },
  { name: '1 thread', env: { DISTNUMPY_THREADS: '1' }, files: API },
  { name: '3 threads, no inline', env: { DISTNUMPY_THREADS: '3', DISTNUMPY_INLINE_THRESHOLD: '0' }, files: API },
  { name: '2 ranks, one slab each', env: { DISTNUMPY_RANKS: '2' }, files: API, mpi: true },
  { name: `3 ranks, blocks of ${RANDOM_BLOCK} rows (random 1-6 each run; DISTNUMPY_TEST_BLOCKSIZE fixes it)`, env: { DISTNUMPY_RANKS: '3', DISTNUMPY_BLOCKSIZE: String(RANDOM_BLOCK) }, files: API, mpi: true },
  { name: '4 ranks x 2 threads, blocks of 1 row', env: { DISTNUMPY_RANKS: '4', DISTNUMPY_BLOCKSIZE: '1', DISTNUMPY_THREADS: '2' }, files: API, mpi: true },
  // Not memory.test (a 1000x1000 stencil, 100 sweeps): tiles of 2x2 cost a kernel call each,
  // far too slow there; the test is about memory, which the other runs check.
  { name: '4 ranks on a 2x2 grid, blocks of 2x2', env: { DISTNUMPY_RANKS: '4', DISTNUMPY_GRID: '2x2', DISTNUMPY_BLOCKSIZE: '2' }, files: [...API, '!build/test/api/memory.test.js'], mpi: true },
];

// Without MPI the multi-rank runs are skipped (counted as skipped); under CI=true that fails.
const mpi = nativeStatus().mpi;
const noMpi = mpi.active ? null : `MPI addon not active (${mpi.reason})`;
// Spawned ranks outnumber the cores: let OpenMPI place them, and yield while they wait.
const MPI_ENV = {
  OMPI_ALLOW_RUN_AS_ROOT: '1',
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
  OMPI_MCA_rmaps_base_oversubscribe: '1',
  OMPI_MCA_mpi_yield_when_idle: '1',
};

let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
for (const r of runs) {
  console.log(`\n=== ${r.name} ===`);
  if (r.mpi && noMpi) {
    console.log(`skipped: ${noMpi}`);
    skipped += 1;
    if (process.env.CI === 'true') {
      console.log('CI=true: an MPI run that cannot run is a failure');
      failed += 1;
      ok = false;
    }
    continue;
  }
  const res = spawnSync('npx', ['ava', '--tap', ...r.files], {
    env: { ...process.env, ...(r.mpi ? MPI_ENV : {}), ...r.env, NODE_DISABLE_COLORS: '1', FORCE_COLOR: '0' },
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
