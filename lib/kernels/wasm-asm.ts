// A small WebAssembly assembler: just the module layout and the instructions the generated
// SIMD kernels use (wasm-rows.ts). Kernels are generated at run time, so the module is built
// here as bytes rather than from text with a toolchain.

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Plain opcodes (one byte). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  i32Const: 0x41,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Shl: 0x74,
  f64ConvertI32S: 0xb7,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  v128Load: 0,
  load64Splat: 10,
  v128Store: 11,
  v128Const: 12,
  f64x2Splat: 20,
  f64x2ExtractLane: 33,
  load64Lane: 87,
  load64Zero: 93,
  f64x2Abs: 236,
  f64x2Neg: 237,
  f64x2Sqrt: 239,
  f64x2Add: 240,
  f64x2Sub: 241,
  f64x2Mul: 242,
  f64x2Div: 243,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** One function's body, instruction by instruction. */
export class Code {
  readonly bytes: number[] = [];

  op(code: number): this {
    this.bytes.push(code);
    return this;
  }
  get(local: number): this {
    this.bytes.push(OP.localGet, ...uleb(local));
    return this;
  }
  set(local: number): this {
    this.bytes.push(OP.localSet, ...uleb(local));
    return this;
  }
  tee(local: number): this {
    this.bytes.push(OP.localTee, ...uleb(local));
    return this;
  }
  i32(value: number): this {
    this.bytes.push(OP.i32Const, ...sleb(value | 0));
    return this;
  }
  /** A load or store with its alignment (log2 bytes) and constant offset. */
  mem(code: number, align: number, offset = 0): this {
    this.bytes.push(code, align, ...uleb(offset));
    return this;
  }
  simd(code: number): this {
    this.bytes.push(0xfd, ...uleb(code));
    return this;
  }
  simdMem(code: number, align: number, offset = 0): this {
    return this.simd(code).pushRaw(align, ...uleb(offset));
  }
  /** A SIMD load into one lane of the vector on the stack. */
  loadLane(code: number, align: number, lane: number): this {
    return this.simd(code).pushRaw(align, 0, lane);
  }
  /** An f64x2 with both lanes 0. */
  zero(): this {
    return this.simd(SIMD.v128Const).pushRaw(...new Array<number>(16).fill(0));
  }
  /** A block or loop with no result. */
  open(code: typeof OP.block | typeof OP.loop): this {
    this.bytes.push(code, 0x40);
    return this;
  }
  branch(code: typeof OP.br | typeof OP.brIf, depth: number): this {
    this.bytes.push(code, ...uleb(depth));
    return this;
  }
  pushRaw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
}

/**
 * A module that imports its memory as env.m (at least `pages` of 64 KiB) and exports one function
 * "k" of the given parameter types and no result; `locals` lists the types of its other locals.
 */
export function moduleBytes(params: number[], locals: number[], code: Code, pages: number): Uint8Array {
  // Runs of equal types, as the code section declares locals.
  const runs: number[][] = [];
  for (const t of locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  const body = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...code.bytes, OP.end];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec(params.map((t) => [t])), 0]])),
    ...section(2, vec([[...name('env'), ...name('m'), 0x02, 0x00, ...uleb(pages)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('k'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}
