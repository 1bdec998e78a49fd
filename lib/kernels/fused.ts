// One loop for several steps of a batch that iterate over the same shape (the "frame"): each
// element's values are computed once and go to several sinks — stored into an output (map),
// folded along the last axis into an output per row (reduceAxis), or folded over the whole
// frame into a partial (reduceAll). A stencil's update and its change, or N-body's forces,
// distances and three net-force sums, then cost one pass over memory instead of one per step.
import { type LoopCode, aliasKey, body, finalValue, identity, invariants, locals, programCost, sourceFor, storeCast, update, useAliases } from './codegen.js';
import type { DType } from './dtypes.js';
import type { Operand, Program, ReduceOp } from './program.js';
import { programSignature } from './program.js';
import { simdRows, simdRowsSource } from './wasm-rows.js';
import type { Layout } from './view.js';

/** The reductions a fused loop folds (float results only: integer accumulators need more). */
export const FUSABLE_REDUCTIONS: readonly ReduceOp[] = ['sum', 'mean', 'prod', 'min', 'max'];

export type Sink =
  /** Store instruction `value` into an output laid out over the frame. */
  | { kind: 'map'; value: number; dtype: DType; layout: Layout }
  /** Fold `value` along the frame's last axis; the output is laid out over the frame without it. */
  | { kind: 'reduceAxis'; value: number; reduce: ReduceOp; dtype: DType; layout: Layout }
  /** Fold `value` over the whole frame into a partial [value, -1]. */
  | { kind: 'reduceAll'; value: number; reduce: ReduceOp };

export interface FusedRequest {
  program: Program;
  /** Laid out over the frame. */
  operands: Operand[];
  frame: readonly number[];
  sinks: Sink[];
  /** Per pointer (outputs, then operands): the first pointer on the same array (codegen aliases()). */
  alias?: number[];
}

/** nd is the frame's rank (never collapsed); threads split its first axis. */
export interface FusedKernel extends LoopCode {
  kind: 'fused';
  sinks: Sink[];
}

let simdBuilt = 0;

/** How many fused loops were planned as SIMD row pairs (tests check that it happens). */
export function simdKernelCount(): number {
  return simdBuilt;
}

/**
 * Output pointers (map and reduceAxis sinks, in sink order) come first, then the operands.
 * `simd`: false keeps to the scalar JS loop where wasm-rows.ts would take it (tests compare).
 */
export function buildFused(req: FusedRequest, simd = true): FusedKernel {
  const { program, operands, frame, sinks } = req;
  const nd = frame.length;
  const outSinks = sinks.filter((s) => s.kind !== 'reduceAll') as Exclude<Sink, { kind: 'reduceAll' }>[];
  // A reduceAxis output does not move along the last axis: stride 0 there.
  const layouts = [
    ...outSinks.map((s) => (s.kind === 'map' ? s.layout : { offset: s.layout.offset, strides: [...s.layout.strides, 0], shape: frame })),
    ...operands.map((o) => o.layout),
  ];
  const np = layouts.length;
  const meta: number[] = [...frame];
  for (const l of layouts) meta.push(l.offset, ...l.strides);
  const last = (l: Layout): number => l.strides[nd - 1];
  const cls = layouts.map((l) => (last(l) === 0 ? '0' : last(l) === 1 ? '1' : 'v'));
  const sinkText = sinks.map((s) => (s.kind === 'reduceAll' ? `A${s.reduce}${s.value}` : s.kind === 'map' ? `M${s.dtype}${s.value}` : `X${s.reduce}${s.dtype}${s.value}`));
  const wasm = simd && simdRows(req);
  if (wasm) simdBuilt++;
  const key = `fused|${nd}|${cls.join('')}|${sinkText.join(',')}|${programSignature(program, operands)}${aliasKey(req.alias)}${wasm ? '|simd' : ''}`;
  let inner = 1;
  for (let d = 1; d < nd; d++) inner *= frame[d];
  return {
    kind: 'fused',
    nd,
    np,
    key,
    source: sourceFor(key, () => {
      const js = useAliases(emitFused(req, outSinks.length, np, cls, key), req.alias);
      return wasm ? simdRowsSource(req, js, `${kernelName(req)}_simd`) : js;
    }),
    meta,
    consts: program.consts,
    split: frame[0],
    unitCost: inner * programCost(program),
    sinks,
  };
}

