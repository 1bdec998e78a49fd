// Memory stays bounded in a long loop (a Jacobi stencil, checked against NumPy running the same
// iterations), dispose() frees an array so that using it afterwards throws, and a disposed
// array's memory is reused. Serial: the measurements are of the whole process (the Jacobi loops
// each run in a fresh child process, so one run's growth or cached buffers cannot hide another's).
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dn from '../../lib/index.js';
import { nodeOf } from '../../lib/graph/ndarray.js';
import { gcFunction } from '../../lib/smp/gc.js';
import { assertMatches, numpy } from '../helpers/numpy.js';

const N = 1000;
const ARRAY_BYTES = N * N * 8; // one float64 grid
const MB = 1 << 20;
/** "A few arrays' worth": growth allowed between iteration 20 and 100. */
const BUDGET = 6 * ARRAY_BYTES;

interface Sample {
  rss: number;
  arrayBuffers: number;
}
function sample(): Sample {
  const m = process.memoryUsage();
  return { rss: m.rss, arrayBuffers: m.arrayBuffers };
}
const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;

test.after.always(async () => {
  await dn.shutdown();
});

/**
 * The Jacobi loop, run in a fresh Node process so that each variant is measured from a clean
 * start (a process that already grew would hide growth, and freed buffers cached by one run would
 * be reused by the next). It saves the final grid and prints the deltas and memory samples.
 */
const CHILD = String.raw`
const [lib, out, itersArg, disposeArg] = process.argv.slice(1);
// End with the test: if ava ends the worker that started this process (a timeout), do not linger.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(1); }, 500).unref();
const dn = await import(lib);
const iters = Number(itersArg);
const dispose = disposeArg === 'dispose';
const N = 1000;
const grid = dn.zeros([N, N]);
grid.set('0, :', 1);
grid.set('1:, 0', 0.5);
const deltas = [];
const samples = [];
for (let it = 0; it < iters; it++) {
  const work = grid.slice('0:-2, 1:-1').add(grid.slice('2:, 1:-1')).add(grid.slice('1:-1, 0:-2')).add(grid.slice('1:-1, 2:')).mul(0.25);
  const delta = dn.abs(work.sub(grid.slice('1:-1, 1:-1'))).sum();
  grid.set('1:-1, 1:-1', work);
  deltas.push(await delta.item());
  if (dispose) {
    work.dispose();
    delta.dispose();
  }
  const m = process.memoryUsage();
  samples.push({ rss: m.rss, arrayBuffers: m.arrayBuffers });
}
await dn.save(out, grid);
process.stdout.write(JSON.stringify({ deltas, samples }));
await dn.shutdown();
`;

/** NumPy's Jacobi from the same initial grid: the reference for the final grid and every delta. */
const NUMPY_JACOBI = `
g = np.zeros((1000, 1000))
g[0, :] = 1
g[1:, 0] = 0.5
deltas = []
for _ in range(ITERS):
    work = (g[0:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, 0:-2] + g[1:-1, 2:]) * 0.25
    deltas.append(np.abs(work - g[1:-1, 1:-1]).sum())
    g[1:-1, 1:-1] = work
R = (g, np.array(deltas))
`;

const dir = mkdtempSync(join(tmpdir(), 'distnumpy-memory-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

async function jacobi(t: ExecutionContext, iters: number, dispose: boolean): Promise<Sample[]> {
  const lib = new URL('../../lib/index.js', import.meta.url).href;
  const out = join(dir, `grid-${dispose ? 'dispose' : 'drop'}.npy`);
  const text = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, lib, out, String(iters), dispose ? 'dispose' : 'drop'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let so = '';
    let se = '';
    p.stdout.on('data', (d) => (so += d));
    p.stderr.on('data', (d) => (se += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(so) : reject(new Error(`Jacobi child exited ${code}: ${se}`))));
  });
  const { deltas, samples } = JSON.parse(text) as { deltas: number[]; samples: Sample[] };
  const r = await numpy({}, { setup: `exec(${JSON.stringify(NUMPY_JACOBI.replace('ITERS', String(iters)))}, globals()) or 0`, grid: 'R[0]', deltas: 'R[1]' });
  await assertMatches(t, await dn.load(out), r.grid, `grid after ${iters} iterations`);
  await assertMatches(t, dn.array(deltas), r.deltas, 'delta of every iteration', { rtol: 1e-12 });
  return samples;
}

