// Generates one named JS loop for a fused program: dispatch on the shape of the work (collapsed
// rank, which innermost strides are 0 or 1), then emit nested loops that step offsets
// (p += s) and never rebuild an index per element. The source is cached by its key.
import type { DType } from './dtypes.js';
import { RNG_GROUP } from './helpers.js';
import { castCode, floatToIntCode, opCode } from './ops.js';
import type { IntAccumulator } from './partials.js';
import type { Operand, Program, ReduceOp } from './program.js';
import { programSignature } from './program.js';
import { collapse } from './shape.js';
import type { Layout } from './view.js';

export type KernelKind = 'map' | 'reduceAll' | 'reduceAxis';

export interface KernelRequest {
  kind: KernelKind;
  program: Program;
  operands: Operand[];
  /** Iteration shape: the output's for map, the input's for reductions. */
  shape: readonly number[];
  /** map: layout over `shape`; reduceAxis: layout over `shape` without `axis`. */
  out?: { dtype: DType; layout: Layout };
  axis?: number;
  reduce?: ReduceOp;
  /**
   * Per pointer (the output first, unless reduceAll; then the operands), the first pointer whose
   * array is the same block (aliases(), below). A loop that reads one array through one name is
   * faster in V8 than one that reads it through several (a stencil's five neighbours: 17 -> 13 ms).
   */
  alias?: number[];
}

/** A generated loop as it is run and shipped: plain kernels and fused ones (fused.ts) alike. */
export interface LoopCode {
  key: string;
  source: string;
  /** Dimensions, then per pointer offset and strides (and the reduced axis' length and strides). */
  meta: number[];
  consts: number[];
  /** Extent of the outermost loop: threads split [0, split). */
  split: number;
  /** Elements per unit of `split`, times the program's cost: how much work one unit is. */
  unitCost: number;
  /** Rank of the loop nest and pointer count: how to read `meta`. */
  nd: number;
  np: number;
}

export interface Kernel extends LoopCode {
  kind: KernelKind;
  reduce?: ReduceOp;
  /**
   * An integer sum or product (held in a double), with NumPy's accumulator: combining pieces must
   * not make a -0, and products combine modulo 2^64 (partials.ts).
   */
  integerResult: IntAccumulator;
  /** Which operands carry arrays, in the order the kernel expects them after the output. */
  dataOperands: number[];
  /** Cost of one element of the program, in simple-op units (transcendentals count 8). */
  elemCost: number;
  /** When the kernel is a matrix-vector product (gemvPlan), how BLAS can run it instead. */
  gemv?: GemvPlan;
  // nd, np: the collapsed rank and pointer count (the output is pointer 0 unless reduceAll).
}

/**
 * sum(A * x, axis=-1) for a float64 matrix A with unit steps along its rows and a vector x
 * broadcast over them: y[i] = dot(A[i, :], x), a BLAS gemv. Positions are in the kernel's arrays
 * (the output first); offsets and steps in elements, for row 0 of the kernel's split.
 */
export interface GemvPlan {
  a: number;
  x: number;
  n: number;
  offA: number;
  lda: number;
  offX: number;
  incX: number;
  offY: number;
  incY: number;
}

// Below this many elements the generated loop is as fast and keeps NumPy-like summation blocks.
const GEMV_MIN_N = 64;
const GEMV_MIN_SIZE = 1 << 14;

/**
 * The gemv plan of a reduceAxis sum over collapsed rows (nd 1), if its program is load, load,
 * float64 multiply, of a matrix and a vector as GemvPlan says. BLAS reads the rows with SIMD
 * (1.2 ms for 2000 x 2000 on one core, against 3.7 ms for the generated loop: Jacobi's row sums).
 */
function gemvPlan(req: KernelRequest, rows: number, rowSteps: number[][], axisLen: number, axisSteps: number[], offsets: number[]): GemvPlan | undefined {
  const { program, operands } = req;
  const [p, q, m] = program.instrs;
  if (req.reduce !== 'sum' || program.instrs.length !== 3 || program.result !== 2) return undefined;
  if (p.k !== 'load' || q.k !== 'load' || m.k !== 'op' || m.op !== 'mul' || m.args[0] !== 0 || m.args[1] !== 1) return undefined;
  if (![p.dtype, q.dtype, m.dtype, m.ct, req.out!.dtype].every((d) => d === 'float64')) return undefined;
  if (p.operand === q.operand || operands.some((o) => o.kind !== 'data')) return undefined;
  if (axisLen < GEMV_MIN_N || rows * axisLen < GEMV_MIN_SIZE) return undefined;
  const arrayOf = (operand: number) => 1 + operands.slice(0, operand).filter((o) => o.kind === 'data').length;
  // Pointer 0 is the output, pointer 1 + i operand i.
  const isMatrix = (i: number) => axisSteps[i] === 1 && rowSteps[1 + i][0] >= axisLen;
  const isVector = (i: number) => rowSteps[1 + i][0] === 0 && axisSteps[i] > 0;
  const [a, x] = isMatrix(p.operand) && isVector(q.operand) ? [p.operand, q.operand] : isMatrix(q.operand) && isVector(p.operand) ? [q.operand, p.operand] : [-1, -1];
  if (a < 0 || rowSteps[0][0] <= 0) return undefined;
  return {
    a: arrayOf(a),
    x: arrayOf(x),
    n: axisLen,
    offA: offsets[1 + a],
    lda: rowSteps[1 + a][0],
    offX: offsets[1 + x],
    incX: axisSteps[x],
    offY: offsets[0],
    incY: rowSteps[0][0],
  };
}

