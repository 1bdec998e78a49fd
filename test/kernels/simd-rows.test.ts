// Fused row sums in WebAssembly SIMD (kernels/wasm-rows.ts) against the scalar JS kernel of the
// same request: random float64 programs (the lane ops, with divisions by zero, square roots of
// negatives, -0, NaN and inf among the inputs), random layouts (rows, columns, broadcasts along
// either axis, transposed, reversed), odd and even row counts cut into random pieces. The sums
// must agree bit for bit (the API tests compare the whole N-body step with NumPy), and the SIMD
// path must have run.
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { buildFused, type FusedRequest, type Sink } from '../../lib/kernels/fused.js';
import { compileKernel, type KernelFn } from '../../lib/kernels/compile.js';
import type { Instr, Operand, Program } from '../../lib/kernels/program.js';

type Mode = 'rows' | 'cols' | 'sparse' | 'rowBcast' | 'colBcast' | 'transposed' | 'reversed' | 'scalar';
const MODES: readonly Mode[] = ['rows', 'cols', 'sparse', 'rowBcast', 'colBcast', 'transposed', 'reversed', 'scalar'];
const UNARY = ['neg', 'abs', 'sqrt', 'square'] as const;
const BINARY = ['add', 'sub', 'mul', 'div'] as const;
const POW = [2, 0.5, -1, 1] as const;
const SPECIAL = [0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-300, 1e300];

interface Case {
  rows: number;
  cols: number;
  modes: Mode[];
  /** Each op: a kind index and two argument picks (modulo what exists). */
  ops: [number, number, number][];
  sinks: [number, boolean][];
  cuts: number[];
  seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  rows: fc.integer({ min: 1, max: 9 }),
  cols: fc.integer({ min: 1, max: 23 }),
  modes: fc.array(fc.constantFrom(...MODES), { minLength: 1, maxLength: 4 }),
  ops: fc.array(fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)), { minLength: 1, maxLength: 8 }),
  sinks: fc.array(fc.tuple(fc.nat(99), fc.boolean()), { minLength: 1, maxLength: 3 }),
  cuts: fc.array(fc.nat(99), { maxLength: 4 }),
  seed: fc.nat(),
});

/** Deterministic values from a seed: mostly ordinary, some special. */
function values(n: number, seed: number): Float64Array {
  let s = seed | 1;
  const next = (): number => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) ^ (s + 0x9e3779b9)) >>> 0) / 2 ** 32;
  return Float64Array.from({ length: n }, () => (next() < 0.1 ? SPECIAL[Math.floor(next() * SPECIAL.length)] : (next() - 0.3) * 10));
}

/** An operand's layout over the (rows, cols) frame, on an array of `size` elements. */
function operandLayout(mode: Mode, R: number, C: number): { strides: number[]; offset: number; size: number } {
  switch (mode) {
    case 'rows':
      return { strides: [C, 1], offset: 0, size: R * C };
    case 'cols':
      // Rows overlap where 2 (C - 1) > C + 2: reads may.
      return { strides: [C + 2, 2], offset: 1, size: 1 + (R - 1) * (C + 2) + 2 * (C - 1) + 1 };
    case 'sparse':
      // Every 50th row of a larger array: the copy spans far more than the rows read.
      return { strides: [50 * C, 1], offset: 0, size: (R - 1) * 50 * C + C };
    case 'rowBcast':
      return { strides: [0, 1], offset: 0, size: C };
    case 'colBcast':
      return { strides: [1, 0], offset: 0, size: R };
    case 'transposed':
      return { strides: [1, R], offset: 0, size: R * C };
    case 'reversed':
      return { strides: [-C, -1], offset: R * C - 1, size: R * C };
    case 'scalar':
      return { strides: [0, 0], offset: 0, size: 1 };
  }
}

function build(c: Case): { req: FusedRequest; inputs: Float64Array[] } {
  const R = c.rows;
  const C = c.cols;
  const instrs: Instr[] = [];
  const operands: Operand[] = [];
  const inputs: Float64Array[] = [];
  c.modes.forEach((mode, j) => {
    const l = operandLayout(mode, R, C);
    operands.push({ kind: 'data', dtype: 'float64', layout: { shape: [R, C], strides: l.strides, offset: l.offset } });
    inputs.push(values(l.size, c.seed + 7919 * j));
    instrs.push({ k: 'load', operand: j, dtype: 'float64' });
  });
  const consts = [0.5, 3, 2];
  instrs.push({ k: 'const', index: 0, dtype: 'float64' }, { k: 'const', index: 1, dtype: 'float64' });
  const op = (name: Instr & { k: 'op' }): number => instrs.push(name) - 1;
  for (const [kind, x0, y0] of c.ops) {
    const x = x0 % instrs.length;
    const y = y0 % instrs.length;
    const k = kind % (UNARY.length + BINARY.length + POW.length);
    if (k < UNARY.length) op({ k: 'op', op: UNARY[k], args: [x], dtype: 'float64', ct: 'float64' });
    else if (k < UNARY.length + BINARY.length) op({ k: 'op', op: BINARY[k - UNARY.length], args: [x, y], dtype: 'float64', ct: 'float64' });
    else {
      const e = POW[k - UNARY.length - BINARY.length];
      const ci = instrs.push({ k: 'const', index: 2, dtype: 'float64' }) - 1;
      consts[2] = e;
      op({ k: 'op', op: 'pow', args: [x, ci], dtype: 'float64', ct: 'float64', scalarExp: e });
    }
  }
  // One square root at least, so that the loop is costly enough for SIMD (wasm-rows.ts MIN_COST).
  op({ k: 'op', op: 'sqrt', args: [instrs.length - 1], dtype: 'float64', ct: 'float64' });
  const program: Program = { instrs, result: instrs.length - 1, consts };
  const sinks: Sink[] = c.sinks.map(([v, mean]) => ({
    kind: 'reduceAxis',
    value: c.modes.length + (v % (instrs.length - c.modes.length)),
    reduce: mean ? 'mean' : 'sum',
    dtype: 'float64',
    layout: { shape: [R], strides: [2], offset: 1 },
  }));
  return { req: { program, operands, frame: [R, C], sinks }, inputs };
}

