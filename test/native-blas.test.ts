// dgemm/sgemm and dgemv/sgemv through the addon against a naive loop: every transpose, offsets,
// leading dimensions wider than the matrix, vector steps, SharedArrayBuffer-backed arrays, and a
// call from a worker.
// Without the addon the tests pass with a log, except under CI=true, where BLAS must be built.
import test, { type ExecutionContext } from 'ava';
import { Worker } from 'node:worker_threads';
import { blasConfig, blasThreads, gemm, gemv, type GemmDType } from '../lib/dist/blas.js';
import { nativeStatus } from '../lib/dist/native.js';

const status = nativeStatus().blas;

function available(t: ExecutionContext): boolean {
  if (status.active) return true;
  if (process.env.CI === 'true') t.fail(`OpenBLAS addon missing under CI: ${status.reason}`);
  else t.log(`skipped: OpenBLAS addon not active (${status.reason})`);
  t.pass();
  return false;
}

type Real = Float64Array | Float32Array;

/** C = alpha op(A) op(B) + beta C, row-major, in float64, one element at a time. */
function naiveGemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number,
  A: Real, offA: number, lda: number, B: Real, offB: number, ldb: number,
  beta: number, C: Real, offC: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[offA + k * lda + i] : A[offA + i * lda + k];
        const b = tB ? B[offB + j * ldb + k] : B[offB + k * ldb + j];
        s += a * b;
      }
      const c = offC + i * ldc + j;
      C[c] = alpha * s + (beta === 0 ? 0 : beta * C[c]);
    }
  }
}

let seed = 12345;
function fill(a: Real): Real {
  for (let i = 0; i < a.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    a[i] = seed / 2 ** 30 - 1;
  }
  return a;
}

function make(dtype: GemmDType, length: number, shared: boolean): Real {
  if (dtype === 'float64') {
    return fill(shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length));
  }
  return fill(shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length));
}

interface Case {
  M: number; N: number; K: number; tA: boolean; tB: boolean;
  offA: number; offB: number; offC: number; padA: number; padB: number; padC: number;
  shared: boolean; alpha: number; beta: number;
}

const cases: Case[] = [];
const shapes: Array<[number, number, number]> = [[1, 1, 1], [3, 4, 5], [17, 9, 33], [64, 65, 63], [0, 3, 2], [3, 0, 2], [4, 3, 0]];
for (const [M, N, K] of shapes) {
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      cases.push({ M, N, K, tA, tB, offA: 0, offB: 0, offC: 0, padA: 0, padB: 0, padC: 0, shared: false, alpha: 1, beta: 0 });
      cases.push({ M, N, K, tA, tB, offA: 3, offB: 5, offC: 2, padA: 2, padB: 3, padC: 4, shared: true, alpha: -0.5, beta: 1.5 });
    }
  }
}

function run(t: ExecutionContext, dtype: GemmDType, c: Case): void {
  const rowsA = c.tA ? c.K : c.M, colsA = c.tA ? c.M : c.K;
  const rowsB = c.tB ? c.N : c.K, colsB = c.tB ? c.K : c.N;
  const lda = Math.max(1, colsA + c.padA), ldb = Math.max(1, colsB + c.padB), ldc = Math.max(1, c.N + c.padC);
  const A = make(dtype, c.offA + rowsA * lda + 1, c.shared);
  const B = make(dtype, c.offB + rowsB * ldb + 1, c.shared);
  const actual = make(dtype, c.offC + c.M * ldc + 1, c.shared);
  const expected = Float64Array.from(actual);
  naiveGemm(c.tA, c.tB, c.M, c.N, c.K, c.alpha, A, c.offA, lda, B, c.offB, ldb, c.beta, expected, c.offC, ldc);
  const before = Float64Array.from(actual);
  gemm(dtype, c.tA, c.tB, c.M, c.N, c.K, c.alpha, A, c.offA, lda, B, c.offB, ldb, c.beta, actual, c.offC, ldc);
  const tol = (dtype === 'float64' ? 1e-13 : 1e-5) * Math.max(1, c.K);
  const label = `${dtype} ${JSON.stringify(c)}`;
  for (let i = 0; i < actual.length; i++) {
    const row = Math.floor((i - c.offC) / ldc), col = (i - c.offC) % ldc;
    const inside = i >= c.offC && row < c.M && col < c.N;
    if (!inside && actual[i] !== before[i]) {
      t.fail(`${label}: element ${i} outside C changed`);
      return;
    }
    if (Math.abs(actual[i] - expected[i]) > tol * Math.max(1, Math.abs(expected[i]))) {
      t.fail(`${label}: C[${i}] expected ${expected[i]} actual ${actual[i]}`);
      return;
    }
  }
  t.pass();
}

for (const dtype of ['float64', 'float32'] as const) {
  test(`${dtype} gemm matches a naive loop (transposes, offsets, leading dims, shared memory)`, (t) => {
    if (!available(t)) return;
    for (const c of cases) run(t, dtype, c);
  });
}

