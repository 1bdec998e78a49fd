// Fused loops whose sinks are all row sums (N-body's net forces) as WebAssembly SIMD: two rows in
// the two lanes of an f64x2. Such a loop divides and takes square roots for every element, and a
// scalar JS loop is bound by the divider; f64x2 divides two at a time.
//
// Each lane runs exactly the scalar kernel's arithmetic for its row (IEEE add, sub, mul, div and
// sqrt round the same in both), and each row's sum is added up in the same order, so the result
// is bit for bit the JS kernel's: where a piece falls back to it, nothing changes. Operands are
// copied into the module's memory first (blocks live in their own SharedArrayBuffers, which a
// module cannot address): the path suits costly loops over operands broadcast along one axis, as
// N-body's (n, 1) and (1, n), whose copies are small. A piece falls back when its copies would
// span more than twice its elements, or need more than the thread's module memory holds.
import { Code, I32, moduleBytes, OP, SIMD, V128 } from './wasm-asm.js';
import type { Program } from './program.js';
import type { FusedRequest } from './fused.js';
import { invariants, programCost } from './codegen.js';

/** The ops a lane computes exactly as the JS kernel does (float64 in, float64 out). */
const LANE_OPS = new Set(['add', 'sub', 'mul', 'div', 'neg', 'abs', 'sqrt', 'square', 'cast', 'pow']);
/** Constant exponents `pow` is special-cased for in JS (ops.ts); others call cpow. */
const POW_EXPS = new Set([2, 0.5, -1, 1]);
/** Work per element below which the copy and the call cost more than SIMD saves. */
const MIN_COST = 8;
/** The most a thread's module memory grows to (64 MiB): pieces that need more run scalar. */
const MEMORY_PAGES = 1024;

// DISTNUMPY_NO_SIMD=1 keeps every loop scalar (as DISTNUMPY_NO_BLAS for BLAS): for comparisons.
const DISABLED = globalThis.process?.env?.DISTNUMPY_NO_SIMD === '1';

