// The intermediate form of a fused element-wise computation: a straight-line program per element.
// The graph layer freezes an expression tree into one of these; codegen turns it into a loop.
import type { DType } from './dtypes.js';
import type { OpName } from './ops.js';
import type { Layout } from './view.js';

export type Instr =
  /** Read operand `operand` (a strided array) at the current element. */
  | { k: 'load'; operand: number; dtype: DType }
  /** A scalar held in consts[index]. */
  | { k: 'const'; index: number; dtype: DType }
  /** The element's flat C index in operand `operand`'s own shape (an index operand, no data). */
  | { k: 'index'; operand: number; dtype: DType }
  /** A counter-based random number: consts[seed], consts[seed+1] = key, consts[seed+2] = stream. */
  | { k: 'random'; operand: number; dist: 'uniform' | 'normal'; seed: number; dtype: DType }
  /** An op over earlier instructions; `ct` is the dtype its arguments are cast to. */
  | { k: 'op'; op: OpName; args: number[]; dtype: DType; ct: DType; scalarExp?: number };

export interface Operand {
  /** 'data' operands have an array; 'index' operands only step a flat index. */
  kind: 'data' | 'index';
  dtype: DType;
  /** Already broadcast to the iteration shape (same ndim). */
  layout: Layout;
}

export interface Program {
  instrs: Instr[];
  /** Index of the instruction whose value is the result. */
  result: number;
  consts: number[];
}

export type ReduceOp = 'sum' | 'prod' | 'min' | 'max' | 'argmin' | 'argmax' | 'all' | 'any' | 'mean';

export function programDType(p: Program): DType {
  return p.instrs[p.result].dtype;
}

/** A stable text of the program's shape (not its constants): the kernel cache key's core. */
export function programSignature(p: Program, operands: readonly Operand[]): string {
  const ins = p.instrs
    .map((i) => {
      switch (i.k) {
        case 'load':
          return `L${i.operand}${i.dtype}`;
        case 'const':
          return `C${i.index}${i.dtype}`;
        case 'index':
          return `I${i.operand}${i.dtype}`;
        case 'random':
          return `R${i.operand}${i.dist}${i.seed}${i.dtype}`;
        case 'op':
          return `${i.op}(${i.args.join(',')})${i.dtype}${i.ct}${i.scalarExp ?? ''}`;
      }
    })
    .join(';');
  return `${ins}>${p.result}|${operands.map((o) => o.kind[0] + o.dtype).join(',')}`;
}