const CHUNK = 1024; // summation block: bounds rounding error growth like NumPy's pairwise sum

export function buildKernel(req: KernelRequest): Kernel {
  const { kind, program, operands } = req;
  const hasOut = kind !== 'reduceAll';
  let iterShape: number[];
  let perOperand: number[][];
  let axisLen = 0;
  let axisStrides: number[] = [];
  if (kind === 'reduceAxis') {
    const ax = req.axis!;
    iterShape = req.shape.filter((_, i) => i !== ax);
    perOperand = operands.map((o) => o.layout.strides.filter((_, i) => i !== ax));
    axisLen = req.shape[ax];
    axisStrides = operands.map((o) => o.layout.strides[ax]);
  } else {
    iterShape = [...req.shape];
    perOperand = operands.map((o) => [...o.layout.strides]);
  }
  const allStrides = hasOut ? [[...req.out!.layout.strides], ...perOperand] : perOperand;
  const offsets = (hasOut ? [req.out!.layout.offset] : []).concat(operands.map((o) => o.layout.offset));
  const col = collapse(iterShape, allStrides);
  if (col.shape.length === 0) {
    col.shape.push(1);
    col.strides.forEach((s) => s.push(0));
  }
  const nd = col.shape.length;
  const np = allStrides.length;
  const meta: number[] = [...col.shape];
  for (let j = 0; j < np; j++) meta.push(offsets[j], ...col.strides[j]);
  if (kind === 'reduceAxis') meta.push(axisLen, ...axisStrides);

  // Innermost strides of 0 and 1 are written into the code: the loop V8 sees is then the tight one.
  const innerClass = col.strides.map((s) => (s[nd - 1] === 0 ? '0' : s[nd - 1] === 1 ? '1' : 'v'));
  const axisClass = axisStrides.map((s) => (s === 0 ? '0' : s === 1 ? '1' : 'v'));
  const sig = programSignature(program, operands);
  const key = `${kind}|${req.reduce ?? ''}|${hasOut ? req.out!.dtype : ''}|${nd}|${innerClass.join('')}|${axisClass.join('')}|${sig}${aliasKey(req.alias)}`;
  // Dispatch: one flat run of unit (or zero) strides gets the tight single-index loop.
  const flat = nd === 1 && kind !== 'reduceAxis' && innerClass.every((c) => c !== 'v') && (hasOut ? innerClass[0] === '1' : true);
  const source = sourceFor(key, () => (flat ? emitFlat(kind, req, innerClass, key) : useAliases(emit(kind, req, nd, np, innerClass, axisClass, key), req.alias)));
  const dataOperands = operands.map((o, i) => (o.kind === 'data' ? i : -1)).filter((i) => i >= 0);
  let inner = 1;
  for (let d = 1; d < nd; d++) inner *= col.shape[d];
  if (kind === 'reduceAxis') inner *= axisLen;
  return {
    kind,
    reduce: req.reduce,
    integerResult: intAccumulator(req),
    key,
    source,
    meta,
    consts: program.consts,
    split: col.shape[0],
    elemCost: programCost(program),
    nd,
    np,
    unitCost: inner * programCost(program),
    dataOperands,
    gemv: kind === 'reduceAxis' && nd === 1 ? gemvPlan(req, col.shape[0], col.strides, axisLen, axisStrides, offsets) : undefined,
  };
}

// Generated sources by key: a loop records the same steps every iteration, and generating the
// source again each time cost about 1 ms a step (N-body). Bounded, least recently used first out.
const sources = new Map<string, string>();
const SOURCES = 1024;

/** The source for `key`, generated by `make` only the first time (the key determines it). */
export function sourceFor(key: string, make: () => string): string {
  let src = sources.get(key);
  if (src !== undefined) {
    sources.delete(key);
  } else {
    src = make();
    if (sources.size >= SOURCES) sources.delete(sources.keys().next().value as string);
  }
  sources.set(key, src);
  return src;
}

/** For each array (null: none), the index of the first one that is the same object. */
export function aliases(arrays: readonly (object | null)[]): number[] {
  return arrays.map((b, j) => (b === null ? j : arrays.indexOf(b)));
}

/** The cache key's part for `alias`: empty when every pointer has its own array. */
export function aliasKey(alias: readonly number[] | undefined): string {
  return alias && alias.some((a, j) => a !== j) ? `|alias${alias.join(',')}` : '';
}

