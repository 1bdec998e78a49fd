// Bad input (API.md, "Errors"): TypeError for bad dtypes and argument types, RangeError for
// out-of-range indices and axes, dn.ShapeError for shapes that do not broadcast or match. Each is
// thrown synchronously by the call that made it, names the values involved, records nothing, and
// leaves the runtime usable. The slice-string parser is fuzzed: it must throw TypeError or
// RangeError or succeed, and when it succeeds on an index Python can parse, agree with NumPy.
import test, { type ExecutionContext } from 'ava';
import * as dn from '../../lib/index.js';
import { type NpResult, assertMatches, numpy } from '../helpers/numpy.js';
import { collecting, lcg } from '../helpers/cases.js';

type ErrorClass = typeof TypeError | typeof RangeError | typeof dn.ShapeError;
// Call sites below pass deliberately wrong argument types.
type Any = any;

interface ErrCase {
  label: string;
  call: () => unknown;
  /** The class it must throw (any of them, when NumPy's ValueError has no single counterpart). */
  cls: ErrorClass | ErrorClass[];
  /** Substrings the message must contain (the values involved). */
  contains?: string[];
}

/** Check every case; report every failed check at once (ava shows only the first failed assertion). */
function checkThrows(t: ExecutionContext, cases: ErrCase[]): void {
  const failures: string[] = [];
  for (const c of cases) {
    let result: unknown;
    let err: unknown;
    let threw = false;
    try {
      result = c.call();
    } catch (e) {
      threw = true;
      err = e;
    }
    const classes = Array.isArray(c.cls) ? c.cls : [c.cls];
    const names = classes.map((k) => k.name).join(' or ');
    if (!threw) {
      if (result instanceof Promise) result.catch(() => undefined);
      failures.push(`${c.label}: expected ${names} to be thrown synchronously, but the call returned ${describe(result)}`);
      continue;
    }
    if (!classes.some((k) => err instanceof k)) {
      failures.push(`${c.label}: expected ${names}, got ${describe(err)}: ${(err as Error)?.message}`);
      continue;
    }
    const msg = (err as Error).message;
    for (const s of c.contains ?? []) {
      if (!msg.includes(s)) failures.push(`${c.label}: message ${JSON.stringify(msg)} does not name ${JSON.stringify(s)}`);
    }
  }
  if (failures.length > 0) t.fail(`${failures.length} failed checks in ${cases.length} cases:\n${failures.join('\n')}`);
  else t.pass();
}

function describe(x: unknown): string {
  if (x instanceof Error) return x.constructor.name;
  if (x instanceof Promise) return 'a Promise';
  if (x instanceof dn.NdArray) return `an NdArray ${JSON.stringify(x.shape)}`;
  return typeof x;
}

// ---- the error classes --------------------------------------------------------------------------
test('ShapeError is exported, a subclass of Error (not TypeError/RangeError), named, with a code', (t) => {
  t.is(typeof dn.ShapeError, 'function');
  const e = new dn.ShapeError('x');
  t.true(e instanceof Error);
  t.false(e instanceof TypeError);
  t.false(e instanceof RangeError);
  t.is(e.name, 'ShapeError');
  let thrown: unknown;
  try {
    dn.add(dn.zeros([3]), dn.zeros([4]));
  } catch (err) {
    thrown = err;
  }
  t.true(thrown instanceof dn.ShapeError);
  t.is((thrown as dn.ShapeError).name, 'ShapeError');
  t.is(typeof (thrown as { code?: unknown }).code, 'string');
  t.true(String(thrown).startsWith('ShapeError'));
});

