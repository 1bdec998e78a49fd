// fast-check arbitraries for random distnumpy programs. A program is plain data (so fast-check
// can print and shrink it): a broadcast shape S; 1-3 operands, each a view (slices with steps,
// negative steps, integer indices, None, a transpose, a reshape of a contiguous base) whose
// shape broadcasts to S; a chain of element-wise steps applied to operand 0; optionally one
// transcendental last step; optionally a reduction over all or one axis. interpret.ts turns a
// program into distnumpy calls and the matching NumPy expression.
//
// Every field is drawn independently of the others (no fc.chain): the interpreter maps numbers
// onto the shapes it meets (an axis number modulo ndim, a reference modulo the operand count),
// so that fast-check shrinks each field on its own towards the simplest program.
import fc from 'fast-check';

export type DT = 'float64' | 'float32' | 'int32' | 'uint8' | 'bool';
export const DTYPES: readonly DT[] = ['float64', 'float32', 'int32', 'uint8', 'bool'];

export const BINARY = [
  'add', 'sub', 'mul', 'div', 'mod', 'pow', 'maximum', 'minimum',
  'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr',
] as const;
export type BinOp = (typeof BINARY)[number];
/** Exactly rounded (or exact) unary functions: NumPy's results are bit-identical to ours. */
export const UNARY = ['neg', 'abs', 'sqrt', 'square', 'floor', 'ceil', 'logicalNot'] as const;
export type UnOp = (typeof UNARY)[number];
/** Functions that are not exactly rounded (compared within a few ulps): only as the last step. */
export const FINAL = ['exp', 'log', 'sin', 'cos', 'tan', 'arctan2', 'pow'] as const;
export type FinalOp = (typeof FINAL)[number];
export const REDUCTIONS = ['sum', 'prod', 'min', 'max', 'mean', 'argmin', 'argmax', 'all', 'any'] as const;
export type RedOp = (typeof REDUCTIONS)[number];

export type Scalar = number | boolean;

/** How one axis of the base is sliced to give the axis length the plan needs. */
export interface AxisCut {
  step: number; // 1, -1, 2, -2, 3
  off: number; // elements skipped before the first one taken
  extra: number; // elements left after the last one taken
  neg: boolean; // write start/stop as negative indices
}

export interface ViewRecipe {
  /** Cuts for the axes, cycled over the axes there are. */
  cuts: AxisCut[];
  /** Sort keys: their stable argsort is the permutation applied by transpose (equal keys: none). */
  perm: number[];
  /** An extra base axis of length `len` removed by the integer index `i` (normalised). */
  index: { at: number; len: number; i: number } | null;
  /** A length-1 axis comes from `None` instead of from the base. */
  newaxis: boolean;
  /** Leading ':' items written as '...'. */
  ellipsis: boolean;
  /** The spec as a string ('1:-1, ::2') or as an array ([[1, -1], [null, null, 2]]). */
  arraySpec: boolean;
  /** The base: dn.array with its shape, a view of a shared 1-D pool, or a 1-D array reshaped. */
  source: 'array' | 'pool' | 'flat';
  /** `.T` instead of `transpose(axes)` when the permutation reverses the axes. */
  useT: boolean;
}

export interface ValueRecipe {
  seed: number;
  /** Index into the special-value rates (0: none, 1: rare, 2: many). */
  specials: 0 | 1 | 2;
  /** 0: small integers and eighths, 1: full-mantissa values in [-10, 10], 2: wide magnitudes. */
  kind: 0 | 1 | 2;
}

export interface OperandRecipe {
  dtype: DT;
  values: ValueRecipe;
  /** Leading axes of S the operand lacks. */
  drop: number;
  /** Bit i set: the operand's axis i (after `drop`) has length 1 (broadcast). */
  ones: number;
  /** One axis of a wrong length (usually an error: the shapes do not broadcast). */
  bad: boolean;
  view: ViewRecipe;
}

export type Other = { ref: number } | { scalar: Scalar };
export type Cond = { cmp: 'gt' | 'lt' | 'ne' | 'eq'; scalar: Scalar } | { ref: number } | { bool: boolean };