/** Whether a fused loop can run as row-pair SIMD: see the header. */
export function simdRows(req: FusedRequest): boolean {
  const { program, operands, frame, sinks } = req;
  if (DISABLED || typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object' || frame.length !== 2) return false;
  if (!sinks.every((s) => s.kind === 'reduceAxis' && (s.reduce === 'sum' || s.reduce === 'mean') && s.dtype === 'float64')) return false;
  if (!operands.every((o) => o.kind === 'data' && o.dtype === 'float64')) return false;
  const f64 = (n: number): boolean => program.instrs[n].dtype === 'float64';
  const ok = program.instrs.every((ins) => {
    if (ins.dtype !== 'float64') return false;
    if (ins.k === 'load' || ins.k === 'const') return true;
    if (ins.k !== 'op' || ins.ct !== 'float64' || !LANE_OPS.has(ins.op) || !ins.args.every(f64)) return false;
    return ins.op !== 'pow' || (ins.scalarExp !== undefined && POW_EXPS.has(ins.scalarExp));
  });
  if (!ok || programCost(program) < MIN_COST) return false;
  // A row's sum is written after its row is read: an output that is also an operand could be
  // read by a later row of the piece, which the copies made up front would not see.
  const outs = sinks.length;
  const alias = req.alias;
  return !alias || alias.slice(outs).every((a) => a >= outs);
}

/** Byte layout of the module's memory: parameters, constants, then the copied operands. */
interface Layout {
  /** i32 n1 at byte 0; operand j's (base, row stride, column stride) in bytes at opAt(j). */
  opAt: (j: number) => number;
  outAt: (k: number) => number;
  constAt: (i: number) => number;
  header: number;
}

/** Where operand parameters start, and their size: base, row stride, column stride (i32 each). */
const OP_BASE = 16;
const OP_SIZE = 12;

function layout(nops: number, nout: number, nconst: number): Layout {
  const opAt = (j: number): number => OP_BASE + OP_SIZE * j;
  const outAt = (k: number): number => opAt(nops) + 4 * k;
  const c0 = Math.ceil(outAt(nout) / 8) * 8;
  return { opAt, outAt, constAt: (i) => c0 + 8 * i, header: Math.ceil((c0 + 8 * nconst) / 16) * 16 };
}

/**
 * The module: k(pairs) computes `pairs` pairs of rows. Per operand j, lane 0 reads from its base
 * and lane 1 one row stride further; the base moves by two row strides per pair and by the column
 * stride along a row. Each sink's pair of sums is stored at its output address, 16 bytes a pair.
 */
function moduleFor(program: Program, nops: number, req: FusedRequest, L: Layout): Uint8Array {
  const outs = req.sinks.length;
  // Locals: 0 pairs (param), then i32s, then v128s.
  let next = 1;
  const n1 = next++;
  const pair = next++;
  const i = next++;
  const row = Array.from({ length: nops }, () => next++);
  const rs = Array.from({ length: nops }, () => next++);
  const cs = Array.from({ length: nops }, () => next++);
  const addr = Array.from({ length: nops }, () => next++);
  const out = Array.from({ length: outs }, () => next++);
  const i32s = next - 1;
  const val = program.instrs.map(() => next++);
  const acc = req.sinks.map(() => next++);
  const locals = [...new Array<number>(i32s).fill(I32), ...new Array<number>(next - 1 - i32s).fill(V128)];

  // Pointers count outputs first (codegen's convention): operand j is pointer outs + j.
  const hoisted = invariants(program, outs, (p) => (p < outs ? '0' : req.operands[p - outs].layout.strides[1] === 0 ? '0' : 'v'));
  const c = new Code();
  c.i32(0).mem(OP.i32Load, 2).set(n1);
  for (let j = 0; j < nops; j++) {
    c.i32(0).mem(OP.i32Load, 2, L.opAt(j)).set(row[j]);
    c.i32(0).mem(OP.i32Load, 2, L.opAt(j) + 4).set(rs[j]);
    c.i32(0).mem(OP.i32Load, 2, L.opAt(j) + 8).set(cs[j]);
  }
  for (let k = 0; k < outs; k++) c.i32(0).mem(OP.i32Load, 2, L.outAt(k)).set(out[k]);
  c.i32(0).set(pair);

  /** Instruction n's value into its local; loads read lane 0 at `at(j)`, lane 1 a row stride on. */
  const emit = (n: number, at: (j: number) => number): void => {
    const ins = program.instrs[n];
    if (ins.k === 'load') {
      const a = at(ins.operand);
      c.get(a).get(rs[ins.operand]).op(OP.i32Add);
      c.get(a).simdMem(SIMD.load64Zero, 3);
      c.loadLane(SIMD.load64Lane, 3, 1);
    } else if (ins.k === 'const') {
      c.i32(0).mem(OP.f64Load, 3, L.constAt(ins.index)).simd(SIMD.f64x2Splat);
    } else if (ins.k === 'op') {
      const [x, y] = ins.args.map((a) => val[a]);
      const binary = { add: SIMD.f64x2Add, sub: SIMD.f64x2Sub, mul: SIMD.f64x2Mul, div: SIMD.f64x2Div } as Record<string, number>;
      const unary = { neg: SIMD.f64x2Neg, abs: SIMD.f64x2Abs, sqrt: SIMD.f64x2Sqrt } as Record<string, number>;
      const op = ins.op === 'pow' ? ({ 2: 'square', 0.5: 'sqrt', [-1]: 'recip', 1: 'cast' } as Record<number, string>)[ins.scalarExp!] : ins.op;
      if (op in binary) c.get(x).get(y).simd(binary[op]);
      else if (op in unary) c.get(x).simd(unary[op]);
      else if (op === 'square') c.get(x).get(x).simd(SIMD.f64x2Mul);
      else if (op === 'recip') c.i32(1).op(OP.f64ConvertI32S).simd(SIMD.f64x2Splat).get(x).simd(SIMD.f64x2Div);
      else c.get(x); // cast to its own dtype, pow 1
    }
    c.set(val[n]);
  };

  c.open(OP.block).open(OP.loop);
  c.get(pair).get(0).op(OP.i32GeS).branch(OP.brIf, 1);
  program.instrs.forEach((_, n) => {
    if (hoisted(n)) emit(n, (j) => row[j]);
  });
  for (let k = 0; k < outs; k++) c.zero().set(acc[k]);
  for (let j = 0; j < nops; j++) c.get(row[j]).set(addr[j]);
  c.i32(0).set(i);
  c.open(OP.block).open(OP.loop);
  c.get(i).get(n1).op(OP.i32GeS).branch(OP.brIf, 1);
  program.instrs.forEach((_, n) => {
    if (!hoisted(n)) emit(n, (j) => addr[j]);
  });
  req.sinks.forEach((s, k) => c.get(acc[k]).get(val[s.value]).simd(SIMD.f64x2Add).set(acc[k]));
  for (let j = 0; j < nops; j++) c.get(addr[j]).get(cs[j]).op(OP.i32Add).set(addr[j]);
  c.get(i).i32(1).op(OP.i32Add).set(i);
  c.branch(OP.br, 0).op(OP.end).op(OP.end);
  req.sinks.forEach((s, k) => {
    c.get(out[k]).get(acc[k]);
    // mean: the sum over the row's length, as the JS kernel's final division.
    if (s.kind === 'reduceAxis' && s.reduce === 'mean') c.get(n1).op(OP.f64ConvertI32S).simd(SIMD.f64x2Splat).simd(SIMD.f64x2Div);
    c.simdMem(SIMD.v128Store, 3);
    c.get(out[k]).i32(16).op(OP.i32Add).set(out[k]);
  });
  for (let j = 0; j < nops; j++) c.get(row[j]).get(rs[j]).i32(1).op(OP.i32Shl).op(OP.i32Add).set(row[j]);
  c.get(pair).i32(1).op(OP.i32Add).set(pair);
  c.branch(OP.br, 0).op(OP.end).op(OP.end);
  return moduleBytes([I32], locals, c, 1);
}

/**
 * The source of a kernel (the same contract as the JS one: (arrs, m, c, start, end)) that runs a
 * piece's rows through the module, and through `jsSource` (the scalar kernel) where the module
 * cannot take them: rows or row length 0, operands whose copy would be large next to the work,
 * or more than 1 GiB of memory.
 */
export function simdRowsSource(req: FusedRequest, jsSource: string, name: string): string {
  const nops = req.operands.length;
  const outs = req.sinks.length;
  const L = layout(nops, outs, req.program.consts.length);
  const bytes = Array.from(moduleFor(req.program, nops, req, L));
  return `// ${name}: pairs of rows in f64x2 lanes (wasm-rows.ts); the scalar kernel where it cannot
const js = (function () {
${jsSource}
})();
let run = null, mem = null, f64 = null, i32 = null;
try {
  // One memory for every such kernel of this thread (a thread runs one kernel at a time), grown
  // to the largest piece's need up to ${MEMORY_PAGES} pages of 64 KiB, and kept.
  mem = globalThis.__distnumpyRowsMemory ??= new WebAssembly.Memory({ initial: 1, maximum: ${MEMORY_PAGES} });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([${bytes.join(',')}])), { env: { m: mem } });
  run = inst.exports.k;
} catch {
  // No WebAssembly SIMD here: every piece runs the scalar kernel.
}
const NOPS = ${nops}, NOUT = ${outs}, HEADER = ${L.header};
// Per operand: the piece's first element, the lowest and highest it reads, where its copy is.
const first = new Float64Array(NOPS), lo = new Float64Array(NOPS), hi = new Float64Array(NOPS);
const at = new Float64Array(NOPS), outAt = new Float64Array(NOUT);
// Operands the same for every row (N-body's (1, n) ones) are copied first, by the first piece a
// thread runs of a kernel (\`fresh\`: claimPieces says so) and kept for its later pieces; the
// others after them, per piece. \`kept\`: where the kept copies end (0: none are kept).
let kept = 0;
// Pieces run through the module (tests check that the path is taken).
const k = function ${name}(arrs, m, c, start, end, fresh) {
  if (fresh !== false) kept = 0;
  const rows = end - start, n1 = m[1];
  if (run === null || rows < 1 || n1 < 1) return js(arrs, m, c, start, end);
  let total = 0;
  for (let j = 0; j < NOPS; j++) {
    const q = 2 + 3 * (NOUT + j), o = m[q], s0 = m[q + 1], s1 = m[q + 2];
    const a = o + start * s0, z = o + (end - 1) * s0, e = (n1 - 1) * s1;
    first[j] = a;
    lo[j] = Math.min(a, z) + Math.min(0, e);
    hi[j] = Math.max(a, z) + Math.max(0, e);
    total += hi[j] - lo[j] + 1;
  }
  const need = HEADER + 8 * total + 16 * NOPS + NOUT * (8 * rows + 32);
  if (total > 2 * rows * n1 + 16384 || need > ${MEMORY_PAGES * 65536}) return js(arrs, m, c, start, end);
  if (need > mem.buffer.byteLength) {
    try {
      mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    } catch {
      return js(arrs, m, c, start, end);
    }
  }
  // Views of the memory's current buffer (another kernel may have grown it since).
  if (f64 === null || f64.buffer !== mem.buffer) {
    f64 = new Float64Array(mem.buffer);
    i32 = new Int32Array(mem.buffer);
  }
  i32[0] = n1;
  if (kept === 0) kept = place(arrs, m, HEADER, true);
  let free = place(arrs, m, kept, false);
  for (let k = 0; k < NOUT; k++) {
    outAt[k] = free;
    i32[${L.outAt(0) / 4} + k] = free;
    free += Math.ceil(rows / 2) * 16 + 16;
  }
  for (let i = 0; i < c.length; i++) f64[${L.constAt(0) / 8} + i] = c[i];
  run(rows >> 1);
  if (rows & 1) {
    // The last row alone: both lanes read it (row stride 0); lane 0's sums are kept.
    for (let j = 0; j < NOPS; j++) {
      const q = 2 + 3 * (NOUT + j), p = ${OP_BASE / 4} + ${OP_SIZE / 4} * j;
      if (m[q + 1] === 0) continue; // the same for every row already
      i32[p] = at[j] + (m[q] + (end - 1) * m[q + 1] - lo[j]) * 8;
      i32[p + 1] = 0;
    }
    for (let k = 0; k < NOUT; k++) i32[${L.outAt(0) / 4} + k] = outAt[k] + (rows - 1) * 8;
    run(1);
  }
  for (let k = 0; k < NOUT; k++) {
    const out = arrs[k], q = 2 + 3 * k, o = m[q], s0 = m[q + 1], from = outAt[k] / 8;
    if (s0 === 1) out.set(f64.subarray(from, from + rows), o + start);
    else for (let r = 0; r < rows; r++) out[o + (start + r) * s0] = f64[from + r];
  }
  k.simdPieces++;
  return [];
};
/** Copy the operands that are (\`same\`) or are not the same for every row from \`free\` on; returns where they end. */
function place(arrs, m, free, same) {
  for (let j = 0; j < NOPS; j++) {
    const q = 2 + 3 * (NOUT + j), p = ${OP_BASE / 4} + ${OP_SIZE / 4} * j;
    if ((m[q + 1] === 0) !== same) continue;
    f64.set(arrs[NOUT + j].subarray(lo[j], hi[j] + 1), free / 8);
    at[j] = free;
    i32[p] = free + (first[j] - lo[j]) * 8;
    i32[p + 1] = m[q + 1] * 8;
    i32[p + 2] = m[q + 2] * 8;
    free += Math.ceil((hi[j] - lo[j] + 1) / 2) * 16;
  }
  return free;
}
k.simdPieces = 0;
return k;`;
}