// ---- TypeError ---------------------------------------------------------------------------------
test('bad dtypes throw TypeError naming the dtype', (t) => {
  const x = dn.array([1, 2, 3]);
  const bad: [string, () => unknown, string][] = [
    ['zeros int64', () => dn.zeros([2], { dtype: 'int64' as Any }), 'int64'],
    ['ones float16', () => dn.ones(3, { dtype: 'float16' as Any }), 'float16'],
    ['empty complex128', () => dn.empty([2], { dtype: 'complex128' as Any }), 'complex128'],
    ['full int8', () => dn.full([2], 1, { dtype: 'int8' as Any }), 'int8'],
    ['arange x', () => dn.arange(3, { dtype: 'x' as Any }), "'x'"],
    ['linspace f8', () => dn.linspace(0, 1, 3, { dtype: 'f8' as Any }), 'f8'],
    ['eye double', () => dn.eye(2, 2, { dtype: 'double' as Any }), 'double'],
    ['array float', () => dn.array([1, 2], { dtype: 'float' as Any }), 'float'],
    ['array Float64 (case)', () => dn.array([1, 2], { dtype: 'Float64' as Any }), 'Float64'],
    ['astype int64', () => x.astype('int64' as Any), 'int64'],
    ['dn.astype complex', () => dn.astype(x, 'complex' as Any), 'complex'],
    ['zeros dtype 5', () => dn.zeros([2], { dtype: 5 as Any }), '5'],
    ['zeros dtype null', () => dn.zeros([2], { dtype: null as Any }), 'null'],
    ['array of a BigInt64Array', () => dn.array(new BigInt64Array(2)), 'BigInt64Array'],
  ];
  checkThrows(t, bad.map(([label, call, s]) => ({ label, call, cls: TypeError, contains: [s] })));
});