function kernelName(req: FusedRequest): string {
  const ops = req.program.instrs.filter((i) => i.k === 'op').map((i) => (i as { op: string }).op);
  return `k_fused_${req.sinks.length}_${req.frame.length}d_${ops.slice(0, 6).join('_') || 'copy'}`.replace(/[^A-Za-z0-9_]/g, '_');
}

function emitFused(req: FusedRequest, outs: number, np: number, cls: string[], key: string): string {
  const { program, operands, frame, sinks } = req;
  const nd = frame.length;
  const L: string[] = [`// ${key}`];
  L.push(`return function ${kernelName(req)}(arrs, m, c, start, end) {`);
  L.push(...locals(program, operands, outs, nd, np));
  // Whole-frame folds: t{k} over the piece, r{k} over one row (the rows then fold into t{k}).
  const all = sinks.map((s, k) => ({ s, k })).filter(({ s }) => s.kind === 'reduceAll');
  for (const { s, k } of all) L.push(`  let t${k} = ${identity((s as { reduce: ReduceOp }).reduce)};`);

  // Outer loops over every axis but the last (nd = 1: the piece itself is the one row).
  const ptrs = Array.from({ length: np }, (_, j) => j);
  let ind = '  ';
  let rowLen: string;
  if (nd === 1) {
    for (const j of ptrs) L.push(`  const b${j} = o${j} + start * s${j}_0;`);
    L.push('  const nr = end - start;');
    rowLen = 'nr';
  } else {
    for (const j of ptrs) L.push(`  let p${j}_0 = o${j} + start * s${j}_0;`);
    for (let d = 0; d < nd - 1; d++) {
      if (d > 0) for (const j of ptrs) L.push(`${ind}let p${j}_${d} = p${j}_${d - 1};`);
      L.push(`${ind}for (let i${d} = ${d === 0 ? 'start' : '0'}; i${d} < ${d === 0 ? 'end' : `n${d}`}; i${d}++) {`);
      ind += '  ';
    }
    for (const j of ptrs) L.push(`${ind}const b${j} = p${j}_${nd - 2};`);
    rowLen = `n${nd - 1}`;
  }
  const lastStride = (j: number): string => `s${j}_${nd - 1}`;
  const ptr = (j: number): string => (cls[j] === '0' ? `b${j}` : cls[j] === '1' ? `b${j} + i` : `b${j} + i * ${lastStride(j)}`);
  // What does not move along the last axis is computed once per row.
  const { pre, lines } = body(program, operands, outs, ptr, undefined, invariants(program, outs, (j) => cls[j]));
  L.push(...pre.map((l) => ind + l));
  sinks.forEach((s, k) => {
    if (s.kind !== 'map') L.push(`${ind}let r${k} = ${identity(s.reduce)};`);
  });
  L.push(`${ind}for (let i = 0; i < ${rowLen}; i++) {`);
  L.push(...lines.map((l) => `${ind}  ${l}`));
  let out = 0;
  sinks.forEach((s, k) => {
    if (s.kind === 'map') L.push(`${ind}  A${out++}[${ptr(out - 1)}] = ${storeCast(`v${s.value}`, { ...program, result: s.value }, s.dtype)};`);
    else L.push(...foldInto(`r${k}`, s.reduce, `v${s.value}`).map((l) => `${ind}  ${l}`));
  });
  L.push(`${ind}}`);
  out = 0;
  sinks.forEach((s, k) => {
    if (s.kind === 'map') out++;
    else if (s.kind === 'reduceAxis') L.push(`${ind}A${out++}[b${out - 1}] = ${storeCast(finalValue(s.reduce, rowLen, `r${k}`), null, s.dtype)};`);
    else L.push(...foldInto(`t${k}`, s.reduce, `r${k}`).map((l) => ind + l));
  });
  // Close the outer loops, stepping each pointer along its axis.
  for (let d = nd - 2; d >= 0; d--) {
    for (const j of ptrs) L.push(`${ind}p${j}_${d} += s${j}_${d};`);
    ind = ind.slice(2);
    L.push(`${ind}}`);
  }
  // One fold returns its value alone, as a whole-array reduction kernel does (codegen.ts
  // partialOf: an array built in the return deoptimized the stencil's loop 14-17 times a process).
  L.push(all.length === 1 ? `  return t${all[0].k};` : `  return [${all.map(({ k }) => `[t${k}, -1]`).join(', ')}];`);
  L.push('};');
  return L.join('\n');
}

/** acc = red(acc, v) for the fusable reductions (NaN propagates through min and max). */
function foldInto(acc: string, red: ReduceOp, v: string): string[] {
  return update(red, v, '-1', acc);
}
