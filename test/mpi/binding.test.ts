// Every function of the MPI binding at 1, 2, 3 and 4 ranks: runs binding-ranks.js under mpirun
// and checks each rank's JSON line against values computed here from (rank, size).
// Without the addon or mpirun the tests pass with a log, except under CI=true.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mpiUnavailable } from './available.js';
import { DTYPES, OPS, expectedReduction } from './reduce-cases.js';

const SCRIPT = fileURLToPath(new URL('./binding-ranks.js', import.meta.url));
const TIMEOUT_MS = 60_000;

const missing = mpiUnavailable();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Each rank's own stdout: mpirun's merged stdout may interleave long lines of two ranks. */
  rankOutput: string[];
}

function readRankOutput(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /rank\.\d+[/\\]stdout$/.test(f));
  return files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** mpirun -np n on the rank script, killed (with its ranks) after TIMEOUT_MS. */
function mpirun(n: number): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distnumpy-mpi-'));
  const args = ['-np', String(n), '--oversubscribe', '--output-filename', dir, process.execPath, SCRIPT];
  return new Promise((resolve) => {
    const child = spawn('mpirun', args, {
      env: {
        ...process.env,
        OMPI_ALLOW_RUN_AS_ROOT: '1',
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
        NODE_DISABLE_COLORS: '1',
        OMPI_MCA_mpi_yield_when_idle: '1',
      },
      detached: true, // own process group, so a timeout can kill mpirun and its ranks together
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const kill = (signal: NodeJS.Signals): void => {
      try { process.kill(-(child.pid as number), signal); } catch { /* already gone */ }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM'); // mpirun forwards it to the ranks
      setTimeout(() => kill('SIGKILL'), 5_000).unref();
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const rankOutput = readRankOutput(dir);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, timedOut, rankOutput });
    });
  });
}

type Line = Record<string, unknown>;

function checkRank(t: ExecutionContext, r: Line, size: number): void {
  const rank = r.rank as number;
  const left = (rank + size - 1) % size;
  const at = `rank ${rank}/${size}`;
  t.true(r.provided, `${at}: MPI_THREAD_MULTIPLE provided`);
  t.deepEqual(r.bcast, [0, 1, 2, 3, 4].map((i) => (size - 1) * 10 + i), `${at}: Bcast`);
  t.deepEqual(r.bcastVar, Array.from({ length: 3 + size }, (_, i) => 100 + i), `${at}: Bcast of a broadcast length`);
  if (size > 1) {
    t.deepEqual(r.ring, { data: [left, left * 2], source: left, tag: 7, count: 16 }, `${at}: Send/Recv`);
  }
  t.deepEqual(r.alltoall, Array.from({ length: size }, (_, s) => [s, rank]).flat(), `${at}: Isend/Irecv/Waitall`);
  t.deepEqual(r.alltoallStatus, Array.from({ length: size }, (_, s) => ({ source: s, tag: 11, count: 8 })), `${at}: recv statuses`);
  t.deepEqual(r.sendStatus, { source: rank, tag: 11, count: 8 }, `${at}: send status`);
  t.true(r.allDone, `${at}: requests done`);
  t.deepEqual(r.waitsome, [0, 1, left, left, left], `${at}: Waitsome`);
  t.deepEqual(r.testsome, [0, 1, left, left, left], `${at}: Testsome`);
  const self = { source: rank, tag: 5, count: 5 };
  t.deepEqual(r.iprobe, { ...self, waited: self, received: self, data: [1, 2, 3, 4, 5, 0, 0, 0] }, `${at}: Iprobe/Test/Wait`);

  const allreduce = r.allreduce as Record<string, unknown>;
  for (const dtype of DTYPES) {
    for (const op of OPS) {
      const actual = allreduce[`${dtype}:${op}`];
      if ((op === 'land' || op === 'lor') && dtype.startsWith('Float')) {
        t.regex(String(actual), new RegExp(`^TypeError: Allreduce: op '${op}' is defined on integer arrays only`), `${at}: ${dtype} ${op}`);
      } else {
        t.deepEqual(actual, expectedReduction(op, size), `${at}: Allreduce ${dtype} ${op}`);
      }
    }
  }
  const ranksSum = (size * (size - 1)) / 2;
  t.deepEqual(r.allreduceInPlace, [ranksSum, size], `${at}: Allreduce in place`);

  const gathered = Array.from({ length: size }, (_, q) => new Array<number>(q + 1).fill(q)).flat();
  if (rank === 0) {
    t.deepEqual(r.reduce, [ranksSum, size], `${at}: Reduce`);
    t.deepEqual(r.gatherv, gathered, `${at}: Gatherv`);
  }
  if (rank === size - 1) t.deepEqual(r.gathervInPlace, gathered, `${at}: Gatherv in place`);
  const displ = (rank * (rank + 1)) / 2;
  t.deepEqual(r.scatterv, Array.from({ length: rank + 1 }, (_, i) => displ + i), `${at}: Scatterv`);

  t.deepEqual(r.bcastAsync, [1.5, 2.5, 3.5], `${at}: BcastAsync`);
  t.is(r.allreduceAsync, (size * (size + 1)) / 2, `${at}: AllreduceAsync`);
  t.deepEqual(r.waitallAsync, { data: [left, -left || 0], source: left, count: 16 }, `${at}: WaitallAsync`);
  t.true(r.loopRan);
  t.deepEqual(r.sharedRecv, { rank, data: [0, left, 1, 2, 3, 0] }, `${at}: zero-copy receive seen by a worker`);

  const truncate = r.truncate as Line;
  t.like(truncate, { isMpiError: true, code: 'ERR_MPI', call: 'MPI_Recv' }, `${at}: MpiError`);
  t.regex(String(truncate.message), /^MPI_Recv failed: .*truncat/i);
  t.regex(String(r.badRoot), new RegExp(`^RangeError: Bcast: root must be an integer in \\[0, ${size - 1}\\], got ${size}$`));
  t.regex(String(r.badBuffer), /^TypeError: Send: buf must be a typed array, got Array\(2\)$/);
  if (rank === 0) t.regex(String(r.badCounts), /^RangeError: Gatherv: (counts|displs) must have one entry per rank/);
  t.true(r.processorName);
  t.true(r.wtime);
  t.true(r.finalized, `${at}: finalized`);
}

for (const n of [1, 2, 3, 4]) {
  test.serial(`every binding function at ${n} rank${n > 1 ? 's' : ''}`, async (t) => {
    if (missing) {
      if (process.env.CI === 'true') t.fail(`MPI missing under CI: ${missing}`);
      else t.log(`skipped: ${missing}`);
      t.pass();
      return;
    }
    t.timeout(TIMEOUT_MS + 15_000);
    const run = await mpirun(n);
    const lines = run.rankOutput.flatMap((out) => out.split('\n'))
      .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    const diagnostics = `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}\n${run.stdout}\n${run.stderr}`;
    t.false(run.timedOut, diagnostics);
    t.is(run.code, 0, diagnostics);
    t.deepEqual(lines.map((l) => l.rank).sort(), Array.from({ length: n }, (_, i) => i), diagnostics);
    for (const line of lines) {
      t.is(line.size, n);
      checkRank(t, line, n);
    }
  });
}
