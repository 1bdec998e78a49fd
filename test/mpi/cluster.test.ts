// The sequential model under MPI: the same program at 1, 2, 3 and 4 ranks (through
// `distnumpy run`) gives identical bits; rank 0's failures and a killed rank end every rank.
// Without mpirun or the MPI addon the tests pass with a log, except under CI=true.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mpiUnavailable } from './available.js';

const BIN = fileURLToPath(new URL('../../../bin/distnumpy.js', import.meta.url));
const prog = (name: string) => fileURLToPath(new URL(`./programs/${name}.js`, import.meta.url));
const TIMEOUT_MS = 60_000;

const missing = mpiUnavailable();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `distnumpy run ARGS`: the program under mpirun. */
function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return launch([BIN, 'run', ...args], env);
}

// What `distnumpy run` sets for mpirun, for ranks spawned without it.
const MPI_ENV = {
  OMPI_ALLOW_RUN_AS_ROOT: '1',
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
  OMPI_MCA_rmaps_base_oversubscribe: '1',
  OMPI_MCA_mpi_yield_when_idle: '1',
};

/** `DISTNUMPY_RANKS=n node program`: rank 0 spawns the other ranks itself. */
function spawned(n: number, program: string): Promise<Result> {
  return launch([program], { ...MPI_ENV, DISTNUMPY_RANKS: String(n), DISTNUMPY_THREADS: '1' });
}

/** Node with `args` in its own process group, killed whole after TIMEOUT_MS. */
function launch(args: string[], env: Record<string, string>): Promise<Result> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** The program as one plain process with one thread: the reference for every rank count. */
function alone(name: string): Promise<Result> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [prog(name)], { env: { ...process.env, DISTNUMPY_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code, stdout, stderr, ms: 0 }));
  });
}

function skipOrFail(t: import('ava').ExecutionContext): boolean {
  if (!missing) return false;
  if (process.env.CI === 'true') t.fail(`MPI tests cannot run under CI: ${missing}`);
  else t.pass(`skipped: ${missing}`);
  return true;
}