function assertBounded(t: ExecutionContext, samples: Sample[], from: number, label: string): void {
  const base = samples[from - 1];
  const end = samples[samples.length - 1];
  const rows = [from, 40, 60, 80, samples.length].map((k) => `it ${k}: rss ${mb(samples[k - 1].rss)}, arrayBuffers ${mb(samples[k - 1].arrayBuffers)}`);
  t.log(`${label}\n${rows.join('\n')}`);
  t.true(end.rss - base.rss <= BUDGET, `${label}: rss grew ${mb(end.rss - base.rss)} between iteration ${from} and ${samples.length} (allowed ${mb(BUDGET)})`);
  t.true(
    end.arrayBuffers - base.arrayBuffers <= BUDGET,
    `${label}: arrayBuffers grew ${mb(end.arrayBuffers - base.arrayBuffers)} between iteration ${from} and ${samples.length} (allowed ${mb(BUDGET)})`,
  );
}

test.serial('a 100-iteration Jacobi stencil on 1000x1000 keeps memory bounded (arrays dropped, not disposed)', async (t) => {
  const samples = await jacobi(t, 100, false);
  assertBounded(t, samples, 20, 'Jacobi, arrays dropped');
});

test.serial("the same stencil with dispose() of each iteration's temporaries keeps memory bounded", async (t) => {
  const samples = await jacobi(t, 100, true);
  assertBounded(t, samples, 20, 'Jacobi, temporaries disposed');
});

type Use = [string, (x: dn.NdArray) => unknown];
const USES: Use[] = [
  ['await x.data()', (x) => x.data()],
  ['await x.item() (via x.slice(0))', (x) => x.slice('0').item()],
  ['await x.toArray()', (x) => x.toArray()],
  ['await x.toString()', (x) => x.toString()],
  ['await x.sum().item()', (x) => x.sum().item()],
  ['await x.add(1).data()', (x) => x.add(1).data()],
  ['await x.slice("2:").data()', (x) => x.slice('2:').data()],
  ['x.set("0", 5) then read', (x) => x.set('0', 5).data()],
  ['await x.copy().data()', (x) => x.copy().data()],
  ['await dn.dot(x, x).item()', (x) => dn.dot(x, x).item()],
];

/** Each use of a disposed array must throw or reject with an Error; returns those that did not. */
async function usesThatWork(afterFlush: boolean): Promise<string[]> {
  const ok: string[] = [];
  for (const [label, use] of USES) {
    const x = dn.arange(10).astype('float64');
    await x.data(); // computed and read once while alive
    x.dispose();
    if (afterFlush) await dn.flush();
    try {
      const r = await use(x);
      ok.push(`${label} -> ${JSON.stringify(ArrayBuffer.isView(r) ? Array.from(r as Float64Array) : r)}`);
    } catch (e) {
      if (!(e instanceof Error)) ok.push(`${label} threw a non-Error ${String(e)}`);
    }
  }
  return ok;
}

test.serial('a loop that only awaits flushes lets the lazy nodes it dropped be collected (V8 keeps WeakRef targets until a job ends)', async (t) => {
  const gc = gcFunction();
  if (!gc) return t.pass('no gc function here');
  const a = dn.arange(16);
  await dn.flush();
  await new Promise<void>((r) => setImmediate(r)); // a fresh job: the loop below may run as one
  let collected = false;
  const registry = new FinalizationRegistry(() => {
    collected = true;
  });
  for (let i = 0; i < 200; i++) {
    const x = a.add(i).mul(2);
    if (i === 0) registry.register(nodeOf(x), 'first');
    await dn.flush();
  }
  gc(); // in the loop's job, unless a flush ended it
  for (let i = 0; i < 10 && !collected; i++) await new Promise<void>((r) => setTimeout(r, 1));
  t.true(collected, "the first iteration's node was still held after 199 more flushes");
});