/** Generated source with every element access A{j}[...] made through the array's first name. */
export function useAliases(source: string, alias: readonly number[] | undefined): string {
  if (!alias || alias.every((a, j) => a === j)) return source;
  return source.replace(/\bA(\d+)\[/g, (m, j: string) => `A${alias[Number(j)] ?? j}[`);
}

export function programCost(p: Program): number {
  let c = 1;
  for (const i of p.instrs) c += i.k === 'random' ? 40 : i.k === 'op' ? (/sqrt|exp|log|sin|cos|tan|atan|pow/.test(i.op) ? 8 : 1) : 0;
  return c;
}

/** Kernel names are readable in profiles: k_map_3d_add_mul etc. */
function kernelName(kind: KernelKind, reduce: ReduceOp | undefined, nd: number, program: Program): string {
  const ops = program.instrs.filter((i) => i.k === 'op').map((i) => (i as { op: string }).op);
  const tail = ops.slice(0, 6).join('_') || 'copy';
  return `k_${kind}${reduce ? '_' + reduce : ''}_${nd}d_${tail}`.replace(/[^A-Za-z0-9_]/g, '_');
}

function emit(
  kind: KernelKind,
  req: KernelRequest,
  nd: number,
  np: number,
  innerClass: string[],
  axisClass: string[],
  key: string,
): string {
  const { program, operands } = req;
  const hasOut = kind !== 'reduceAll';
  const opBase = hasOut ? 1 : 0; // pointer index of operand 0
  const L: string[] = [];
  L.push(`// ${key}`);
  L.push(`// shape of the code: for i0 in [start,end) ... for i${nd - 1}: ${describe(kind, req.reduce)}`);
  L.push(`return function ${kernelName(kind, req.reduce, nd, program)}(arrs, m, c, start, end) {`);
  L.push(...locals(program, operands, opBase, nd, np));
  if (kind === 'reduceAxis') {
    const mi = nd + np * (1 + nd);
    L.push(`  const nk = m[${mi}];`);
    operands.forEach((_, i) => L.push(`  const r${i + opBase}s = m[${mi + 1 + i}];`));
  }

  const ptrs = Array.from({ length: np }, (_, j) => j);
  const stride = (j: number, d: number): string =>
    d === nd - 1 && innerClass[j] !== 'v' ? innerClass[j] : `s${j}_${d}`;
  const bump = (d: number, indent: string): string[] =>
    ptrs.filter((j) => stride(j, d) !== '0').map((j) => `${indent}p${j}_${d} += ${stride(j, d)};`);

  // reduction state
  const red = req.reduce;
  const arg = red === 'argmin' || red === 'argmax';
  const ip = intProd(req);
  const sum = red === 'sum' || red === 'mean';
  if (kind === 'reduceAll') {
    L.push(`  let acc = ${identity(red!)}, ai = -1;${ip ? INT_PROD_STATE : ''}`);
    if (arg) {
      let inner = '1';
      for (let d = 1; d < nd; d++) inner += ` * n${d}`;
      L.push(`  let ix = start * ${inner};`);
    }
  }
  // The innermost loop of a map or whole-array reduction steps one shared index when every
  // pointer moves by 0 or 1 along it (the common case): one induction variable instead of one per
  // array, and what does not move is read once per row.
  const shared = kind !== 'reduceAxis' && nd >= 2 && innerClass.every((c) => c !== 'v');
  const loops = shared ? nd - 1 : nd;
  for (const j of ptrs) L.push(`  let p${j}_0 = o${j} + start * s${j}_0;`);
  const open: string[] = [];
  for (let d = 0; d < loops; d++) {
    const ind = '  '.repeat(d + 1);
    if (d > 0) for (const j of ptrs) L.push(`${ind}let p${j}_${d} = p${j}_${d - 1};`);
    const chunked = kind === 'reduceAll' && sum && d === nd - 1;
    if (chunked) {
      const n = d === 0 ? 'end' : `n${d}`;
      L.push(`${ind}for (let i${d} = ${d === 0 ? 'start' : '0'}; i${d} < ${n};) {`);
      L.push(`${ind}  const e${d} = Math.min(${n}, i${d} + ${CHUNK}); let part = 0;`);
      L.push(`${ind}  for (; i${d} < e${d}; i${d}++) {`);
      open.push('chunk');
    } else {
      L.push(`${ind}for (let i${d} = ${d === 0 ? 'start' : '0'}; i${d} < ${d === 0 ? 'end' : `n${d}`}; i${d}++) {`);
      open.push('plain');
    }
  }
  const bodyInd = '  '.repeat(loops + (open[loops - 1] === 'chunk' ? 2 : 1));
  const at = (j: number): string => `p${j}_${nd - 1}`;
  if (shared) {
    // Bases of this row; the loop below runs i over the innermost dimension.
    const d = nd - 1;
    for (const j of ptrs) L.push(`${bodyInd}const b${j} = p${j}_${d - 1};`);
    const cls = (j: number): string => innerClass[j];
    const loop: HotLoop = { ind: bodyInd, n: `n${d}`, i: `i${d}`, cls, base: (j) => `b${j}` };
    if (kind === 'map') {
      L.push(...hotLoop(program, opBase, loop, (v, i) => [`A0[${i(0)}] = ${storeCast(v, program, req.out!.dtype)};`]));
    } else if (sum) {
      L.push(...sumLoop(program, opBase, loop, 'acc'));
    } else {
      const upd = (v: string): string[] => [...(ip ? intProdUpdate(v, ip) : update(red!, v, 'ix')), ...(arg ? ['ix++;'] : [])];
      L.push(...hotLoop(program, opBase, loop, upd));
    }
  } else if (kind === 'map') {
    const { lines, value } = body(program, operands, opBase, at);
    lines.forEach((l) => L.push(bodyInd + l));
    L.push(`${bodyInd}A0[${at(0)}] = ${storeCast(value, program, req.out!.dtype)};`);
  } else if (kind === 'reduceAll') {
    const { lines, value } = body(program, operands, opBase, at);
    lines.forEach((l) => L.push(bodyInd + l));
    if (sum) L.push(`${bodyInd}part += ${value};`);
    else L.push(...(ip ? intProdUpdate(value, ip) : update(red!, value, 'ix')).map((l) => bodyInd + l));
    if (arg) L.push(`${bodyInd}ix++;`);
  } else if (axisClass.every((c) => c !== 'v')) {
    // reduceAxis along an axis every operand steps by 0 or 1: one shared index k, what does not
    // move along the axis read once per output element, and sums in four accumulators.
    for (let i = 0; i < operands.length; i++) L.push(`${bodyInd}const q${i + opBase} = ${at(i + opBase)};`);
    L.push(`${bodyInd}let acc = ${identity(red!)}, ai = -1;${ip ? INT_PROD_STATE : ''}`);
    const loop: HotLoop = { ind: bodyInd, n: 'nk', i: 'k', cls: (j) => axisClass[j - opBase], base: (j) => `q${j}` };
    if (sum) L.push(...sumLoop(program, opBase, loop, 'acc'));
    else L.push(...hotLoop(program, opBase, loop, (v) => (ip ? intProdUpdate(v, ip) : update(red!, v, 'k'))));
    const fin = ip ? intProdValue(ip) : finalValue(red!, 'nk') + negZeroFix(req);
    L.push(`${bodyInd}A0[${at(0)}] = ${storeCast(fin, null, req.out!.dtype)};`);
  } else {
    // reduceAxis: an inner loop along the reduced axis for each output element
    for (let i = 0; i < operands.length; i++) L.push(`${bodyInd}let r${i + opBase} = ${at(i + opBase)};`);
    L.push(`${bodyInd}let acc = ${identity(red!)}, ai = -1;${ip ? INT_PROD_STATE : ''}`);
    if (sum) {
      L.push(`${bodyInd}for (let k = 0; k < nk;) {`);
      L.push(`${bodyInd}  const ek = Math.min(nk, k + ${CHUNK}); let part = 0;`);
      L.push(`${bodyInd}  for (; k < ek; k++) {`);
    } else {
      L.push(`${bodyInd}for (let k = 0; k < nk; k++) {`);
    }
    const kInd = bodyInd + (sum ? '    ' : '  ');
    const { lines, value } = body(program, operands, opBase, (j) => `r${j}`);
    lines.forEach((l) => L.push(kInd + l));
    if (sum) L.push(`${kInd}part += ${value};`);
    else L.push(...(ip ? intProdUpdate(value, ip) : update(red!, value, 'k')).map((l) => kInd + l));
    operands.forEach((_, i) => {
      const cls = axisClass[i];
      if (cls !== '0') L.push(`${kInd}r${i + opBase} += ${cls === '1' ? '1' : `r${i + opBase}s`};`);
    });
    if (sum) {
      L.push(`${bodyInd}  }`);
      L.push(`${bodyInd}  acc += part;`);
    }
    L.push(`${bodyInd}}`);
    const fin = ip ? intProdValue(ip) : finalValue(red!, 'nk') + negZeroFix(req);
    L.push(`${bodyInd}A0[${at(0)}] = ${storeCast(fin, null, req.out!.dtype)};`);
  }
  for (let d = loops - 1; d >= 0; d--) {
    const ind = '  '.repeat(d + 1);
    if (open[d] === 'chunk') {
      L.push(...bump(d, ind + '    '));
      L.push(`${ind}  }`);
      L.push(`${ind}  acc += part;`);
      L.push(`${ind}}`);
    } else {
      L.push(...bump(d, ind + '  '));
      L.push(`${ind}}`);
    }
  }
  if (kind === 'reduceAll') L.push(ip ? `  return ${intProdPartial(ip)};` : `  return ${partialOf(red!)};`);
  L.push('};');
  return L.join('\n');
}

/**
 * A nested-loop kernel's locals: its arrays A{j} (the `outs` outputs first, then the data
 * operands), the dimensions n{d} but the first, each pointer's offset o{j} and strides s{j}_{d}
 * (read from the meta), the constants c{i} and the random generators' state.
 */
export function locals(program: Program, operands: readonly Operand[], outs: number, nd: number, np: number): string[] {
  const L: string[] = [];
  let a = 0;
  for (let j = 0; j < outs; j++) L.push(`  const A${j} = arrs[${a++}];`);
  operands.forEach((o, i) => {
    if (o.kind === 'data') L.push(`  const A${i + outs} = arrs[${a++}];`);
  });
  for (let d = 1; d < nd; d++) L.push(`  const n${d} = m[${d}];`);
  for (let j = 0; j < np; j++) {
    const at = nd + j * (1 + nd);
    L.push(`  const o${j} = m[${at}];`);
    for (let d = 0; d < nd; d++) L.push(`  const s${j}_${d} = m[${at + 1 + d}];`);
  }
  program.consts.forEach((_, i) => L.push(`  const c${i} = c[${i}];`));
  L.push(...rngLocals(program));
  return L;
}

/** A loop over one dimension in which every pointer moves by 0 or 1 (its class) from its base. */
interface HotLoop {
  ind: string;
  /** Trip count and index variable. */
  n: string;
  i: string;
  cls: (pointer: number) => string;
  base: (pointer: number) => string;
}

/** The element at index `i` of pointer j: its base, plus i where it moves. */
function hotPtr(h: HotLoop, i: string): (j: number) => string {
  return (j) => (h.cls(j) === '0' ? h.base(j) : `${h.base(j)} + ${i}`);
}

/**
 * Whether instruction n has the same value at every step of a loop in which pointer j moves by
 * cls(j) ('0': not at all): such instructions are hoisted above it.
 */
export function invariants(program: Program, opBase: number, cls: (pointer: number) => string): (n: number) => boolean {
  const inv: boolean[] = [];
  program.instrs.forEach((ins, n) => {
    if (ins.k === 'const') inv[n] = true;
    else if (ins.k === 'load' || ins.k === 'index') inv[n] = cls(ins.operand + opBase) === '0';
    else if (ins.k === 'op') inv[n] = ins.args.every((x) => inv[x]);
    else inv[n] = false;
  });
  return (n) => inv[n];
}

/** `for i in [0, n)`: the invariant part once, then the program and `use(value, ptr)` per step. */
function hotLoop(program: Program, opBase: number, h: HotLoop, use: (v: string, ptr: (j: number) => string) => string[]): string[] {
  const ptr = hotPtr(h, h.i);
  const { pre, lines, value } = body(program, [], opBase, ptr, undefined, invariants(program, opBase, h.cls));
  return [
    ...pre.map((l) => h.ind + l),
    `${h.ind}for (let ${h.i} = 0; ${h.i} < ${h.n}; ${h.i}++) {`,
    ...[...lines, ...use(value, ptr)].map((l) => `${h.ind}  ${l}`),
    `${h.ind}}`,
  ];
}

/**
 * A sum over i in [0, n) added to `acc`: blocks of CHUNK, each summed in four accumulators
 * (steps i, i+1, i+2, i+3), so the loop is not bound by the latency of one chain of additions.
 */
function sumLoop(program: Program, opBase: number, h: HotLoop, acc: string): string[] {
  const inv = invariants(program, opBase, h.cls);
  const { i, ind } = h;
  const copy = (at: string, into: string): string[] => {
    const { lines, value } = body(program, [], opBase, hotPtr(h, at), undefined, inv);
    return ['{', ...lines.map((l) => '  ' + l), `  ${into} += ${value};`, '}'];
  };
  const { pre } = body(program, [], opBase, hotPtr(h, i), undefined, inv);
  return [
    ...pre.map((l) => ind + l),
    `${ind}for (let ${i} = 0; ${i} < ${h.n};) {`,
    `${ind}  const e = Math.min(${h.n}, ${i} + ${CHUNK});`,
    `${ind}  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;`,
    `${ind}  for (; ${i} + 3 < e; ${i} += 4) {`,
    ...[0, 1, 2, 3].flatMap((u) => copy(u === 0 ? i : `(${i} + ${u})`, `s${u}`)).map((l) => `${ind}    ${l}`),
    `${ind}  }`,
    `${ind}  for (; ${i} < e; ${i}++) {`,
    ...copy(i, 's0').map((l) => `${ind}    ${l}`),
    `${ind}  }`,
    `${ind}  ${acc} += (s0 + s1) + (s2 + s3);`,
    `${ind}}`,
  ];
}

/**
 * The flat case (everything contiguous or broadcast scalars after collapsing): subarrays at the
 * piece's start and one index, which V8 compiles to the tightest loop; sums keep four
 * accumulators so the loop is not bound by the latency of one chain of additions.
 */
function emitFlat(kind: KernelKind, req: KernelRequest, innerClass: string[], key: string): string {
  const { program, operands } = req;
  const hasOut = kind === 'map';
  const opBase = hasOut ? 1 : 0;
  const red = req.reduce;
  const L: string[] = [];
  L.push(`// ${key}`);
  L.push(`// shape of the code: for i in [0, end-start): ${describe(kind, red)} on B[i]`);
  L.push(`return function ${kernelName(kind, red, 1, program)}_flat(arrs, m, c, start, end) {`);
  L.push('  const n = end - start;');
  let a = 0;
  const np = (hasOut ? 1 : 0) + operands.length;
  for (let j = 0; j < np; j++) {
    const o = `m[${1 + 2 * j}]`;
    const isData = j < opBase || operands[j - opBase].kind === 'data';
    if (isData) {
      const arr = `arrs[${a++}]`;
      if (innerClass[j] === '1') L.push(`  const B${j} = ${arr}.subarray(${o} + start, ${o} + end);`);
      else L.push(`  const S${j} = ${arr}[${o}];`); // a broadcast scalar: one load
    } else {
      L.push(`  const q${j} = ${o} + start * m[${2 + 2 * j}];`);
    }
  }
  program.consts.forEach((_, i) => L.push(`  const c${i} = c[${i}];`));
  L.push(...rngLocals(program));
  const emitBody = (i: string) =>
    body(
      program,
      operands,
      opBase,
      (j) => (innerClass[j] === '0' ? `q${j}` : `(q${j} + ${i})`),
      (j) => (innerClass[j] === '1' ? `B${j}[${i}]` : `S${j}`),
    );
  const arg = red === 'argmin' || red === 'argmax';
  if (kind === 'map') {
    const { lines, value } = emitBody('i');
    L.push('  for (let i = 0; i < n; i++) {');
    lines.forEach((l) => L.push('    ' + l));
    L.push(`    B0[i] = ${storeCast(value, program, req.out!.dtype)};`);
    L.push('  }');
  } else if (red === 'sum' || red === 'mean') {
    L.push('  let acc = 0;');
    L.push(`  for (let i0 = 0; i0 < n;) {`);
    L.push(`    const e0 = Math.min(n, i0 + ${CHUNK});`);
    L.push('    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;');
    L.push('    for (; i0 + 3 < e0; i0 += 4) {');
    for (let u = 0; u < 4; u++) {
      const { lines, value } = emitBody(u === 0 ? 'i0' : `(i0 + ${u})`);
      L.push('      {');
      lines.forEach((l) => L.push('        ' + l));
      L.push(`        s${u} += ${value};`);
      L.push('      }');
    }
    L.push('    }');
    L.push('    for (; i0 < e0; i0++) {');
    const { lines, value } = emitBody('i0');
    lines.forEach((l) => L.push('      ' + l));
    L.push(`      s0 += ${value};`);
    L.push('    }');
    L.push('    acc += (s0 + s1) + (s2 + s3);');
    L.push('  }');
    L.push('  return acc;'); // see partialOf
  } else {
    const ip = intProd(req);
    L.push(`  let acc = ${identity(red!)}, ai = -1;${ip ? INT_PROD_STATE : ''}`);
    const { lines, value } = emitBody('i');
    L.push('  for (let i = 0; i < n; i++) {');
    lines.forEach((l) => L.push('    ' + l));
    L.push(...(ip ? intProdUpdate(value, ip) : update(red!, value, 'start + i')).map((l) => '    ' + l));
    L.push('  }');
    L.push(ip ? `  return ${intProdPartial(ip)};` : `  return ${partialOf(red!)};`);
  }
  void arg;
  L.push('};');
  return L.join('\n');
}

function describe(kind: KernelKind, red?: ReduceOp): string {
  if (kind === 'map') return 'out[p] = f(in[p]...)';
  if (kind === 'reduceAll') return `acc = ${red}(acc, f(in[p]...)); return partial`;
  return `out[p] = ${red} over k of f(in[p + k*s]...)`;
}

/** Straight-line statements computing one element; loads read A{j}[ptr(j)]. */
export function body(
  program: Program,
  operands: Operand[],
  opBase: number,
  ptr: (j: number) => string,
  load: (j: number) => string = (j) => `A${j}[${ptr(j)}]`,
  hoisted: (n: number) => boolean = () => false,
): { pre: string[]; lines: string[]; value: string } {
  const lines: string[] = [];
  const pre: string[] = [];
  const dt = (i: number): DType => program.instrs[i].dtype;
  program.instrs.forEach((ins, n) => {
    let e: string;
    switch (ins.k) {
      case 'load':
        e = load(ins.operand + opBase);
        break;
      case 'const':
        e = `c${ins.index}`;
        break;
      case 'index':
        e = ptr(ins.operand + opBase);
        break;
      case 'random': {
        lines.push(...rngSeek(n, ins.dist === 'uniform' ? 2 : 4, ptr(ins.operand + opBase), ins.seed));
        const u = (a: string, b: string): string => `((${a} >>> 5) * 67108864 + (${b} >>> 6)) * 1.1102230246251565e-16`;
        const v =
          ins.dist === 'uniform'
            ? u(`g${n}a`, `g${n}b`)
            : `Math.sqrt(-2 * Math.log(1 - ${u(`g${n}a`, `g${n}b`)})) * Math.cos(6.283185307179586 * ${u(`g${n}c`, `g${n}d`)})`;
        e = ins.dtype === 'float32' ? `Math.fround(${v})` : v;
        break;
      }
      case 'op': {
        const args = ins.args.map((x) => castCode(`v${x}`, dt(x), ins.ct));
        e = opCode(ins.op, ins.ct, args, ins.scalarExp);
        if (ins.op === 'cast') e = castCode(`v${ins.args[0]}`, dt(ins.args[0]), ins.dtype);
        break;
      }
    }
    (hoisted(n) ? pre : lines).push(`const v${n} = ${e};`);
  });
  void operands;
  return { pre, lines, value: `v${program.result}` };
}

/**
 * Inline generator for random instruction n: the same numbers as helpers.randUniform/randNormal
 * (Philox-seeded xoshiro128** per group of RNG_GROUP elements), with the state in locals so two
 * random arrays read in one loop do not disturb each other.
 */
function rngSeek(n: number, per: number, idx: string, seed: number): string[] {
  const g = `g${n}`;
  const steps = ['a', 'b', 'c', 'd'].slice(0, per).map(
    (w) =>
      `{ const t1 = Math.imul(${g}1, 5); ${g}${w} = Math.imul((t1 << 7) | (t1 >>> 25), 9); const t = ${g}1 << 9; ` +
      `${g}2 ^= ${g}0; ${g}3 ^= ${g}1; ${g}1 ^= ${g}2; ${g}0 ^= ${g}3; ${g}2 ^= t; ${g}3 = (${g}3 << 11) | (${g}3 >>> 21); }`,
  );
  // The common case, the next element of the same group, is one test and a countdown; the
  // general seek (reseed at a group's start or when going back, then step forward) is apart.
  return [
    `if (${idx} === ${g}cur + 1 && ${g}left > 0) {`,
    `  ${g}left--; ${g}cur++;`,
    ...steps.map((l) => '  ' + l),
    `} else if (${idx} !== ${g}cur) {`,
    `  const grp = Math.floor(${idx} / ${RNG_GROUP});`,
    `  if (${idx} < ${g}cur || grp * ${RNG_GROUP} > ${g}cur) {`,
    `    rngGroup(grp, c${seed}, c${seed + 1}, c${seed + 2}, ${g}st);`,
    `    ${g}0 = ${g}st[0]; ${g}1 = ${g}st[1]; ${g}2 = ${g}st[2]; ${g}3 = ${g}st[3]; ${g}cur = grp * ${RNG_GROUP} - 1;`,
    `  }`,
    `  while (${g}cur < ${idx}) {`,
    ...steps.map((l) => '    ' + l),
    `    ${g}cur++;`,
    `  }`,
    `  ${g}left = grp * ${RNG_GROUP} + ${RNG_GROUP - 1} - ${idx};`,
    `}`,
  ];
}

/** Locals of every random instruction's generator, declared before the loops. */
function rngLocals(program: Program): string[] {
  const out: string[] = [];
  program.instrs.forEach((ins, n) => {
    if (ins.k !== 'random') return;
    const g = `g${n}`;
    out.push(`  let ${g}0 = 0, ${g}1 = 0, ${g}2 = 0, ${g}3 = 0, ${g}a = 0, ${g}b = 0, ${g}c = 0, ${g}d = 0, ${g}cur = -2, ${g}left = 0;`);
    out.push(`  const ${g}st = new Int32Array(4);`);
  });
  return out;
}

/**
 * Typed-array stores already wrap ints and round float32; bool needs an explicit test, and a float
 * stored into an integer array (an assignment) NumPy's C cast (see floatToIntCode), not the
 * typed array's wrap-around. Reductions (program null) store integers or keep the store's wrap.
 */
export function storeCast(value: string, program: Program | null, outDt: DType): string {
  const from = program ? program.instrs[program.result].dtype : null;
  if ((outDt === 'int32' || outDt === 'uint8') && (from === 'float32' || from === 'float64')) return floatToIntCode(value, outDt);
  if (outDt !== 'bool') return value;
  if (from === 'bool') return value;
  return castCode(value, from ?? 'float64', 'bool');
}

/** NumPy's accumulator of an integer sum or product: uint64 for uint8, else int64 (false: not one). */
function intAccumulator(req: KernelRequest): IntAccumulator {
  const dt = req.program.instrs[req.program.result].dtype;
  if ((req.reduce !== 'prod' && req.reduce !== 'sum') || dt === 'float32' || dt === 'float64') return false;
  return dt === 'uint8' ? 'uint64' : 'int64';
}

/**
 * What a whole-array reduction kernel returns: its accumulator alone (a number), or [acc, ai]
 * where the index counts (argmin, argmax). The return runs once a call, so when V8 optimizes a
 * long first call while it runs (on-stack replacement), the return has no type feedback yet: an
 * array literal there, or `acc + 0`, deoptimized the kernel at the end of its pieces over and
 * over (Monte Carlo: 7 to 80 times in a process's seven runs). A plain return needs no feedback;
 * partialsOf makes it [acc, -1], and combinePartials turns an integer result's -0 into 0.
 */
function partialOf(red: ReduceOp): string {
  return red === 'argmin' || red === 'argmax' ? '[acc, ai]' : 'acc';
}

/** Integer products and sums accumulate in doubles, where -5 * 0 is -0: NumPy's integers have no -0. */
function negZeroFix(req: KernelRequest): string {
  return intAccumulator(req) ? ' + 0' : '';
}

// ---- integer products -----------------------------------------------------------------------------
// NumPy multiplies integers in int64 (uint64 for uint8), wrapping modulo 2^64; the result here is
// that integer as a float64 (exact below 2^53). The product runs in the double `acc` while it is
// exact (|acc| < 2^53: one compare per element), then in two 32-bit limbs modulo 2^64: ph (hi,
// int32) and pl (lo, in [0, 2^32)), with partial products of at most 48 bits, exact in doubles
// (about 10 ns an element). A zero factor gives 0 either way; nothing overflows to inf (inf * 0
// was NaN).

/** An integer product's accumulator (sums need none: they stay exact in a double). */
function intProd(req: KernelRequest): IntAccumulator {
  return req.reduce === 'prod' ? intAccumulator(req) : false;
}

/** pm: 0 while the double acc is exact, 1 once the limbs hold the product. */
const INT_PROD_STATE = ' let pm = 0, ph = 0, pl = 0;';

/** acc (or the limbs) times the factor `v` (a name: an int32, uint8 or bool value). */
function intProdUpdate(v: string, ip: 'int64' | 'uint64'): string[] {
  // (ph * 2^32 + pl) * f mod 2^64: ph * f mod 2^32 is Math.imul; pl * f is split at 16 bits of f
  // (f = fh * 2^16 + fl) so that each part is exact. A uint8 or bool factor has no fh.
  const mul =
    ip === 'uint64'
      ? `{ const s = pl * ${v}, sh = Math.floor(s / 4294967296); ph = (Math.imul(ph, ${v}) + sh) | 0; pl = s - sh * 4294967296; }`
      : `{ const fh = ${v} >> 16, p2 = pl * fh, p2h = Math.floor(p2 / 65536); ` +
        `const s = pl * (${v} & 65535) + (p2 - p2h * 65536) * 65536, sh = Math.floor(s / 4294967296); ` +
        `ph = (Math.imul(ph, ${v}) + p2h + sh) | 0; pl = s - sh * 4294967296; }`;
  // A product of 0 modulo 2^64 stays 0: the loop ends there (random int32 data gets there soon).
  return [
    `if (pm === 0) {`,
    `  const t = acc * ${v};`,
    `  if (Math.abs(t) < 9007199254740992) acc = t;`,
    `  else { pm = 1; ph = Math.floor(acc / 4294967296) | 0; pl = acc - Math.floor(acc / 4294967296) * 4294967296; ${mul} }`,
    `} else {`,
    `  ${mul}`,
    `  if (pl === 0 && ph === 0) break;`,
    `}`,
  ];
}

/** The product as a double: NumPy's int64 (or uint64) result converted to float64. */
function intProdValue(ip: 'int64' | 'uint64'): string {
  return `(pm === 0 ? acc + 0 : ${ip === 'uint64' ? '(ph >>> 0)' : 'ph'} * 4294967296 + pl)`;
}

/** A piece's partial: [value, low 32 bits] (see partials.ts: value and lo give back the residue). */
function intProdPartial(ip: 'int64' | 'uint64'): string {
  return `[${intProdValue(ip)}, pm === 0 ? -1 : pl]`;
}

export function identity(red: ReduceOp): string {
  switch (red) {
    case 'sum':
    case 'mean':
    case 'any':
      return '0';
    case 'prod':
    case 'all':
      return '1';
    case 'min':
    case 'argmin':
      return 'Infinity';
    case 'max':
    case 'argmax':
      return '-Infinity';
  }
}

/**
 * NaN propagates through min/max and wins argmin/argmax at its first position, as in NumPy.
 * `acc`: the accumulator's name (a fused loop has one per fold).
 */
export function update(red: ReduceOp, v: string, idx: string, acc = 'acc'): string[] {
  switch (red) {
    case 'prod':
      return [`${acc} *= ${v};`];
    case 'min':
      return [`if (${v} < ${acc} || ${v} !== ${v}) ${acc} = ${v};`];
    case 'max':
      return [`if (${v} > ${acc} || ${v} !== ${v}) ${acc} = ${v};`];
    case 'argmin':
      return [`if (ai < 0 || ${v} < ${acc} || (${v} !== ${v} && ${acc} === ${acc})) { ${acc} = ${v}; ai = ${idx}; }`];
    case 'argmax':
      return [`if (ai < 0 || ${v} > ${acc} || (${v} !== ${v} && ${acc} === ${acc})) { ${acc} = ${v}; ai = ${idx}; }`];
    case 'all':
      return [`if (${v} === 0) ${acc} = 0;`];
    case 'any':
      return [`if (${v} !== 0) ${acc} = 1;`];
    default:
      return [`${acc} += ${v};`];
  }
}

export function finalValue(red: ReduceOp, n: string, acc = 'acc'): string {
  if (red === 'mean') return `${acc} / ${n}`;
  if (red === 'argmin' || red === 'argmax') return 'ai';
  return acc;
}