test('bad argument types throw TypeError', (t) => {
  const x = dn.array([1, 2, 3]);
  const f = dn.array([1.5, 2.5]);
  const i = dn.array([1, 2], { dtype: 'int32' });
  const calls: [string, () => unknown][] = [
    ["add(x, 'a')", () => dn.add(x, 'a' as Any)],
    ['add(x, [1,2]) (a JS array)', () => dn.add(x, [1, 2] as Any)],
    ['add(x, null)', () => dn.add(x, null as Any)],
    ['add(x, undefined)', () => dn.add(x, undefined as Any)],
    ['add({}, 1)', () => dn.add({} as Any, 1)],
    ['add(x, 1n)', () => dn.add(x, 1n as Any)],
    ["neg('3')", () => dn.neg('3' as Any)],
    ['x.mul({})', () => x.mul({} as Any)],
    ["x.lt('1')", () => x.lt('1' as Any)],
    ["where(x, 'a', 1)", () => dn.where(x, 'a' as Any, 1)],
    ["where('c', x, 1)", () => dn.where('c' as Any, x, 1)],
    ["clip(x, 'a', 1)", () => dn.clip(x, 'a' as Any, 1)],
    ["zeros('3')", () => dn.zeros('3' as Any)],
    ['zeros([2, 1.5])', () => dn.zeros([2, 1.5])],
    ["zeros([2, '3'])", () => dn.zeros([2, '3'] as Any)],
    ['zeros(null)', () => dn.zeros(null as Any)],
    ['ones({})', () => dn.ones({} as Any)],
    ['zeros(NaN)', () => dn.zeros(NaN)],
    ["full([2], 'x')", () => dn.full([2], 'x' as Any)],
    ['full([2], null)', () => dn.full([2], null as Any)],
    ['full([2], 1, 5) (options not an object)', () => dn.full([2], 1, 5 as Any)],
    ["arange('5')", () => dn.arange('5' as Any)],
    ["arange(0, '5')", () => dn.arange(0, '5' as Any)],
    ["arange(0, 5, '1')", () => dn.arange(0, 5, '1' as Any)],
    ["linspace('0', 1, 3)", () => dn.linspace('0' as Any, 1, 3)],
    ["linspace(0, 1, '3')", () => dn.linspace(0, 1, '3' as Any)],
    ["array('abc')", () => dn.array('abc')],
    ["array([1, 'a'])", () => dn.array([1, 'a'])],
    ['array({})', () => dn.array({})],
    ["array([[1], ['x']])", () => dn.array([[1], ['x']])],
    ['array(null)', () => dn.array(null)],
    ['array(undefined)', () => dn.array(undefined)],
    ['slice({})', () => x.slice({} as Any)],
    ['slice([1.5])', () => x.slice([1.5])],
    ['slice(1.5)', () => x.slice(1.5)],
    ["slice(['a'])", () => x.slice(['a'] as Any)],
    ['slice([[1, 2, 3, 4]])', () => x.slice([[1, 2, 3, 4]] as Any)],
    ['slice(null)', () => x.slice(null as Any)],
    ['slice(undefined)', () => x.slice(undefined as Any)],
    ["slice('a')", () => x.slice('a')],
    ["slice('1.5')", () => x.slice('1.5')],
    ["slice(':::')", () => x.slice(':::')],
    ["reshape(['a'])", () => x.reshape(['a'] as Any)],
    ['reshape([1.5, 2])', () => x.reshape([1.5, 2])],
    ["reshape('3')", () => x.reshape('3' as Any)],
    ["assign('x')", () => x.assign('x' as Any)],
    ["set(':', 'x')", () => x.set(':', 'x' as Any)],
    ["set(':', [1,2,3]) (a JS array)", () => x.set(':', [1, 2, 3] as Any)],
    ['add(x, x, {out: [1]})', () => dn.add(x, x, { out: [1] as Any })],
    ['add(x, x, {out: 5})', () => dn.add(x, x, { out: 5 as Any })],
    ["matmul(x, 3)", () => dn.matmul(x, 3 as Any)],
    ['dot([1], x)', () => dn.dot([1] as Any, x)],
    ["outer(x, 'a')", () => dn.outer(x, 'a' as Any)],
    ["sum('0')", () => x.sum('0' as Any)],
    ['sum(1.5)', () => x.sum(1.5)],
    ["transpose(['a', 0])", () => dn.transpose(dn.zeros([2, 2]), ['a', 0] as Any)],
    ['diagonal([1, 2])', () => dn.diagonal([1, 2] as Any)],
    ['diagonal(m, 1.5)', () => dn.diagonal(dn.zeros([2, 2]), 1.5)],
    ['dn.sum of a JS array', () => dn.sum([1, 2] as Any)],
    ["random.uniform(0, 1, 'x')", () => dn.random.uniform(0, 1, 'x' as Any)],
    ['bool negative', () => dn.neg(dn.array([true]))],
    ['bool subtract', () => dn.sub(dn.array([true]), dn.array([false]))],
  ];
  const cases: ErrCase[] = calls.map(([label, call]) => ({ label, call, cls: TypeError }));
  // Casting a ufunc's float result into an int out is refused (NumPy's UFuncTypeError is a TypeError).
  cases.push(
    { label: 'add float64 into int32 out', call: () => dn.add(f, f, { out: dn.zeros([2], { dtype: 'int32' }) }), cls: TypeError, contains: ['float64', 'int32'] },
    { label: 'sqrt int32 into uint8 out', call: () => dn.sqrt(i, { out: dn.zeros([2], { dtype: 'uint8' }) }), cls: TypeError, contains: ['uint8'] },
    { label: 'div into bool out', call: () => dn.div(i, i, { out: dn.zeros([2], { dtype: 'bool' }) }), cls: TypeError, contains: ['bool'] },
    { label: 'operand type named', call: () => dn.add(x, 'a' as Any), cls: TypeError, contains: ['string'] },
  );
  checkThrows(t, cases);
});