export type Step =
  | { k: 'un'; op: UnOp; method: boolean; out: boolean }
  | { k: 'bin'; op: BinOp; other: Other; swap: boolean; method: boolean; out: boolean }
  | { k: 'where'; cond: Cond; other: Other; swap: boolean }
  | { k: 'clip'; lo: Scalar | null; hi: Scalar | null; method: boolean }
  | { k: 'astype'; dtype: DT }
  | { k: 'flip'; axis: number }
  | { k: 'reshape' }
  | { k: 'copy' };

export interface Final {
  op: FinalOp;
  other: Other;
  swap: boolean;
}

export interface Reduce {
  op: RedOp;
  axis: 'all' | 'bad' | { i: number; neg: boolean };
  method: boolean;
}

export interface Program {
  shape: number[];
  operands: OperandRecipe[];
  steps: Step[];
  final: Final | null;
  reduce: Reduce | null;
}

export interface ProgramOptions {
  /** Largest axis length of S (default 40; S is clamped to MAX_S elements). */
  maxDim?: number;
  /** Longest element-wise chain (default 6). */
  maxSteps?: number;
  /** 'never', 'always' or 'sometimes' end in a reduction (default 'sometimes'). */
  reduce?: 'never' | 'always' | 'sometimes';
}

/** fc.oneof with weights; shrinks towards the first alternative. */
const weighted = <T>(...xs: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> =>
  fc.oneof({ withCrossShrink: true }, ...xs.map(([weight, arbitrary]) => ({ weight, arbitrary })));

/** `arb` one time in `n`, else null (shrinks to null). */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> =>
  weighted<T | null>([n - 1, fc.constant(null)], [1, arb]);

export const dtypeArb: fc.Arbitrary<DT> = fc.constantFrom(...DTYPES);

/** Mostly small integers, some fractions and booleans, rarely a value at or beyond a dtype's range. */
export const scalarArb: fc.Arbitrary<Scalar> = weighted<Scalar>(
  [6, fc.integer({ min: -3, max: 5 })],
  [3, fc.constantFrom(0.5, -2.5, 1.5, 0.1, -0.75, 1e-3)],
  [2, fc.boolean()],
  [1, fc.constantFrom(NaN, Infinity, -Infinity, 255, 256, -1, 1e300, 2147483647, 2147483648, -2147483649, 65536, 1e20, 3.5e38)],
);

const cutArb: fc.Arbitrary<AxisCut> = fc.record({
  step: fc.constantFrom(1, -1, 2, 1, -2, 3),
  off: fc.integer({ min: 0, max: 2 }),
  extra: fc.integer({ min: 0, max: 2 }),
  neg: fc.boolean(),
});

export const viewArb: fc.Arbitrary<ViewRecipe> = fc.record({
  cuts: fc.array(cutArb, { minLength: 4, maxLength: 4 }),
  perm: fc.array(fc.nat(5), { minLength: 4, maxLength: 4 }),
  index: rarely(fc.record({ at: fc.nat(4), len: fc.integer({ min: 1, max: 3 }), i: fc.integer({ min: -3, max: 2 }) }), 4),
  newaxis: weighted([4, fc.constant(false)], [1, fc.constant(true)]),
  ellipsis: weighted([4, fc.constant(false)], [1, fc.constant(true)]),
  arraySpec: fc.boolean(),
  source: fc.constantFrom('array', 'pool', 'flat'),
  useT: fc.boolean(),
});

export const valuesArb: fc.Arbitrary<ValueRecipe> = fc.record({
  seed: fc.nat(),
  specials: fc.constantFrom(0, 1, 0, 2) as fc.Arbitrary<0 | 1 | 2>,
  kind: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
});

export const operandArb: fc.Arbitrary<OperandRecipe> = fc.record({
  dtype: dtypeArb,
  values: valuesArb,
  drop: fc.constantFrom(0, 0, 0, 1, 2),
  ones: weighted([5, fc.constant(0)], [2, fc.nat(15)]),
  bad: weighted([30, fc.constant(false)], [1, fc.constant(true)]),
  view: viewArb,
});

const otherArb: fc.Arbitrary<Other> = weighted<Other>(
  [3, fc.record({ ref: fc.nat(2) })],
  [2, fc.record({ scalar: scalarArb })],
);

const condArb: fc.Arbitrary<Cond> = weighted<Cond>(
  [3, fc.record({ cmp: fc.constantFrom('gt', 'lt', 'ne', 'eq'), scalar: scalarArb }) as fc.Arbitrary<Cond>],
  [2, fc.record({ ref: fc.nat(2) })],
  [1, fc.record({ bool: fc.boolean() })],
);

const rareTrue = weighted([4, fc.constant(false)], [1, fc.constant(true)]);

const clipBound: fc.Arbitrary<Scalar | null> = weighted<Scalar | null>(
  [2, fc.constant(null)],
  [4, fc.constantFrom(-1, 0, 3, 200, -2.5, 0.5)],
  [1, fc.constantFrom(300, NaN, -1e300, Infinity)],
);

export const stepArb: fc.Arbitrary<Step> = weighted<Step>(
  [8, fc.record({ k: fc.constant('bin' as const), op: fc.constantFrom(...BINARY), other: otherArb, swap: fc.boolean(), method: fc.boolean(), out: rareTrue })],
  [3, fc.record({ k: fc.constant('un' as const), op: fc.constantFrom(...UNARY), method: fc.boolean(), out: rareTrue })],
  [2, fc.record({ k: fc.constant('where' as const), cond: condArb, other: otherArb, swap: fc.boolean() })],
  [1, fc.record({ k: fc.constant('clip' as const), lo: clipBound, hi: clipBound, method: fc.boolean() })],
  [2, fc.record({ k: fc.constant('astype' as const), dtype: dtypeArb })],
  [1, fc.record({ k: fc.constant('flip' as const), axis: fc.nat(3) })],
  [1, fc.constant({ k: 'reshape' as const })],
  [1, fc.constant({ k: 'copy' as const })],
);

export const finalArb: fc.Arbitrary<Final> = fc.record({ op: fc.constantFrom(...FINAL), other: otherArb, swap: fc.boolean() });

export const reduceArb: fc.Arbitrary<Reduce> = fc.record({
  op: fc.constantFrom(...REDUCTIONS),
  axis: weighted<Reduce['axis']>(
    [3, fc.constant('all' as const)],
    [5, fc.record({ i: fc.nat(3), neg: fc.boolean() })],
    [1, fc.constant('bad' as const)],
  ),
  method: fc.boolean(),
});

/**
 * S: mostly 1-3 axes of 2-12 elements, some axes of 1 (broadcast against) or of up to maxDim,
 * rarely 0-d or with an axis of 0 (a size-0 array).
 */
export function shapeArb(maxDim = 40): fc.Arbitrary<number[]> {
  const dim = weighted(
    [8, fc.integer({ min: 2, max: 4 })],
    [6, fc.integer({ min: 5, max: 12 })],
    [3, fc.constant(1)],
    [1, fc.integer({ min: 13, max: maxDim })],
    [1, fc.constant(0)],
  );
  return weighted<number[]>(
    [3, fc.tuple(dim, dim)],
    [3, fc.tuple(dim)],
    [3, fc.tuple(dim, dim, dim)],
    [1, fc.constant([])],
    [1, fc.tuple(dim, dim, dim, dim)],
  );
}

export function programArb(opts: ProgramOptions = {}): fc.Arbitrary<Program> {
  const reduce =
    opts.reduce === 'never'
      ? fc.constant(null)
      : opts.reduce === 'always'
        ? reduceArb
        : rarely(reduceArb, 2);
  return fc.record({
    shape: shapeArb(opts.maxDim ?? 40),
    operands: fc.array(operandArb, { minLength: 1, maxLength: 3 }),
    steps: fc.array(stepArb, { minLength: 0, maxLength: opts.maxSteps ?? 6 }),
    final: rarely(finalArb, 5),
    reduce,
  });
}
