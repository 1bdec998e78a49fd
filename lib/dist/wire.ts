// Encoding a batch for its one broadcast: a JSON description of the steps (blocks by id, kernel
// sources only the first time a kernel is sent) followed by 8-byte-aligned binary sections for
// numbers that JSON cannot carry exactly (constants, NaN fill values) and host data.
import type { Kernel, LoopCode } from '../kernels/codegen.js';
import type { FusedKernel } from '../kernels/fused.js';
import type { ReduceOp } from '../kernels/program.js';
import { CTOR, type DType, type TypedArray } from '../kernels/dtypes.js';
import { type Block, allocate, release } from '../smp/store.js';
import { type BlockView, kernelOf, type Step } from './steps.js';

interface Bin {
  dtype: DType | 'f64';
  offset: number;
  length: number;
}

type ViewJ = { id: number; dtype: DType; shape: number[]; strides: number[]; offset: number };
/** A generated loop on the wire: its source only the first time, its constants in a section. */
type CodeJ<K extends LoopCode> = Omit<K, 'source' | 'consts'> & { source?: string; consts: number };
type KernelJ = CodeJ<Kernel>;
type FusedJ = CodeJ<FusedKernel>;
type StepJ =
  | { kind: 'kernel'; op: string; kernel: KernelJ; out: number; blocks: (number | null)[]; count?: number }
  | { kind: 'fused'; op: string; kernel: FusedJ; outs: number[]; folds: { id: number; reduce: ReduceOp; count: number }[]; blocks: (number | null)[] }
  | { kind: 'gemm'; op: string; a: ViewJ; b: ViewJ; c: ViewJ }
  | { kind: 'copy' | 'swap'; op: string; src: number; dst: number }
  | { kind: 'alloc'; op: string; id: number; dtype: DType; length: number; rowLen: number; rowBlock: number; cols: number; gridCols: number; charged: number }
  | { kind: 'fill'; op: string; id: number; value: number }
  | { kind: 'data'; op: string; id: number; values: number }
  | { kind: 'release'; op: string; id: number }
  | { kind: 'gather'; op: string; id: number; lo: number; hi: number }
  | { kind: 'save'; op: string; id: number; path: string; header: number }
  | { kind: 'load'; op: string; id: number; path: string; offset: number };

interface BatchJ {
  steps: StepJ[];
  frees: number[];
  bins: Bin[];
}

/** Rank 0's side: remembers which kernel sources the other ranks already have. */
export class Encoder {
  readonly #sent = new Set<string>();

  encode(steps: readonly Step[], frees: readonly number[]): Uint8Array {
    const sections: TypedArray[] = [];
    const bins: Bin[] = [];
    const bin = (a: TypedArray, dtype: DType | 'f64'): number => {
      sections.push(a);
      bins.push({ dtype, offset: 0, length: a.length });
      return bins.length - 1;
    };
    const view = (v: BlockView): ViewJ => ({ id: v.block.id, dtype: v.dtype, shape: v.shape, strides: v.strides, offset: v.offset });
    const code = <K extends LoopCode>(kernel: K): CodeJ<K> => {
      const { source, consts, ...rest } = kernel;
      const k = { ...rest, consts: bin(Float64Array.from(consts), 'f64') } as CodeJ<K>;
      if (!this.#sent.has(kernel.key)) {
        k.source = source;
        this.#sent.add(kernel.key);
      }
      return k;
    };
    const json: StepJ[] = steps.map((s): StepJ => {
      switch (s.kind) {
        case 'kernel':
          return { kind: 'kernel', op: s.op, kernel: code(kernelOf(s)), out: s.out.id, blocks: s.blocks.map((b) => b?.id ?? null), count: s.count };
        case 'gemm':
          return { kind: 'gemm', op: s.op, a: view(s.a), b: view(s.b), c: view(s.c) };
        case 'copy':
        case 'swap':
          return { kind: s.kind, op: s.op, src: s.src.id, dst: s.dst.id };
        case 'alloc':
          return { kind: 'alloc', op: s.op, id: s.block.id, dtype: s.block.dtype, length: s.block.length, rowLen: s.block.rowLen, rowBlock: s.block.rowBlock, cols: s.block.cols, gridCols: s.block.gridCols, charged: s.block.charged };
        case 'fill':
          return { kind: 'fill', op: s.op, id: s.block.id, value: bin(Float64Array.of(s.value), 'f64') };
        case 'data':
          return { kind: 'data', op: s.op, id: s.block.id, values: bin(s.values, s.block.dtype) };
        case 'release':
          return { kind: 'release', op: s.op, id: s.block.id };
        case 'gather':
          return { kind: 'gather', op: s.op, id: s.block.id, lo: s.lo, hi: s.hi };
        case 'save':
          return { kind: 'save', op: s.op, id: s.block.id, path: s.path, header: bin(s.header, 'uint8') };
        case 'load':
          return { kind: 'load', op: s.op, id: s.block.id, path: s.path, offset: s.offset };
        case 'fused': {
          const folds = s.folds.map((f) => ({ id: f.block.id, reduce: f.reduce, count: f.count }));
          return { kind: 'fused', op: s.op, kernel: code(s.kernel), outs: s.outs.map((b) => b.id), folds, blocks: s.blocks.map((b) => b?.id ?? null) };
        }
      }
    });
    let offset = 0;
    sections.forEach((a, i) => {
      bins[i].offset = offset;
      offset += Math.ceil(a.byteLength / 8) * 8;
    });
    const head = new TextEncoder().encode(JSON.stringify({ steps: json, frees: [...frees], bins } satisfies BatchJ));
    const headLen = Math.ceil((8 + head.length) / 8) * 8;
    const out = new Uint8Array(headLen + offset);
    new DataView(out.buffer).setUint32(0, head.length, true);
    out.set(head, 8);
    sections.forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), headLen + bins[i].offset));
    return out;
  }
}