// ---- RangeError ---------------------------------------------------------------------------------
test('out-of-range indices and axes throw RangeError naming the index, axis and size', (t) => {
  const v = dn.array([1, 2, 3]);
  const a = dn.zeros([2, 3]);
  const b = dn.zeros([2, 3, 4]);
  const R = RangeError;
  checkThrows(t, [
    { label: "v.slice('5')", call: () => v.slice('5'), cls: R, contains: ['5', '3'] },
    { label: "v.slice('-4')", call: () => v.slice('-4'), cls: R, contains: ['-4', '3'] },
    { label: 'v.slice([3])', call: () => v.slice([3]), cls: R, contains: ['3'] },
    { label: 'v.slice(3)', call: () => v.slice(3), cls: R, contains: ['3'] },
    { label: "a.slice('0, 3')", call: () => a.slice('0, 3'), cls: R, contains: ['3', 'axis 1'] },
    { label: "a.slice('2')", call: () => a.slice('2'), cls: R, contains: ['2', 'axis 0'] },
    { label: "a.slice('..., 5')", call: () => a.slice('..., 5'), cls: R, contains: ['5'] },
    { label: "b.slice('1, ..., -5')", call: () => b.slice('1, ..., -5'), cls: R, contains: ['-5', '4'] },
    { label: "v.slice('0, 0') (too many indices)", call: () => v.slice('0, 0'), cls: R, contains: ['1', '2'] },
    { label: "a.slice(':, :, 0') (too many indices)", call: () => a.slice(':, :, 0'), cls: R, contains: ['2', '3'] },
    { label: "dn.array(5).slice('0')", call: () => dn.array(5).slice('0'), cls: R },
    { label: "a.slice('..., ...')", call: () => a.slice('..., ...'), cls: R },
    { label: "v.slice('::0') (zero step)", call: () => v.slice('::0'), cls: R },
    { label: 'a.transpose([0, 2])', call: () => a.transpose([0, 2]), cls: R, contains: ['2'] },
    { label: 'a.transpose([0, -3])', call: () => a.transpose([0, -3]), cls: R, contains: ['-3'] },
    { label: 'a.sum(2)', call: () => a.sum(2), cls: R, contains: ['2'] },
    { label: 'a.sum(-3)', call: () => a.sum(-3), cls: R, contains: ['-3'] },
    { label: 'a.mean(5)', call: () => a.mean(5), cls: R, contains: ['5'] },
    { label: 'a.argmax(2)', call: () => a.argmax(2), cls: R, contains: ['2'] },
    { label: 'a.max(-3)', call: () => a.max(-3), cls: R, contains: ['-3'] },
    { label: 'b.prod(3)', call: () => b.prod(3), cls: R, contains: ['3'] },
    { label: 'a.all(9)', call: () => a.all(9), cls: R, contains: ['9'] },
    { label: 'dn.sum(a, 7)', call: () => dn.sum(a, 7), cls: R, contains: ['7'] },
    { label: 'v.sum(1)', call: () => v.sum(1), cls: R, contains: ['1'] },
    { label: 'diagonal(a, 0, 0, 5)', call: () => dn.diagonal(a, 0, 0, 5), cls: R, contains: ['5'] },
    { label: 'diagonal(b, 0, -4, 0)', call: () => dn.diagonal(b, 0, -4, 0), cls: R, contains: ['-4'] },
    // NumPy's ValueError for these values: a RangeError or TypeError is acceptable.
    { label: 'zeros([-1])', call: () => dn.zeros([-1]), cls: [RangeError, TypeError], contains: ['-1'] },
    { label: 'eye(-2)', call: () => dn.eye(-2), cls: [RangeError, TypeError] },
    { label: 'arange(0, 5, 0)', call: () => dn.arange(0, 5, 0), cls: [RangeError, TypeError] },
    { label: 'arange(0, Infinity)', call: () => dn.arange(0, Infinity), cls: [RangeError, TypeError] },
    { label: 'linspace(0, 1, -1)', call: () => dn.linspace(0, 1, -1), cls: [RangeError, TypeError], contains: ['-1'] },
    { label: 'linspace(0, 1, 2.5)', call: () => dn.linspace(0, 1, 2.5), cls: [RangeError, TypeError] },
  ]);
});