function runPieces(fn: KernelFn, meta: number[], consts: number[], inputs: Float64Array[], outs: number, R: number, cuts: number[]): Float64Array[] {
  const outputs = Array.from({ length: outs }, () => new Float64Array(2 * R + 1).fill(-7));
  const at = [...new Set([0, ...cuts.map((x) => x % (R + 1)), R])].sort((a, b) => a - b);
  // As claimPieces runs them on one thread: the pieces after the first may reuse its copies.
  const arrs = [...outputs, ...inputs];
  for (let i = 0; i + 1 < at.length; i++) fn(arrs, meta, consts, at[i], at[i + 1], i === 0);
  return outputs;
}

const same = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

test('row sums in f64x2 lanes equal the scalar kernel bit for bit, for any layout and piece', (t) => {
  let simdPieces = 0;
  fc.assert(
    fc.property(caseArb, (c) => {
      const { req, inputs } = build(c);
      const simd = buildFused(req);
      const scalar = buildFused(req, false);
      if (!simd.key.endsWith('|simd')) return false;
      const f = compileKernel(simd.source) as KernelFn & { simdPieces: number };
      const a = runPieces(f, simd.meta, simd.consts, inputs, req.sinks.length, c.rows, c.cuts);
      const b = runPieces(compileKernel(scalar.source), scalar.meta, scalar.consts, inputs, req.sinks.length, c.rows, c.cuts);
      simdPieces += f.simdPieces;
      return a.every((x, k) => same(x, b[k]));
    }),
    { numRuns: 400, seed: 20261124 },
  );
  t.true(simdPieces > 0, 'pieces ran through the WebAssembly module');
});

/** Runs case `c` through its SIMD and scalar kernels: the SIMD one must have fallen back, alike. */
function assertFallsBack(t: ExecutionContext, c: Case): void {
  const { req, inputs } = build(c);
  const simd = buildFused(req);
  const f = compileKernel(simd.source) as KernelFn & { simdPieces: number };
  const a = runPieces(f, simd.meta, simd.consts, inputs, 1, c.rows, c.cuts);
  const scalar = buildFused(req, false);
  const b = runPieces(compileKernel(scalar.source), scalar.meta, scalar.consts, inputs, 1, c.rows, c.cuts);
  t.is(f.simdPieces, 0);
  t.true(same(a[0], b[0]));
}

test('a large operand that would cost more to copy than to read falls back to the scalar loop, with the same result', (t) => {
  assertFallsBack(t, { rows: 40, cols: 3000, modes: ['sparse', 'rowBcast'], ops: [[11, 0, 1]], sinks: [[2, false]], cuts: [13], seed: 5 });
});

test("a piece whose copies would not fit the thread's 64 MiB module memory runs scalar, with the same result", (t) => {
  // 8.5e6 elements in one row of one operand: 68 MB of copy.
  assertFallsBack(t, { rows: 1, cols: 8_500_000, modes: ['rows'], ops: [[4, 0, 0]], sinks: [[1, true]], cuts: [], seed: 9 });
});

test('programs outside the lane ops, other dtypes and cheap loops stay scalar', (t) => {
  const base = build({ rows: 3, cols: 5, modes: ['rows'], ops: [[0, 0, 0]], sinks: [[0, false]], cuts: [], seed: 1 }).req;
  t.true(buildFused(base).key.endsWith('|simd'));
  const withExp: FusedRequest = { ...base, program: { ...base.program, instrs: base.program.instrs.map((i) => (i.k === 'op' && i.op === 'sqrt' ? { ...i, op: 'exp' } : i)) } };
  t.false(buildFused(withExp).key.endsWith('|simd'));
  const cheap: FusedRequest = { ...base, program: { ...base.program, instrs: base.program.instrs.map((i) => (i.k === 'op' ? { ...i, op: 'add' as const, args: [0, 0] } : i)) } };
  t.false(buildFused(cheap).key.endsWith('|simd'));
  const maxFold: FusedRequest = { ...base, sinks: base.sinks.map((s) => ({ ...s, reduce: 'max' as const })) };
  t.false(buildFused(maxFold).key.endsWith('|simd'));
  // The output is also an operand: a later row could read what an earlier one wrote.
  t.false(buildFused({ ...base, alias: [0, 0] }).key.endsWith('|simd'));
});