/** A serving rank's side: its blocks by id and the kernel sources received so far. */
export class Decoder {
  readonly blocks = new Map<number, Block>();
  readonly #sources = new Map<string, string>();

  decode(bytes: Uint8Array): Step[] {
    const headLen0 = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    const batch = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLen0))) as BatchJ;
    // Blocks rank 0 dropped before this batch: free them first, so its allocations can reuse them.
    for (const id of batch.frees) {
      const b = this.blocks.get(id);
      this.blocks.delete(id);
      if (b) release(b);
    }
    const base = Math.ceil((8 + headLen0) / 8) * 8;
    const section = (i: number): TypedArray => {
      const b = batch.bins[i];
      const ctor = b.dtype === 'f64' ? Float64Array : CTOR[b.dtype];
      // Copied out: the receive buffer is reused for the next batch.
      const start = bytes.byteOffset + base + b.offset;
      return new ctor(bytes.buffer.slice(start, start + b.length * ctor.BYTES_PER_ELEMENT) as ArrayBuffer);
    };
    const block = (id: number): Block => {
      const b = this.blocks.get(id);
      if (!b) throw new Error(`distnumpy: batch refers to block ${id}, which this rank does not hold`);
      return b;
    };
    const view = (v: ViewJ): BlockView => ({ block: block(v.id), dtype: v.dtype, shape: v.shape, strides: v.strides, offset: v.offset });
    const code = <K extends LoopCode>(k: CodeJ<K>): K => {
      const { source, consts, ...rest } = k;
      if (source !== undefined) this.#sources.set(rest.key, source);
      const src = this.#sources.get(rest.key);
      if (src === undefined) throw new Error(`distnumpy: no source for kernel ${rest.key}`);
      return { ...rest, source: src, consts: Array.from(section(consts)) } as unknown as K;
    };
    const steps = batch.steps.map((s): Step => {
      switch (s.kind) {
        case 'kernel':
          return { kind: 'kernel', op: s.op, kernel: code<Kernel>(s.kernel), out: block(s.out), blocks: s.blocks.map((id) => (id === null ? null : block(id))), count: s.count };
        case 'fused': {
          const kernel = code<FusedKernel>(s.kernel);
          const folds = s.folds.map((f) => ({ block: block(f.id), reduce: f.reduce, count: f.count }));
          return { kind: 'fused', op: s.op, kernel, outs: s.outs.map(block), folds, blocks: s.blocks.map((id) => (id === null ? null : block(id))) };
        }
        case 'gemm':
          return { kind: 'gemm', op: s.op, a: view(s.a), b: view(s.b), c: view(s.c) };
        case 'copy':
        case 'swap':
          return { kind: s.kind, op: s.op, src: block(s.src), dst: block(s.dst) };
        case 'alloc': {
          // Charged as on rank 0: every rank owns at most that share of the array.
          const b = allocate(s.dtype, s.length, false, s.id, s.charged);
          b.rowLen = s.rowLen;
          b.rowBlock = s.rowBlock;
          b.cols = s.cols;
          b.gridCols = s.gridCols;
          this.blocks.set(s.id, b);
          return { kind: 'alloc', op: s.op, block: b };
        }
        case 'fill':
          return { kind: 'fill', op: s.op, block: block(s.id), value: section(s.value)[0] };
        case 'data':
          return { kind: 'data', op: s.op, block: block(s.id), values: section(s.values) };
        case 'release':
          return { kind: 'release', op: s.op, block: block(s.id) };
        case 'gather':
          return { kind: 'gather', op: s.op, block: block(s.id), lo: s.lo, hi: s.hi };
        case 'save':
          return { kind: 'save', op: s.op, block: block(s.id), path: s.path, header: section(s.header) as Uint8Array };
        case 'load':
          return { kind: 'load', op: s.op, block: block(s.id), path: s.path, offset: s.offset };
      }
    });
    return steps;
  }
}