// ---- ShapeError ---------------------------------------------------------------------------------
test('shapes that do not broadcast or match throw ShapeError naming the shapes', (t) => {
  const S = dn.ShapeError;
  const v3 = dn.zeros([3]);
  const v4 = dn.zeros([4]);
  const a23 = dn.zeros([2, 3]);
  const a32 = dn.zeros([3, 2]);
  const a34 = dn.zeros([3, 4]);
  checkThrows(t, [
    { label: 'add (3,) (4,)', call: () => dn.add(v3, v4), cls: S, contains: ['(3,)', '(4,)'] },
    { label: 'method add (3,) (4,)', call: () => v3.add(v4), cls: S, contains: ['(3,)', '(4,)'] },
    { label: 'add (2,3) (3,2)', call: () => dn.add(a23, a32), cls: S, contains: ['(2,3)', '(3,2)'] },
    { label: 'mul (3,4) (3,)', call: () => dn.mul(a34, v3), cls: S, contains: ['(3,4)', '(3,)'] },
    { label: 'lt (3,) (3,4)', call: () => dn.lt(v3, a34), cls: S, contains: ['(3,)', '(3,4)'] },
    { label: 'arctan2 (2,3) (4,)', call: () => dn.arctan2(a23, v4), cls: S, contains: ['(2,3)', '(4,)'] },
    { label: 'where (2,3) (3,) (4,)', call: () => dn.where(a23, v3, v4), cls: S, contains: ['(4,)'] },
    { label: 'clip (3,) with (4,) bound', call: () => dn.clip(v3, v4, 1), cls: S, contains: ['(3,)', '(4,)'] },
    { label: 'a.reshape([4]) from size 6', call: () => a23.reshape([4]), cls: S, contains: ['6', '(4,)'] },
    { label: 'a.reshape([4, -1]) from size 6', call: () => a23.reshape([4, -1]), cls: S, contains: ['6'] },
    { label: 'a.reshape([-1, -1])', call: () => a23.reshape([-1, -1]), cls: S },
    { label: 'dn.reshape(a, [7])', call: () => dn.reshape(a23, [7]), cls: S, contains: ['6', '7'] },
    { label: 'matmul (2,3) @ (2,3)', call: () => dn.matmul(a23, a23), cls: S, contains: ['3', '2'] },
    { label: 'matmul (3,) @ (4,)', call: () => dn.matmul(v3, v4), cls: S, contains: ['3', '4'] },
    { label: 'a.matmul(b) (3,4) @ (3,2)', call: () => a34.matmul(a32), cls: S, contains: ['4', '3'] },
    { label: 'dot (2,3) . (2,3)', call: () => dn.dot(a23, a23), cls: S, contains: ['(2,3)'] },
    { label: 'dot (3,) . (4,)', call: () => dn.dot(v3, v4), cls: S, contains: ['(3,)', '(4,)'] },
    { label: "v3.set(':', zeros(4))", call: () => v3.set(':', v4), cls: S, contains: ['(4,)', '(3,)'] },
    { label: "a23.set(':', zeros(3,2))", call: () => a23.set(':', a32), cls: S, contains: ['(3,2)', '(2,3)'] },
    { label: "a23.slice('0').assign(ones(2))", call: () => a23.slice('0').assign(dn.ones([2])), cls: S, contains: ['(2,)', '(3,)'] },
    { label: "a23.set('1:', zeros(2,3)) (into (1,3))", call: () => a23.set('1:', dn.zeros([2, 3])), cls: S, contains: ['(2,3)', '(1,3)'] },
    { label: 'add out of shape (2,)', call: () => dn.add(v3, v3, { out: dn.zeros([2]) }), cls: S, contains: ['(2,)', '(3,)'] },
    { label: 'add (2,3) into out (3,)', call: () => dn.add(a23, 1, { out: dn.zeros([3]) }), cls: S, contains: ['(3,)', '(2,3)'] },
    { label: 'neg into out (4,)', call: () => dn.neg(v3, { out: v4 }), cls: S, contains: ['(4,)', '(3,)'] },
    { label: 'array ragged [[1,2],[3]]', call: () => dn.array([[1, 2], [3]]), cls: S },
    { label: 'array ragged [1, [2]]', call: () => dn.array([1, [2]]), cls: S },
    { label: 'array([1,2,3], shape [2,2])', call: () => dn.array([1, 2, 3], { shape: [2, 2] }), cls: S, contains: ['3'] },
    { label: 'a23.transpose([0]) (axes of the wrong length)', call: () => a23.transpose([0]), cls: S },
    { label: 'diagonal of a 1-D array', call: () => dn.diagonal(v3), cls: S },
    { label: 'diagonal with axis1 == axis2', call: () => dn.diagonal(a23, 0, 1, 1), cls: S },
    { label: 'max of an empty array', call: () => dn.zeros([0]).max(), cls: S },
    { label: 'item of a size-3 array', call: () => v3.item(), cls: S, contains: ['3'] },
  ]);
});