function parse(r: Result): { rank: number; size: number; out: Record<string, string> } {
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON from the program (code ${r.code}): ${r.stderr}`);
  return JSON.parse(line);
}

test('the same program gives identical bits at 1, 2, 3 and 4 ranks', async (t) => {
  if (skipOrFail(t)) return;
  const single = await alone('api-tour');
  t.is(single.code, 0, single.stderr);
  const expected = parse(single);
  t.is(expected.size, 1);
  const configs: [number, string[]][] = [
    [1, []], [2, []], [3, []], [4, []], [2, ['--block-size', '1']], [3, ['--block-size', '2']], [4, ['--block-size', '3']],
    [4, ['--grid', '2x2']], [4, ['--grid', '2x2', '--block-size', '2']], [2, ['--grid', '1x2', '--block-size', '1']],
  ];
  for (const [n, extra] of configs) {
    const r = await run(['-n', String(n), '--threads', '1', ...extra, prog('api-tour')]);
    t.is(r.code, 0, `${n} ranks: exit code (stderr: ${r.stderr})`);
    const actual = parse(r);
    t.is(actual.size, n, `${n} ranks: dn.size`);
    t.is(actual.rank, 0, 'only rank 0 runs the program');
    t.is(r.stdout.split('\n').filter((l) => l.startsWith('{')).length, 1, `${n} ranks: the program printed once`);
    for (const k of Object.keys(expected.out)) {
      if (expected.out[k].startsWith('~')) {
        // equal to rounding: a product whose blocking depends on each rank's part
        const xs = JSON.parse(expected.out[k].slice(1)) as number[];
        const ys = JSON.parse(actual.out[k]?.slice(1) ?? '[]') as number[];
        t.true(xs.length === ys.length && xs.every((x, i) => Math.abs(x - ys[i]) <= 1e-12 * Math.max(1, Math.abs(x))), `${n} ranks ${extra.join(' ')}: ${k}`);
      } else {
        t.is(actual.out[k], expected.out[k], `${n} ranks ${extra.join(' ')}: ${k}`);
      }
    }
  }
});

test('random programs (views, broadcasting, writes, reductions, products) agree at 1-4 ranks', async (t) => {
  if (skipOrFail(t)) return;
  const single = await alone('random-programs');
  t.is(single.code, 0, single.stderr);
  const expected = parse(single).out;
  t.true(Object.keys(expected).length > 100, 'the program produced its results');
  // 3 ranks with blocks of one row: many blocks per rank, every neighbour row remote.
  // 4 ranks: a 2x2 process grid with blocks of 2x2.
  for (const n of [2, 3, 4]) {
    const extra = n === 3 ? ['--block-size', '1'] : n === 4 ? ['--grid', '2x2', '--block-size', '2'] : [];
    const actual = parse(await run(['-n', String(n), '--threads', '1', ...extra, prog('random-programs')])).out;
    const bad: string[] = [];
    for (const [k, e] of Object.entries(expected)) {
      const a = actual[k];
      if (e.startsWith('~')) {
        // whole-array sums and means: equal to rounding (partials combine per rank)
        const xs = JSON.parse(e.slice(1)) as (number | null)[];
        const ys = a ? (JSON.parse(a.slice(1)) as (number | null)[]) : [];
        const close = (x: number | null, y: number | null) =>
          x === y || (x !== null && y !== null && Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x)));
        if (xs.length !== ys.length || xs.some((x, i) => !close(x, ys[i]))) bad.push(`${k}: expected ${e}, actual ${a}`);
      } else if (a !== e) bad.push(k);
    }
    t.deepEqual(bad, [], `${n} ranks: results that differ from 1 rank`);
  }
});

test('an array larger than one rank\'s memory limit is created, computed on and reduced across 4 ranks', async (t) => {
  if (skipOrFail(t)) return;
  const alone = spawnSync(process.execPath, [prog('big')], { encoding: 'utf8', env: { ...process.env, DISTNUMPY_THREADS: '1' } });
  const one = JSON.parse(alone.stdout.trim().split('\n').pop()!);
  t.false(one.ok, 'one rank cannot hold the array');
  t.is(one.error, 'RangeError');
  t.regex(one.message, /memory limit of 38\.1 MiB per rank/);
  const unlimited = spawnSync(process.execPath, [prog('big')], { encoding: 'utf8', env: { ...process.env, DISTNUMPY_THREADS: '1', LIMIT: '1e12' } });
  const expected = JSON.parse(unlimited.stdout.trim().split('\n').pop()!);
  t.true(expected.ok);
  const r = await run(['-n', '4', '--threads', '1', prog('big')]);
  t.is(r.code, 0, r.stderr);
  const four = JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
  t.true(four.ok, JSON.stringify(four));
  t.true(four.bytes > four.limit, 'the array exceeds one rank\'s limit');
  t.true(Math.abs(four.total - expected.total) <= 1e-12 * expected.total, `sum: expected ${expected.total}, actual ${four.total}`);
  t.is(four.rows, expected.rows, 'row sums (computed by their owners) are identical');
  t.is(four.corner, expected.corner);
});

test('an exception on rank 0 ends every rank with a non-zero code, the error printed once', async (t) => {
  if (skipOrFail(t)) return;
  for (const n of [2, 4]) {
    const r = await run(['-n', String(n), '--threads', '1', prog('fails')]);
    t.not(r.code, 0, `${n} ranks: exit code`);
    t.true(r.ms < 10_000, `${n} ranks: ended after ${r.ms} ms`);
    t.is(r.stderr.split('deliberate failure in the program').length - 1, 1, `${n} ranks: error printed once:\n${r.stderr}`);
    t.regex(r.stdout, /sum 999000/);
  }
});

test('a step that fails on a serving rank ends every rank with a non-zero code and the error', async (t) => {
  if (skipOrFail(t)) return;
  const r = await run(['-n', '2', '--threads', '1', prog('step-fails')]);
  t.not(r.code, 0, 'exit code');
  t.true(r.ms < 10_000, `ended after ${r.ms} ms`);
  t.regex(r.stderr, /failed on rank \d of 2: Integers to negative integer powers are not allowed/);
  t.notRegex(r.stdout, /after \(unexpected\)/);
});

test('a serving rank killed with SIGKILL mid-run ends every rank with a non-zero code', async (t) => {
  if (skipOrFail(t)) return;
  const r = await run(['-n', '3', '--threads', '1', prog('kills')]);
  t.not(r.code, 0, 'exit code');
  t.true(r.ms < 10_000, `ended after ${r.ms} ms`);
  t.notRegex(r.stdout, /finished although/);
});

test('spawned ranks (DISTNUMPY_RANKS): a killed rank, a failing rank or rank 0\'s exception ends every rank within seconds', async (t) => {
  if (skipOrFail(t)) return;
  const ranks = () => new Set(spawnSync('pgrep', ['-f', 'spawned-rank.js'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean));
  const before = ranks();
  const [killed, stepFails, fails, exits] = await Promise.all([
    spawned(3, prog('kills')),
    spawned(2, prog('step-fails')),
    spawned(2, prog('fails')),
    spawned(3, prog('exits')),
  ]);
  t.not(killed.code, 0, 'killed: exit code');
  t.true(killed.ms < 10_000, `killed: ended after ${killed.ms} ms`);
  t.regex(killed.stderr, /distnumpy: rank \d of 3 \(pid \d+\) died: ending all ranks/);
  t.notRegex(killed.stdout, /finished although/);
  t.not(stepFails.code, 0, 'step fails: exit code');
  t.true(stepFails.ms < 10_000, `step fails: ended after ${stepFails.ms} ms`);
  t.regex(stepFails.stderr, /failed on rank \d of 2: Integers to negative integer powers are not allowed/);
  t.not(fails.code, 0, 'rank 0 fails: exit code');
  t.true(fails.ms < 10_000, `rank 0 fails: ended after ${fails.ms} ms`);
  t.is(fails.stderr.split('deliberate failure in the program').length - 1, 1, `error printed once:\n${fails.stderr}`);
  t.is(exits.code, 0, exits.stderr);
  t.regex(exits.stdout, /sum 45/);
  // No rank these programs spawned is left behind (give the last exits a moment).
  let left: string[] = [];
  for (let i = 0; i < 20; i++) {
    left = [...ranks()].filter((pid) => !before.has(pid));
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.deepEqual(left, [], 'spawned ranks still running');
});

test('process.exit(0) on rank 0 ends the serving ranks cleanly with code 0', async (t) => {
  if (skipOrFail(t)) return;
  const r = await run(['-n', '3', '--threads', '1', prog('exits')]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /sum 45/);
});

test('distnumpy run: usage errors exit 2; --dry-run shows the mpirun command', async (t) => {
  const bad = spawnSync(process.execPath, [BIN, 'run', '-n', 'x', 'a.js'], { encoding: 'utf8' });
  t.is(bad.status, 2);
  t.regex(bad.stderr, /-n needs a positive integer/);
  const none = spawnSync(process.execPath, [BIN, 'run', '-n', '2'], { encoding: 'utf8' });
  t.is(none.status, 2);
  const dry = spawnSync(process.execPath, [BIN, 'run', '-n', '2', '--threads', '3', '--hostfile', 'hosts', '--dry-run', 'app.js', 'x'], { encoding: 'utf8' });
  t.is(dry.status, 0);
  t.regex(dry.stdout, /DISTNUMPY_THREADS=3/);
  t.regex(dry.stdout, /mpirun -np 2 --hostfile hosts --map-by ppr:1:node --bind-to none/);
  t.regex(dry.stdout, /app\.js x$/m);
  const help = spawnSync(process.execPath, [BIN, 'run', '--help'], { encoding: 'utf8' });
  t.is(help.status, 0);
  t.regex(help.stdout, /--threads T/);
});