test.serial('using an array after dispose() throws an Error (after the next flush)', async (t) => {
  t.deepEqual(await usesThatWork(true), [], 'uses of a disposed array that did not throw');
  // A synchronous use that records work throws at once.
  const x = dn.ones([4]);
  x.dispose();
  await dn.flush();
  t.throws(() => x.sum(), { instanceOf: Error }, 'x.sum() after dispose');
  t.throws(() => x.set('0', 1), { instanceOf: Error }, 'x.set() after dispose');
  // The runtime is still usable.
  t.is(await dn.ones([4]).sum().item(), 4);
});

test.serial('using an array right after dispose() (no await in between) throws an Error', async (t) => {
  t.deepEqual(await usesThatWork(false), [], 'uses of a disposed array that did not throw');
});

test.serial('a view of a disposed array cannot be read either', async (t) => {
  const x = dn.arange(10).astype('float64');
  const v = x.slice('::2');
  await v.data();
  x.dispose();
  await dn.flush();
  await t.throwsAsync(async () => v.data(), { instanceOf: Error });
  await t.throwsAsync(async () => v.sum().item(), { instanceOf: Error });
});

test.serial("a disposed array's memory is reused by the next array of its size", async (t) => {
  const before = sample();
  const iters = 60;
  for (let i = 0; i < iters; i++) {
    const x = dn.full([N, N], i, { dtype: 'float64' });
    const expected = i * N * N; // the reference: N*N copies of i
    const actual = await x.sum().item();
    if (actual !== expected) t.fail(`iteration ${i}: sum expected ${expected}, actual ${actual}`);
    x.dispose();
  }
  await dn.flush();
  const after = sample();
  const grew = after.arrayBuffers - before.arrayBuffers;
  t.log(`${iters} x ${mb(ARRAY_BYTES)} allocated and disposed: arrayBuffers grew ${mb(grew)}, rss ${mb(after.rss - before.rss)}`);
  t.true(grew <= 3 * ARRAY_BYTES, `arrayBuffers grew ${mb(grew)} over ${iters} allocate/dispose cycles (allowed ${mb(3 * ARRAY_BYTES)})`);
  t.true(after.rss - before.rss <= 4 * ARRAY_BYTES, `rss grew ${mb(after.rss - before.rss)}`);
});

test.serial('a write recorded right after dispose() does not land in the array that reuses the memory', async (t) => {
  const x = dn.zeros([1000]);
  await x.data();
  x.dispose();
  try {
    x.set(':', 5); // may throw (the better outcome); must not write into freed memory
  } catch {
    // fine
  }
  await new Promise((r) => setTimeout(r, 0)); // let the deferred release run
  const y = dn.zeros([1000]); // may get x's old buffer
  const actual = Array.from(await y.data());
  const expected = new Array<number>(1000).fill(0); // the reference: zeros
  const bad = actual.findIndex((v, i) => v !== expected[i]);
  t.is(bad, -1, `y = dn.zeros([1000]): element ${bad} is ${actual[bad]}, expected 0`);
});

test.serial('an array larger than the machine\'s memory is refused with a RangeError at the call that needs it; nothing else changes', async (t) => {
  const a = dn.arange(10);
  const zeros = t.throws(() => dn.zeros([1e6, 1e6]), { instanceOf: RangeError });
  t.is((zeros as RangeError & { code?: string }).code, 'ERR_OUT_OF_MEMORY');
  t.regex(zeros!.message, /cannot allocate [\d.]+ TiB for an array of 1000000000000 float64: this machine has .* available/);
  t.throws(() => dn.full([2 ** 20, 2 ** 22], 1.5), { instanceOf: RangeError, message: /cannot allocate [\d.]+ TiB/ });
  // A lazy broadcast is only allocated when it is needed (a read, a write): that call fails.
  const v = dn.ones([1e6]);
  const big = v.reshape([1e6, 1]).add(v);
  await t.throwsAsync(big.toArray(), { instanceOf: RangeError, message: /cannot allocate [\d.]+ TiB/ });
  t.throws(() => big.set('0, 0', 5), { instanceOf: RangeError, message: /cannot allocate/ });
  // The runtime and the arrays it had are untouched.
  t.is(await a.sum().item(), 45);
  t.is(await v.sum().item(), 1e6);
  t.deepEqual(await a.add(1).slice('-2:').toArray(), [9, 10]);
});