test('Python integers out of bounds for an integer dtype are refused, as NumPy 2 refuses them', (t) => {
  // NumPy 2 raises OverflowError ("Python integer 300 out of bounds for uint8") for all of these;
  // the library already refuses u8.add(300) with a TypeError, so writes and creation should too.
  const u8 = dn.zeros([3], { dtype: 'uint8' });
  const i32 = dn.zeros([3], { dtype: 'int32' });
  const C: ErrorClass[] = [TypeError, RangeError];
  checkThrows(t, [
    { label: 'u8.add(300)', call: () => u8.add(300), cls: C, contains: ['300', 'uint8'] },
    { label: 'i32.mul(2**31)', call: () => i32.mul(2 ** 31), cls: C, contains: ['2147483648', 'int32'] },
    { label: "full(3, 300, {dtype: 'uint8'})", call: () => dn.full(3, 300, { dtype: 'uint8' }), cls: C, contains: ['300'] },
    { label: "full(2, 2**31, {dtype: 'int32'})", call: () => dn.full(2, 2 ** 31, { dtype: 'int32' }), cls: C, contains: ['2147483648'] },
    { label: "array([300], {dtype: 'uint8'})", call: () => dn.array([300], { dtype: 'uint8' }), cls: C, contains: ['300'] },
    { label: "array([-1], {dtype: 'uint8'})", call: () => dn.array([-1], { dtype: 'uint8' }), cls: C, contains: ['-1'] },
    { label: "u8.set(':', 300)", call: () => u8.set(':', 300), cls: C, contains: ['300'] },
    { label: 'u8.assign(-1)', call: () => u8.assign(-1), cls: C, contains: ['-1'] },
    { label: "i32.set(':', 2**31)", call: () => i32.set(':', 2 ** 31), cls: C, contains: ['2147483648'] },
  ]);
});