test('bad arguments throw before the addon sees them', (t) => {
  if (!available(t)) return;
  const A = new Float64Array(12), B = new Float64Array(12), C = new Float64Array(9);
  t.throws(() => gemm('float64', false, false, 3, 3, 4, 1, A, 1, 4, B, 0, 3, 0, C, 0, 3),
    { instanceOf: RangeError, message: /A \(3x4, offset 1, leading dimension 4\) needs 13 elements but its Float64Array has 12/ });
  t.throws(() => gemm('float64', false, false, 3, 3, 4, 1, A, 0, 3, B, 0, 3, 0, C, 0, 3),
    { instanceOf: RangeError, message: /lda must be an integer in \[4, / });
  t.throws(() => gemm('float32', false, false, 3, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3),
    { instanceOf: TypeError, message: /A must be a Float32Array for dtype 'float32', got Float64Array\(12\)/ });
  t.throws(() => gemm('float64', false, false, 3, 3, 3, 1, A, 0, 3, B, 0, 3, 0, A, 3, 3),
    { instanceOf: RangeError, message: /C overlaps A/ });
  t.throws(() => gemm('float64', false, false, 2.5, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3),
    { instanceOf: RangeError, message: /M must be an integer/ });
});

for (const dtype of ['float64', 'float32'] as const) {
  test(`${dtype} gemv matches a naive loop (transposed, offsets, leading dims, steps, shared memory)`, (t) => {
    if (!available(t)) return;
    for (const [M, N] of [[1, 1], [5, 7], [33, 17], [0, 4], [4, 0]]) {
      for (const trans of [false, true]) {
        for (const [off, pad, inc, shared] of [[0, 0, 1, false], [3, 2, 3, true]] as const) {
          // y = alpha op(A) x + beta y is gemm with x and y as one-column matrices whose rows are inc apart.
          const lda = Math.max(1, N + pad), lenX = trans ? M : N, lenY = trans ? N : M;
          const A = make(dtype, off + M * lda + 1, shared);
          const x = make(dtype, off + lenX * inc + 1, shared);
          const y = make(dtype, off + lenY * inc + 1, shared);
          const expected = Float64Array.from(y);
          naiveGemm(trans, false, lenY, 1, lenX, -0.5, A, off, lda, x, off, inc, 1.5, expected, off, inc);
          gemv(dtype, trans, M, N, -0.5, A, off, lda, x, off, inc, 1.5, y, off, inc);
          const tol = (dtype === 'float64' ? 1e-13 : 1e-5) * Math.max(1, lenX);
          const bad = Array.from(y).findIndex((v, i) => Math.abs(v - expected[i]) > tol * Math.max(1, Math.abs(expected[i])));
          t.is(bad, -1, `${dtype} M=${M} N=${N} trans=${trans} off=${off} inc=${inc}: y[${bad}] expected ${expected[bad]} actual ${y[bad]}`);
        }
      }
    }
  });
}

test('bad gemv arguments throw before the addon sees them', (t) => {
  if (!available(t)) return;
  const A = new Float64Array(12), x = new Float64Array(4), y = new Float64Array(3);
  t.throws(() => gemv('float64', false, 3, 4, 1, A, 0, 4, x, 1, 1, 0, y, 0, 1),
    { instanceOf: RangeError, message: /gemv: x \(4x1, offset 1, leading dimension 1\) needs 5 elements but its Float64Array has 4/ });
  t.throws(() => gemv('float64', false, 3, 4, 1, A, 0, 4, x, 0, 0, 0, y, 0, 1), { instanceOf: RangeError, message: /incX must be an integer in \[1, / });
  t.throws(() => gemv('float64', false, 3, 4, 1, A, 0, 4, x, 0, 1, 0, A, 0, 1), { instanceOf: RangeError, message: /y overlaps A/ });
  t.throws(() => gemv('float32', false, 3, 4, 1, A, 0, 4, x, 0, 1, 0, y, 0, 1), { instanceOf: TypeError, message: /A must be a Float32Array for dtype 'float32'/ });
});

test('thread count and configuration', (t) => {
  if (!available(t)) return;
  const before = blasThreads();
  t.is(blasThreads(1), 1);
  t.is(blasThreads(2), 2);
  blasThreads(before);
  t.regex(blasConfig() ?? '', /OpenBLAS/);
});

test('a worker thread loads the addon and multiplies into shared memory', async (t) => {
  if (!available(t)) return;
  const sab = new SharedArrayBuffer(3 * 8 * 4);
  const A = new Float64Array(sab, 0, 4), B = new Float64Array(sab, 32, 4), actual = new Float64Array(sab, 64, 4);
  A.set([1, 2, 3, 4]);
  B.set([5, 6, 7, 8]);
  const blasUrl = new URL('../lib/dist/blas.js', import.meta.url).href;
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(blasUrl)}).then(({ gemm }) => {
      const s = workerData;
      gemm('float64', false, false, 2, 2, 2, 1, new Float64Array(s, 0, 4), 0, 2,
        new Float64Array(s, 32, 4), 0, 2, 0, new Float64Array(s, 64, 4), 0, 2);
      parentPort.postMessage('done');
    }, (e) => parentPort.postMessage(String(e)));`;
  const worker = new Worker(source, { eval: true, workerData: sab });
  const message = await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
  t.is(message, 'done');
  const expected = new Float64Array(4);
  naiveGemm(false, false, 2, 2, 2, 1, A, 0, 2, B, 0, 2, 0, expected, 0, 2);
  t.deepEqual(Array.from(actual), Array.from(expected));
});
