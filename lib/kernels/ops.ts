// The element-wise operations: their NumPy result dtype and the JS expression that computes one
// element in that dtype. Values of every dtype travel through generated code as JS numbers
// (bool as 0/1); each op re-establishes its dtype's range (|0, &255, Math.fround) so a fused
// chain rounds and wraps exactly where NumPy's op-by-op evaluation does.
import { type DType, isFloat, promote } from './dtypes.js';

export const UNARY_OPS = [
  'neg', 'abs', 'sqrt', 'square', 'exp', 'log', 'sin', 'cos', 'tan', 'floor', 'ceil', 'logicalNot',
] as const;
export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'mod', 'maximum', 'minimum', 'arctan2',
  'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
/**
 * `cast` converts to the node's dtype (astype); `where` and `clip` are ternary. `clip` is NumPy's
 * clip loop with scalar bounds (x < lo ? lo : x, then > hi ? hi : that; a NaN bound gives NaN);
 * clip with array bounds is minimum(maximum(x, lo), hi), as NumPy's general loop.
 */
export type OpName = UnaryOp | BinaryOp | 'cast' | 'where' | 'clip';

const FLOAT_FUNCS = new Set<OpName>(['sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'arctan2']);
const COMPARISONS = new Set<OpName>(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logicalAnd', 'logicalOr', 'logicalNot']);

/** NumPy's ufunc names, for error messages that read like NumPy's. */
export const NUMPY_NAME: Record<OpName, string> = {
  neg: 'negative', abs: 'absolute', sqrt: 'sqrt', square: 'square', exp: 'exp', log: 'log', sin: 'sin',
  cos: 'cos', tan: 'tan', floor: 'floor', ceil: 'ceil', logicalNot: 'logical_not', add: 'add',
  sub: 'subtract', mul: 'multiply', div: 'divide', pow: 'power', mod: 'remainder', maximum: 'maximum',
  minimum: 'minimum', arctan2: 'arctan2', lt: 'less', le: 'less_equal', gt: 'greater',
  ge: 'greater_equal', eq: 'equal', ne: 'not_equal', logicalAnd: 'logical_and', logicalOr: 'logical_or',
  cast: 'astype', where: 'where', clip: 'clip',
};

/**
 * The dtype an op computes in, given its operands' (already promoted) common dtype, or a message
 * when NumPy refuses the combination. NumPy's float16 results (sqrt of uint8) become float32 here.
 */
export function opResultDType(op: OpName, common: DType): DType | { error: string } {
  if (COMPARISONS.has(op)) return 'bool';
  if (FLOAT_FUNCS.has(op) || op === 'div') {
    if (isFloat(common)) return common;
    return op !== 'div' && (common === 'bool' || common === 'uint8') ? 'float32' : 'float64';
  }
  if (common === 'bool') {
    if (op === 'neg') {
      return { error: 'The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead.' };
    }
    if (op === 'sub') {
      return { error: 'numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.' };
    }
    if (op === 'pow' || op === 'mod' || op === 'square') return 'int32'; // NumPy: int8
  }
  return common;
}

/** The dtype both operands are brought to before the op (comparisons compare in the common type). */
export function opCommonDType(a: DType, b: DType): DType {
  return promote(a, b);
}

/**
 * A float to int32 as NumPy's C cast does it on x86-64 (cvttsd2si): truncation toward zero when
 * the result fits, else INT_MIN (NaN, the infinities, and |x| >= 2^31; x in (-2^31 - 1, -2^31]
 * truncates to INT_MIN anyway). To uint8 NumPy goes through that int32 and keeps the low 8 bits
 * (INT_MIN gives 0). `e` must be a name (it is read twice); an in-range value costs one compare.
 */
export function floatToIntCode(e: string, to: 'int32' | 'uint8'): string {
  return to === 'int32' ? `(Math.abs(${e}) < 2147483648 ? ${e} | 0 : -2147483648)` : `(Math.abs(${e}) < 2147483648 ? ${e} & 255 : 0)`;
}

/** JS source converting a value of dtype `from` to dtype `to` (NumPy's unsafe C casts); `e` is a name. */
export function castCode(e: string, from: DType, to: DType): string {
  if (from === to) return e;
  switch (to) {
    case 'float64':
      return e;
    case 'float32':
      return from === 'float64' || from === 'int32' ? `Math.fround(${e})` : e;
    case 'int32':
      return isFloat(from) ? floatToIntCode(e, 'int32') : e;
    case 'uint8':
      if (isFloat(from)) return floatToIntCode(e, 'uint8');
      return from === 'bool' ? e : `(${e} & 255)`;
    case 'bool':
      return `((${e} !== 0) | 0)`;
  }
}

/** Wrap a raw JS arithmetic result into dtype dt's range. */
function wrap(e: string, dt: DType): string {
  switch (dt) {
    case 'float64':
      return e;
    case 'float32':
      return `Math.fround(${e})`;
    case 'int32':
      return `((${e}) | 0)`;
    case 'uint8':
      return `((${e}) & 255)`;
    case 'bool':
      return `(((${e}) !== 0) | 0)`;
  }
}

/**
 * JS expression for one element of `op`, with its arguments already cast to `ct` (the computing
 * dtype: the result dtype, except for comparisons, which compute in the operands' common dtype).
 * `scalarExp` is the exponent when `pow` has a constant one: NumPy special-cases 2, 0.5, -1, 1, 0.
 * Comparisons and logical ops give 0 or 1 as `(test) | 0`, which V8 compiles without a branch:
 * `test ? 1 : 0` was a branch mispredicted on random data (Monte Carlo's x*x + y*y <= 1: 21% of
 * the samples), which cost a third of that loop.
 */
export function opCode(op: OpName, ct: DType, a: string[], scalarExp?: number): string {
  const [x, y, z] = a;
  const isInt = ct === 'int32' || ct === 'uint8';
  switch (op) {
    case 'add':
      return ct === 'bool' ? `(${x} | ${y})` : wrap(`${x} + ${y}`, ct);
    case 'sub':
      return wrap(`${x} - ${y}`, ct);
    case 'mul':
      if (ct === 'bool') return `(${x} & ${y})`;
      return isInt ? wrap(`Math.imul(${x}, ${y})`, ct) : wrap(`${x} * ${y}`, ct);
    case 'div':
      return wrap(`${x} / ${y}`, ct);
    case 'pow':
      if (isInt) return wrap(`ipow(${x}, ${y})`, ct);
      if (scalarExp === 2) return wrap(`${x} * ${x}`, ct);
      if (scalarExp === 0.5) return wrap(`Math.sqrt(${x})`, ct);
      if (scalarExp === -1) return wrap(`1 / ${x}`, ct);
      if (scalarExp === 1) return x;
      if (scalarExp === 0) return '1';
      return wrap(`cpow(${x}, ${y})`, ct);
    case 'mod':
      return isInt ? wrap(`imod(${x}, ${y})`, ct) : wrap(`fmod(${x}, ${y})`, ct);
    case 'maximum':
      return `((${x} > ${y} || ${x} !== ${x}) ? ${x} : ${y})`; // ties (0, -0) give y, as NumPy
    case 'minimum':
      return `((${x} < ${y} || ${x} !== ${x}) ? ${x} : ${y})`;
    case 'arctan2':
      return wrap(`Math.atan2(${x}, ${y})`, ct);
    case 'lt':
      return `((${x} < ${y}) | 0)`;
    case 'le':
      return `((${x} <= ${y}) | 0)`;
    case 'gt':
      return `((${x} > ${y}) | 0)`;
    case 'ge':
      return `((${x} >= ${y}) | 0)`;
    case 'eq':
      return `((${x} === ${y}) | 0)`;
    case 'ne':
      return `((${x} !== ${y}) | 0)`;
    case 'logicalAnd':
      return `((${x} !== 0) & (${y} !== 0))`;
    case 'logicalOr':
      return `((${x} !== 0) | (${y} !== 0))`;
    case 'logicalNot':
      return `((${x} === 0) | 0)`;
    case 'neg':
      return isInt ? wrap(`-${x}`, ct) : `(-${x})`;
    case 'abs':
      return ct === 'bool' || ct === 'uint8' ? x : isInt ? `(Math.abs(${x}) | 0)` : `Math.abs(${x})`;
    case 'square':
      if (ct === 'bool') return x;
      return isInt ? wrap(`Math.imul(${x}, ${x})`, ct) : wrap(`${x} * ${x}`, ct);
    case 'sqrt':
      return wrap(`Math.sqrt(${x})`, ct);
    case 'exp':
      return wrap(`Math.exp(${x})`, ct);
    case 'log':
      return wrap(`Math.log(${x})`, ct);
    case 'sin':
      return wrap(`Math.sin(${x})`, ct);
    case 'cos':
      return wrap(`Math.cos(${x})`, ct);
    case 'tan':
      return wrap(`Math.tan(${x})`, ct);
    case 'floor':
      return isFloat(ct) ? `Math.floor(${x})` : x;
    case 'ceil':
      return isFloat(ct) ? `Math.ceil(${x})` : x;
    case 'where':
      return `(${x} !== 0 ? ${y} : ${z})`;
    case 'clip': {
      // NumPy's loop for constant bounds: ties keep x (clip(-0.0, 0, 0) is -0.0), x < lo gives
      // lo even when lo > hi is then clipped to hi; a NaN bound makes every element NaN.
      const c = `(${x} < ${y} ? (${y} > ${z} ? ${z} : ${y}) : (${x} > ${z} ? ${z} : ${x}))`;
      return isFloat(ct) ? `((${y} !== ${y} || ${z} !== ${z}) ? NaN : ${c})` : c;
    }
    case 'cast':
      return x;
  }
}

/** Relative cost of one element of an op, in "simple op" units, for the inline threshold. */
export function opCost(op: OpName): number {
  if (FLOAT_FUNCS.has(op) || op === 'pow') return 8;
  if (op === 'mod') return 3;
  return 1;
}