// ---- nothing recorded, runtime usable --------------------------------------------------------
test('a failed call records nothing and the runtime stays usable', async (t) => {
  const x = dn.array([1, 2, 3]);
  const before = x.mul(10); // built before the failures: must still be right
  const o = dn.full([2], 5);
  const grid = dn.array([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
  const attempts: (() => unknown)[] = [
    () => x.set(':', dn.zeros([4])),
    () => grid.set('0, 5', 1),
    () => grid.set(':', dn.zeros([3, 2])),
    () => dn.add(x, x, { out: o }),
    () => dn.add(grid, grid, { out: dn.zeros([2, 3], { dtype: 'int32' }) }),
    () => dn.add(x, dn.zeros([4])),
    () => x.reshape([2, 2]),
    () => dn.matmul(grid, grid),
    () => x.astype('int64' as Any),
    () => x.slice('garbage'),
    () => grid.sum(5),
    () => dn.zeros([2], { dtype: 'x' as Any }),
    () => x.assign('nope' as Any),
    () => dn.array([[1], [2, 3]]),
  ];
  let thrown = 0;
  for (const f of attempts) {
    try {
      f();
    } catch {
      thrown++;
    }
  }
  t.is(thrown, attempts.length, 'every bad call threw');
  await dn.flush();
  t.deepEqual(await x.toArray(), [1, 2, 3], 'x unchanged by the failed set/assign');
  t.deepEqual(await grid.toArray(), [[1, 2, 3], [4, 5, 6]], 'grid unchanged by the failed writes');
  t.deepEqual(await o.toArray(), [5, 5], 'out unchanged by the failed op');
  t.deepEqual(await before.toArray(), [10, 20, 30], 'an op built before the failures');
  // Valid operations afterwards give the right values.
  t.deepEqual(await x.add(1).toArray(), [2, 3, 4]);
  t.deepEqual(await dn.matmul(grid, grid.T).toArray(), [[14, 32], [32, 77]]);
  t.is(await grid.sum().item(), 21);
  grid.set('0', 0);
  t.deepEqual(await grid.toArray(), [[0, 0, 0], [4, 5, 6]]);
});

// ---- fuzzing the slice parser ------------------------------------------------------------------
const TOKENS = [
  '0', '1', '2', '3', '-1', '-2', '-5', '10', '+1', ':', ':', '::', ',', ',', ' ', '...', 'None', 'newaxis',
  '+', '-', 'a', '(', ')', '[', ']', '.', '1.5', '\t', 'e', '99999999999999999999', ';', '*', '00', '01', 'x', '\n',
];
const HAND_PICKED = [
  '', ' ', ',', ',,', ':,', ' , ', '1,', ',1', '...,...', '....', '. . .', '::::', '1:2:3:4', '--1', '+-1', '1-',
  '0x1', '1e2', '\u0661', 'NaN', 'Infinity', 'None:None', ' None ', 'newaxis,newaxis,newaxis,newaxis,...', '\n0', '0\n',
  '-0', '-0:-0:-1', '1:2:', '::-1,::-1,::-1', '9007199254740993', '-9007199254740993:', '1_000', '0b1', '٣', '１',
  ':,'.repeat(5000), 'None,'.repeat(40) + '0', '0,'.repeat(3) + '...', '...,' + 'None,'.repeat(3), ':' + '0'.repeat(400),
  '::-' + '9'.repeat(30), '\u0000', '"1"', "'1'", '{}', '[1]', '(1)', 'None,...,None,...',
];

function randomSpec(r: () => number): string {
  if (r() < 0.3) {
    // Characters from printable ASCII.
    const n = Math.floor(r() * 10);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(32 + Math.floor(r() * 95));
    return s;
  }
  const n = Math.floor(r() * 9);
  let s = '';
  for (let i = 0; i < n; i++) s += TOKENS[Math.floor(r() * TOKENS.length)];
  return s;
}

/** Our spec as a Python index expression (or null when Python would read it differently). */
function pyIndex(spec: string): string {
  if (spec.trim() === '') return '()';
  return spec.replace(/\bnewaxis\b/g, 'None');
}

test('fuzzing the slice-string parser: TypeError or RangeError or a result equal to NumPy', async (t) => {
  const b = dn.array(Array.from({ length: 24 }, (_, i) => i), { shape: [2, 3, 4], dtype: 'int32' });
  const v = dn.array([5, 6, 7], { dtype: 'int32' });
  const s = dn.array(9, { dtype: 'int32' });
  const targets: [string, dn.NdArray][] = [
    ['b', b],
    ['v', v],
    ['s', s],
  ];
  const r = lcg(20240607);
  const specs = [...HAND_PICKED];
  for (let i = 0; i < 600; i++) specs.push(randomSpec(r));
  const failures: string[] = [];
  const successes: { label: string; result: dn.NdArray; np: string }[] = [];
  let threw = 0;
  for (const spec of specs) {
    for (const [name, x] of targets) {
      const label = `${name}.slice(${JSON.stringify(spec.length > 60 ? `${spec.slice(0, 60)}...` : spec)})`;
      let res: unknown;
      try {
        res = x.slice(spec);
      } catch (e) {
        threw++;
        if (!(e instanceof TypeError) && !(e instanceof RangeError)) {
          failures.push(`${label}: threw ${describe(e)}: ${(e as Error)?.message}`);
        }
        continue;
      }
      if (!(res instanceof dn.NdArray)) {
        failures.push(`${label}: returned ${describe(res)}`);
        continue;
      }
      if (!res.shape.every((d) => Number.isInteger(d) && d >= 0)) failures.push(`${label}: bad shape ${JSON.stringify(res.shape)}`);
      // Compare with NumPy when the index is not absurdly long.
      if (spec.length <= 200) successes.push({ label, result: res, np: `${name}[${pyIndex(spec)}]` });
    }
  }
  const exp = await numpy({ b, v, s }, Object.fromEntries(successes.map((c, i) => [`c${i}`, c.np])));
  const ctx = collecting(failures);
  let compared = 0;
  for (const [i, c] of successes.entries()) {
    const e: NpResult | undefined = exp[`c${i}`];
    // Python cannot parse some specs our parser accepts ('01', tabs...): nothing to compare.
    if (e && 'error' in e && (e.error === 'SyntaxError' || e.error === 'TokenError')) continue;
    if (e && 'error' in e) {
      failures.push(`${c.label}: succeeded with shape ${JSON.stringify(c.result.shape)}, but NumPy raised ${e.error}: ${e.message}`);
      continue;
    }
    compared++;
    await assertMatches(ctx, c.result, e, c.label);
  }
  t.log(`${specs.length * targets.length} slices: ${threw} threw, ${successes.length} succeeded, ${compared} compared with NumPy`);
  t.true(compared > 50, 'enough successful slices were compared with NumPy');
  if (failures.length > 0) t.fail(`${failures.length} failed checks:\n${failures.join('\n')}`);
});

test('fuzzing array slice specs: TypeError or RangeError or a result equal to NumPy', async (t) => {
  const b = dn.array(Array.from({ length: 24 }, (_, i) => i), { shape: [2, 3, 4], dtype: 'int32' });
  const POOL: unknown[] = [
    0, 1, -1, 2, 5, -7, 1.5, NaN, Infinity, -0, null, undefined, '...', 'newaxis', 'None', ':', [], [1], [1, null],
    [null, null, -1], [0, 0, 0], [1, 2, 3, 4], ['a'], {}, true, [1.5, 2], [null, 2, null], [-1, -3, -1], [undefined, 1],
  ];
  const r = lcg(99);
  const failures: string[] = [];
  const successes: { label: string; result: dn.NdArray; np: string }[] = [];
  const toPy = (it: unknown): string => {
    if (it === null) return ':';
    if (it === '...') return '...';
    if (it === 'newaxis') return 'None';
    if (typeof it === 'number') return String(it);
    const [a, b2, c] = it as (number | null | undefined)[];
    const f = (x: number | null | undefined): string => (x === null || x === undefined ? '' : String(x));
    return `${f(a)}:${f(b2)}${c === undefined || c === null ? '' : `:${c}`}`;
  };
  for (let k = 0; k < 400; k++) {
    const n = Math.floor(r() * 5);
    const spec = Array.from({ length: n }, () => POOL[Math.floor(r() * POOL.length)]);
    const label = `b.slice(${JSON.stringify(spec)})`;
    let res: unknown;
    try {
      res = b.slice(spec as dn.SliceSpec);
    } catch (e) {
      if (!(e instanceof TypeError) && !(e instanceof RangeError)) failures.push(`${label}: threw ${describe(e)}: ${(e as Error)?.message}`);
      continue;
    }
    if (!(res instanceof dn.NdArray)) {
      failures.push(`${label}: returned ${describe(res)}`);
      continue;
    }
    successes.push({ label, result: res, np: spec.length === 0 ? 'b[()]' : `b[${spec.map(toPy).join(', ')},]` });
  }
  const exp = await numpy({ b }, Object.fromEntries(successes.map((c, i) => [`c${i}`, c.np])));
  const ctx = collecting(failures);
  for (const [i, c] of successes.entries()) await assertMatches(ctx, c.result, exp[`c${i}`], c.label);
  t.log(`400 specs: ${successes.length} succeeded and were compared with NumPy`);
  t.true(successes.length > 30, 'enough successful specs');
  if (failures.length > 0) t.fail(`${failures.length} failed checks:\n${failures.join('\n')}`);
});
