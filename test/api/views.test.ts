// Views against NumPy: basic indexing with strings and arrays, reshape (view or copy), transpose,
// diagonal, writes through views to the base, overlapping self-assignment, and lazy expressions
// that must keep the values they were built from when their inputs are written afterwards.
// Every mutated array has an untouched twin built from the same JS values, which NumPy receives.
import test, { type ExecutionContext } from 'ava';
import * as dn from '../../lib/index.js';
import { type CompareOptions, type NpResult, assertMatches, numpy } from '../helpers/numpy.js';
import { collecting } from '../helpers/cases.js';

// ---- a batch of cases, one NumPy call --------------------------------------------------------
interface Case {
  label: string;
  actual: () => dn.NdArray;
  np: string;
  opts?: CompareOptions;
}

async function runCases(t: ExecutionContext, inputs: Record<string, dn.NdArray>, cases: Case[]): Promise<void> {
  const built = cases.map((c) => {
    try {
      return { v: c.actual() } as const;
    } catch (e) {
      return { e } as const;
    }
  });
  const expected = await numpy(inputs, Object.fromEntries(cases.map((c, i) => [`c${i}`, c.np])));
  await compare(t, cases.map((c, i) => ({ label: c.label, built: built[i], expected: expected[`c${i}`], opts: c.opts })));
}

async function compare(
  t: ExecutionContext,
  items: { label: string; built: { v: dn.NdArray } | { e: unknown }; expected: NpResult | undefined; opts?: CompareOptions }[],
): Promise<void> {
  const failures: string[] = [];
  const ctx = collecting(failures);
  for (const { label, built, expected, opts } of items) {
    if ('e' in built) {
      ctx.fail(`${label}: threw ${String(built.e)} (NumPy: ${expected && 'error' in expected ? `${expected.error}: ${expected.message}` : 'a result'})`);
      continue;
    }
    await assertMatches(ctx, built.v, expected, label, opts);
  }
  // ava reports only the first failed assertion of a test: report every failed case at once.
  if (failures.length > 0) t.fail(`${failures.length} failed checks in ${items.length} cases:\n${failures.join('\n')}`);
  else t.pass();
}

/**
 * Run some writes in our library, and in NumPy on a copy of `base` named x: `stmts` are Python
 * expressions over x evaluated in order (e.g. `x[1:][:, ::-2].__setitem__(Ellipsis, -1)`).
 */
function npAfter(base: string, ...stmts: string[]): string {
  return `(lambda x: [${[...stmts, 'x'].join(', ')}][-1])(${base}.copy())`;
}
/** NumPy `x[idx] = value` as an expression. */
function npSet(idx: string, value: string): string {
  return `x.__setitem__(np.s_[${idx}], ${value})`;
}

const A_VALS = Array.from({ length: 30 }, (_, i) => i * 1.25 - 10);
const B_VALS = Array.from({ length: 60 }, (_, i) => (i * 7) % 61);
const V_VALS = Array.from({ length: 10 }, (_, i) => i * i - 20);
const mkA = (): dn.NdArray => dn.array(A_VALS, { shape: [5, 6] });
const mkB = (): dn.NdArray => dn.array(B_VALS, { shape: [3, 4, 5], dtype: 'int32' });
const mkV = (): dn.NdArray => dn.array(V_VALS, { dtype: 'float64' });

// ---- slicing ---------------------------------------------------------------------------------------
test('slice with strings matches NumPy basic indexing', async (t) => {
  const a = mkA();
  const b = mkB();
  const v = mkV();
  const s0 = dn.array(3.5);
  const specs: [dn.NdArray, string, string, string][] = [
    // [array, its name in NumPy, our spec, NumPy index]
    [a, 'a', '1:-1, ::2', '1:-1, ::2'],
    [a, 'a', '..., 0', '..., 0'],
    [a, 'a', ':, None', ':, None'],
    [a, 'a', '::-1', '::-1'],
    [a, 'a', '::-2, 1::-1', '::-2, 1::-1'],
    [a, 'a', '2', '2'],
    [a, 'a', '-1', '-1'],
    [a, 'a', '1, 2', '1, 2'],
    [a, 'a', '-5, -6', '-5, -6'],
    [a, 'a', '..., None', '..., None'],
    [a, 'a', 'None, ..., None', 'None, ..., None'],
    [a, 'a', '1:4:2, -1', '1:4:2, -1'],
    [a, 'a', '  :: -1 ,  2 : ', '::-1, 2:'],
    [a, 'a', '10:', '10:'],
    [a, 'a', '-100:100', '-100:100'],
    [a, 'a', '3:1', '3:1'],
    [a, 'a', '3:1:-1', '3:1:-1'],
    [a, 'a', '-2:, :-4:-1', '-2:, :-4:-1'],
    [a, 'a', '...', '...'],
    [a, 'a', 'None', 'None'],
    [a, 'a', 'newaxis, 1', 'None, 1'],
    [a, 'a', '0, None, 1:3', '0, None, 1:3'],
    [a, 'a', '4:100:3, 100:-100:-4', '4:100:3, 100:-100:-4'],
    [a, 'a', '+1:', '1:'],
    [a, 'a', ':0, :', ':0, :'],
    [b, 'b', '1, ..., 2', '1, ..., 2'],
    [b, 'b', '..., 1:3', '..., 1:3'],
    [b, 'b', ':, 1, ::-2', ':, 1, ::-2'],
    [b, 'b', '::-1, ::-1, ::-1', '::-1, ::-1, ::-1'],
    [b, 'b', 'None, 1, None, ..., -1, None', 'None, 1, None, ..., -1, None'],
    [b, 'b', '..., 0, 0', '..., 0, 0'],
    [b, 'b', '2, 3, 4', '2, 3, 4'],
    [b, 'b', '1:2, 1:2, 1:2', '1:2, 1:2, 1:2'],
    [v, 'v', '::3', '::3'],
    [v, 'v', '-3::-3', '-3::-3'],
    [v, 'v', '7:2:-2', '7:2:-2'],
    [v, 'v', '5', '5'],
    [v, 'v', '100:-100:-1', '100:-100:-1'],
    [v, 'v', '-11:', '-11:'],
    [s0, 's0', '...', '...'],
    [s0, 's0', 'None', 'None'],
    [s0, 's0', '..., None, None', '..., None, None'],
  ];
  const cases: Case[] = specs.map(([x, name, spec, idx]) => ({ label: `${name}.slice('${spec}')`, actual: () => x.slice(spec), np: `${name}[${idx}]` }));
  cases.push(
    { label: "a.slice('') (everything)", actual: () => a.slice(''), np: 'a[()]' },
    { label: "s0.slice('')", actual: () => s0.slice(''), np: 's0[()]' },
    // Views of views.
    { label: 'a[::-1][1:, ::2]', actual: () => a.slice('::-1').slice('1:, ::2'), np: 'a[::-1][1:, ::2]' },
    { label: 'a.T[1:3]', actual: () => a.T.slice('1:3'), np: 'a.T[1:3]' },
    { label: 'a[1:4].T[::-1, 1]', actual: () => a.slice('1:4').T.slice('::-1, 1'), np: 'a[1:4].T[::-1, 1]' },
    { label: 'b[:, ::-1][1].T', actual: () => b.slice(':, ::-1').slice('1').T, np: 'b[:, ::-1][1].T' },
    { label: 'b[..., ::2][::-1, 1:, None]', actual: () => b.slice('..., ::2').slice('::-1, 1:, None'), np: 'b[..., ::2][::-1, 1:, None]' },
    { label: 'a[2:2][:, 1:] (empty view of empty view)', actual: () => a.slice('2:2').slice(':, 1:'), np: 'a[2:2][:, 1:]' },
    // Views feed computations.
    { label: 'a[::-1, 1::2] + 1', actual: () => a.slice('::-1, 1::2').add(1), np: 'a[::-1, 1::2] + 1' },
  );
  await runCases(t, { a, b, v, s0 }, cases);
});

test('slice with arrays of number | [start, stop, step?] | null (and a bare number) matches NumPy', async (t) => {
  const a = mkA();
  const b = mkB();
  const specs: [dn.NdArray, string, dn.SliceSpec, string][] = [
    [a, 'a', [[1, -1], [null, null, 2]], '1:-1, ::2'],
    [a, 'a', [null, 0], ':, 0'],
    [a, 'a', [2], '2'],
    [a, 'a', 2, '2'],
    [a, 'a', -1, '-1'],
    [a, 'a', [[4, 0, -1]], '4:0:-1'],
    [a, 'a', ['...', 1], '..., 1'],
    [a, 'a', ['newaxis', null], 'None, :'],
    [a, 'a', [[null, null, -1], [1, null]], '::-1, 1:'],
    [a, 'a', [[-2, null], 3], '-2:, 3'],
    [a, 'a', [[null, 3]], ':3'],
    [a, 'a', [[3, null]], '3:'],
    [a, 'a', [], '()'],
    [a, 'a', [null, null], ':, :'],
    [a, 'a', [1, 2], '1, 2'],
    [a, 'a', [[100, -100, -2], [-100, 100, 5]], '100:-100:-2, -100:100:5'],
    [b, 'b', [1, '...', [null, null, -2]], '1, ..., ::-2'],
    [b, 'b', ['newaxis', [null, null, -1], 'newaxis', 2], 'None, ::-1, None, 2'],
  ];
  const cases: Case[] = specs.map(([x, name, spec, idx]) => ({
    label: `${name}.slice(${JSON.stringify(spec)})`,
    actual: () => x.slice(spec),
    np: `${name}[${idx}]`,
  }));
  await runCases(t, { a, b }, cases);
});

// ---- reshape, transpose, T, diagonal ------------------------------------------------------------
test('reshape, transpose, T and diagonal match NumPy', async (t) => {
  const a = mkA();
  const b = mkB();
  const z = dn.zeros([0, 3]);
  const s0 = dn.array(5);
  const v = mkV();
  const cases: Case[] = [
    { label: 'a.reshape(3, 10)', actual: () => a.reshape([3, 10]), np: 'a.reshape(3, 10)' },
    { label: 'a.reshape(-1)', actual: () => a.reshape([-1]), np: 'a.reshape(-1)' },
    { label: 'a.reshape(2, -1, 3)', actual: () => a.reshape([2, -1, 3]), np: 'a.reshape(2, -1, 3)' },
    { label: 'a.reshape(30, 1)', actual: () => a.reshape([30, 1]), np: 'a.reshape(30, 1)' },
    { label: 'a.reshape(6, 5) varargs', actual: () => a.reshape(6, 5), np: 'a.reshape(6, 5)' },
    { label: 'dn.reshape(a, [1, 30, 1])', actual: () => dn.reshape(a, [1, 30, 1]), np: 'a.reshape(1, 30, 1)' },
    { label: 'a.T.reshape(-1) (copy)', actual: () => a.T.reshape([-1]), np: 'a.T.reshape(-1)' },
    { label: 'a[::2].reshape(-1) (copy)', actual: () => a.slice('::2').reshape([-1]), np: 'a[::2].reshape(-1)' },
    { label: 'a[::-1].reshape(6, 5) (copy)', actual: () => a.slice('::-1').reshape([6, 5]), np: 'a[::-1].reshape(6, 5)' },
    { label: 'a[1:3].reshape(2, 3, 2) (view)', actual: () => a.slice('1:3').reshape([2, 3, 2]), np: 'a[1:3].reshape(2, 3, 2)' },
    { label: 'a[:, 1:2].reshape(-1)', actual: () => a.slice(':, 1:2').reshape([-1]), np: 'a[:, 1:2].reshape(-1)' },
    { label: 'b.reshape(-1, 5)', actual: () => b.reshape([-1, 5]), np: 'b.reshape(-1, 5)' },
    { label: 'b.transpose(1,0,2).reshape(4, 15)', actual: () => b.transpose([1, 0, 2]).reshape([4, 15]), np: 'b.transpose(1, 0, 2).reshape(4, 15)' },
    { label: 'zeros((0,3)).reshape(-1, 3)', actual: () => z.reshape([-1, 3]), np: 'z.reshape(-1, 3)' },
    { label: 'zeros((0,3)).reshape(3, 0, 5)', actual: () => z.reshape([3, 0, 5]), np: 'z.reshape(3, 0, 5)' },
    { label: 'array(5).reshape(1, 1)', actual: () => s0.reshape([1, 1]), np: 's0.reshape(1, 1)' },
    { label: 'a[1, 2].reshape(()) ', actual: () => a.slice('1, 2').reshape([]), np: 'a[1, 2].reshape(())' },
    { label: 'a.add(1).reshape(5, 3, 2) (lazy)', actual: () => a.add(1).reshape([5, 3, 2]), np: '(a + 1).reshape(5, 3, 2)' },
    { label: 'a.ravel() of a transpose', actual: () => a.T.ravel(), np: 'a.T.ravel()' },
    { label: 'b.transpose([1,0,2])', actual: () => b.transpose([1, 0, 2]), np: 'b.transpose(1, 0, 2)' },
    { label: 'b.transpose([2,0,1])', actual: () => b.transpose([2, 0, 1]), np: 'b.transpose(2, 0, 1)' },
    { label: 'b.transpose([-1,0,1])', actual: () => b.transpose([-1, 0, 1]), np: 'b.transpose(-1, 0, 1)' },
    { label: 'b.transpose()', actual: () => b.transpose(), np: 'b.transpose()' },
    { label: 'b.T', actual: () => b.T, np: 'b.T' },
    { label: 'a.T.T', actual: () => a.T.T, np: 'a.T.T' },
    { label: 'dn.transpose(b, [1,2,0])', actual: () => dn.transpose(b, [1, 2, 0]), np: 'np.transpose(b, (1, 2, 0))' },
    { label: 'dn.transpose(a)', actual: () => dn.transpose(a), np: 'np.transpose(a)' },
    { label: 'b[::-1].transpose(2,1,0)[1:]', actual: () => b.slice('::-1').transpose([2, 1, 0]).slice('1:'), np: 'b[::-1].transpose(2, 1, 0)[1:]' },
    { label: 'v.T (1-D)', actual: () => v.T, np: 'v.T' },
    { label: 's0.T (0-d)', actual: () => s0.T, np: 's0.T' },
    { label: 'diagonal(a)', actual: () => dn.diagonal(a), np: 'np.diagonal(a)' },
    { label: 'diagonal(a, 1)', actual: () => dn.diagonal(a, 1), np: 'np.diagonal(a, 1)' },
    { label: 'diagonal(a, -2)', actual: () => dn.diagonal(a, -2), np: 'np.diagonal(a, -2)' },
    { label: 'diagonal(a, 5)', actual: () => dn.diagonal(a, 5), np: 'np.diagonal(a, 5)' },
    { label: 'diagonal(a, 6)', actual: () => dn.diagonal(a, 6), np: 'np.diagonal(a, 6)' },
    { label: 'diagonal(a, -10)', actual: () => dn.diagonal(a, -10), np: 'np.diagonal(a, -10)' },
    { label: 'diagonal(b, 0, 1, 2)', actual: () => dn.diagonal(b, 0, 1, 2), np: 'np.diagonal(b, 0, 1, 2)' },
    { label: 'diagonal(b, 1, 0, 2)', actual: () => dn.diagonal(b, 1, 0, 2), np: 'np.diagonal(b, 1, 0, 2)' },
    { label: 'diagonal(b, -1, 2, 0)', actual: () => dn.diagonal(b, -1, 2, 0), np: 'np.diagonal(b, -1, 2, 0)' },
    { label: 'diagonal(b, 2, -1, -2)', actual: () => dn.diagonal(b, 2, -1, -2), np: 'np.diagonal(b, 2, -1, -2)' },
    { label: 'diagonal(a.T, 1)', actual: () => dn.diagonal(a.T, 1), np: 'np.diagonal(a.T, 1)' },
    { label: 'diagonal(a[::-1], 2)', actual: () => dn.diagonal(a.slice('::-1'), 2), np: 'np.diagonal(a[::-1], 2)' },
    { label: 'diagonal(a[1:, ::-2], -1)', actual: () => dn.diagonal(a.slice('1:, ::-2'), -1), np: 'np.diagonal(a[1:, ::-2], -1)' },
    { label: 'diagonal(eye(4) * 3)', actual: () => dn.diagonal(dn.eye(4).mul(3)), np: 'np.diagonal(np.eye(4) * 3)' },
  ];
  await runCases(t, { a, b, z, s0, v }, cases);
});

// ---- writes through views --------------------------------------------------------------------------
test('set and assign write through views to the base as NumPy does', async (t) => {
  const a0 = mkA();
  const b0 = mkB();
  const v0 = mkV();
  const B34 = dn.array(Array.from({ length: 12 }, (_, i) => 100 + i), { shape: [3, 4] });
  const col5 = dn.array([1, 2, 3, 4, 5], { dtype: 'float64' });
  const row3 = dn.array([-1.5, -2.5, -3.5]);
  const row16 = dn.array([[9, 8, 7, 6, 5, 4]], { dtype: 'float64' });
  const rev = dn.array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]).slice('::-1');

  const items: { label: string; run: () => dn.NdArray; np: string }[] = [
    { label: "a.set('1:-1, 1:-1', B34)", run: () => mkA().set('1:-1, 1:-1', B34), np: npAfter('a0', npSet('1:-1, 1:-1', 'B34')) },
    { label: "a.set('::2', 5)", run: () => mkA().set('::2', 5), np: npAfter('a0', npSet('::2', '5')) },
    { label: "a.set('..., 0', col5)", run: () => mkA().set('..., 0', col5), np: npAfter('a0', npSet('..., 0', 'col5')) },
    { label: "a.slice('::-1, 1::2').assign(row3)", run: () => { const a = mkA(); a.slice('::-1, 1::2').assign(row3); return a; }, np: npAfter('a0', npSet('::-1, 1::2', 'row3')) },
    {
      label: "a.slice('1:').slice(':, ::-2').assign(-1) (view of a view)",
      run: () => { const a = mkA(); a.slice('1:').slice(':, ::-2').assign(-1); return a; },
      np: npAfter('a0', 'x[1:][:, ::-2].__setitem__(Ellipsis, -1)'),
    },
    { label: 'a.T.assign(col5) (transposed view, broadcast)', run: () => { const a = mkA(); a.T.assign(col5); return a; }, np: npAfter('a0', 'x.T.__setitem__(Ellipsis, col5)') },
    { label: "a.set('2', row16) (extra leading 1)", run: () => mkA().set('2', row16), np: npAfter('a0', npSet('2', 'row16')) },
    { label: "a.set('3', reversed view)", run: () => mkA().set('3', rev), np: npAfter('a0', npSet('3', 'np.array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5])[::-1]')) },
    { label: "a.set('1:3', 0-d array)", run: () => mkA().set('1:3', dn.array(7.5)), np: npAfter('a0', npSet('1:3', '7.5')) },
    { label: 'a.set([[1, 4], null], -3)', run: () => mkA().set([[1, 4], null], -3), np: npAfter('a0', npSet('1:4, :', '-3')) },
    { label: 'a.set(0, -1) (number spec)', run: () => mkA().set(0, -1), np: npAfter('a0', npSet('0', '-1')) },
    { label: "a.set('1, 2', 99) (one element)", run: () => mkA().set('1, 2', 99), np: npAfter('a0', npSet('1, 2', '99')) },
    { label: "a.set(':, None, 0', col5 as a column)", run: () => mkA().set(':, None, 0', col5.reshape([5, 1])), np: npAfter('a0', npSet(':, None, 0', 'col5.reshape(5, 1)')) },
    { label: "a.set('...', true)", run: () => mkA().set('...', true), np: npAfter('a0', npSet('...', 'True')) },
    { label: "a.set('4:4', 1) (empty)", run: () => mkA().set('4:4', 1), np: npAfter('a0', npSet('4:4', '1')) },
    { label: "a.reshape(30).set('::7', 0) (view)", run: () => { const a = mkA(); a.reshape([30]).set('::7', 0); return a; }, np: npAfter('a0', 'x.reshape(30).__setitem__(np.s_[::7], 0)') },
    { label: 'a.T.reshape(-1).set(:, 0) (copy: base unchanged)', run: () => { const a = mkA(); a.T.reshape([-1]).set(':', 0); return a; }, np: 'a0' },
    { label: "a.slice('1:3').reshape(2,3,2).set('1', 0) (view)", run: () => { const a = mkA(); a.slice('1:3').reshape([2, 3, 2]).set('1', 0); return a; }, np: npAfter('a0', 'x[1:3].reshape(2, 3, 2).__setitem__(1, 0)') },
    { label: "a.T.set('0', 1) (T is a view)", run: () => { const a = mkA(); a.T.set('0', 1); return a; }, np: npAfter('a0', 'x.T.__setitem__(0, 1)') },
    { label: "b.transpose(2,0,1).set('0', 7)", run: () => { const b = mkB(); b.transpose([2, 0, 1]).set('0', 7); return b; }, np: npAfter('b0', 'x.transpose(2, 0, 1).__setitem__(0, 7)') },
    { label: "b.set('..., 1', 2.9) (float into int: truncates)", run: () => mkB().set('..., 1', 2.9), np: npAfter('b0', npSet('..., 1', '2.9')) },
    { label: "b.set('1', a-slice floats) (cast)", run: () => mkB().set('1', mkA().slice('1:5, 1:').mul(-1)), np: npAfter('b0', npSet('1', '-(a0[1:5, 1:])')) },
    { label: "bool.set('1:', 2)", run: () => dn.zeros([4], { dtype: 'bool' }).set('1:', 2), np: npAfter("np.zeros(4, dtype='bool')", npSet('1:', '2')) },
    { label: "uint8.set(':', 3.7)", run: () => dn.zeros([3], { dtype: 'uint8' }).set(':', 3.7), np: npAfter("np.zeros(3, dtype='uint8')", npSet(':', '3.7')) },
    { label: "float32.set(':', 0.1)", run: () => dn.zeros([2], { dtype: 'float32' }).set(':', 0.1), np: npAfter("np.zeros(2, dtype='float32')", npSet(':', '0.1')) },
    {
      label: 'sequential writes through two views',
      run: () => { const a = mkA(); a.slice(':, ::2').assign(1); a.slice('::2').assign(a.slice('1::2').slice(':1').mul(10)); return a; },
      np: npAfter('a0', npSet(':, ::2', '1'), npSet('::2', 'x[1::2][:1] * 10')),
    },
    {
      label: 'writing into a view then reading another view of the same base',
      run: () => { const a = mkA(); const w = a.slice(':, 2'); a.slice('1:3').assign(9); return w; },
      np: '(lambda x: [x.__setitem__(np.s_[1:3], 9), x[:, 2]][-1])(a0.copy())',
    },
    {
      label: 'a view made before a base write reads the new values',
      run: () => { const a = mkA(); const d = dn.diagonal(a); a.set(':', 0); a.set('1, 1', 100); return d; },
      np: '(lambda x: [x.__setitem__(Ellipsis, 0), x.__setitem__((1, 1), 100), np.diagonal(x)][-1])(a0.copy())',
    },
    {
      label: 'a view of a reshape view sees writes made through the base',
      run: () => { const a = mkA(); const r = a.reshape([3, 10]).slice('::-1, 1::3'); a.set('..., -1', -8); return r; },
      np: '(lambda x: [x.__setitem__(np.s_[..., -1], -8), x.reshape(3, 10)[::-1, 1::3]][-1])(a0.copy())',
    },
    { label: 'v.set returns v (chained sets)', run: () => mkV().set('0', 1).set('-1', 2), np: npAfter('v0', npSet('0', '1'), npSet('-1', '2')) },
  ];
  const built = items.map((it) => {
    try {
      return { v: it.run() } as const;
    } catch (e) {
      return { e } as const;
    }
  });
  const exp = await numpy({ a0, b0, v0, B34, col5, row3, row16 }, Object.fromEntries(items.map((it, i) => [`c${i}`, it.np])));
  await compare(t, items.map((it, i) => ({ label: it.label, built: built[i], expected: exp[`c${i}`] })));
});

// ---- overlap -------------------------------------------------------------------------------------
test('overlapping self-assignment reads the whole right side first, as NumPy', async (t) => {
  const v0 = mkV();
  const a0 = mkA();
  const SQ = Array.from({ length: 16 }, (_, i) => i * 3 - 5);
  const sq0 = dn.array(SQ, { shape: [4, 4], dtype: 'int32' });
  const mkSq = (): dn.NdArray => dn.array(SQ, { shape: [4, 4], dtype: 'int32' });
  const items: { label: string; run: () => dn.NdArray; np: string }[] = [
    { label: "v.set('1:', v[:-1])", run: () => { const v = mkV(); return v.set('1:', v.slice(':-1')); }, np: npAfter('v0', 'x.__setitem__(np.s_[1:], x[:-1])') },
    { label: "v.set(':-1', v[1:])", run: () => { const v = mkV(); return v.set(':-1', v.slice('1:')); }, np: npAfter('v0', 'x.__setitem__(np.s_[:-1], x[1:])') },
    { label: "v.set(':', v[::-1])", run: () => { const v = mkV(); return v.set(':', v.slice('::-1')); }, np: npAfter('v0', 'x.__setitem__(np.s_[:], x[::-1])') },
    { label: "v.set('::2', v[1::2])", run: () => { const v = mkV(); return v.set('::2', v.slice('1::2')); }, np: npAfter('v0', 'x.__setitem__(np.s_[::2], x[1::2])') },
    { label: "v.set('2:', v[:-2][::-1])", run: () => { const v = mkV(); return v.set('2:', v.slice(':-2').slice('::-1')); }, np: npAfter('v0', 'x.__setitem__(np.s_[2:], x[:-2][::-1])') },
    { label: "v.set('1:', v[:-1] + 1) (expression)", run: () => { const v = mkV(); return v.set('1:', v.slice(':-1').add(1)); }, np: npAfter('v0', 'x.__setitem__(np.s_[1:], x[:-1] + 1)') },
    { label: "v.set('3:', v[3]) (0-d broadcast of self)", run: () => { const v = mkV(); v.set('3', 77); return v.set('3:', v.slice('3')); }, np: npAfter('v0', npSet('3', '77'), 'x.__setitem__(np.s_[3:], x[3])') },
    { label: "a.set('1:, 1:', a[:-1, :-1])", run: () => { const a = mkA(); return a.set('1:, 1:', a.slice(':-1, :-1')); }, np: npAfter('a0', 'x.__setitem__(np.s_[1:, 1:], x[:-1, :-1])') },
    { label: "a.set(':, 1:', a[:, :-1])", run: () => { const a = mkA(); return a.set(':, 1:', a.slice(':, :-1')); }, np: npAfter('a0', 'x.__setitem__(np.s_[:, 1:], x[:, :-1])') },
    { label: "a.set('::-1', a)", run: () => { const a = mkA(); return a.set('::-1', a); }, np: npAfter('a0', 'x.__setitem__(np.s_[::-1], x.copy())') },
    { label: "sq.set(':', sq.T)", run: () => { const s = mkSq(); return s.set(':', s.T); }, np: npAfter('sq0', 'x.__setitem__(np.s_[:], x.T)') },
    { label: 'sq.assign(sq.T * 2 + sq)', run: () => { const s = mkSq(); return s.assign(s.T.mul(2).add(s)); }, np: npAfter('sq0', 'x.__setitem__(Ellipsis, x.T * 2 + x)') },
    { label: "sq.set(':, :2', sq[2:].T)", run: () => { const s = mkSq(); return s.set(':, :2', s.slice('2:').T); }, np: npAfter('sq0', 'x.__setitem__(np.s_[:, :2], x[2:].T)') },
    { label: 'sq.assign(sq) (same view: no-op)', run: () => { const s = mkSq(); return s.assign(s); }, np: 'sq0' },
    { label: "sq.set('::-1', sq)", run: () => { const s = mkSq(); return s.set('::-1', s); }, np: npAfter('sq0', 'x.__setitem__(np.s_[::-1], x.copy())') },
  ];
  const built = items.map((it) => {
    try {
      return { v: it.run() } as const;
    } catch (e) {
      return { e } as const;
    }
  });
  const exp = await numpy({ v0, a0, sq0 }, Object.fromEntries(items.map((it, i) => [`c${i}`, it.np])));
  await compare(t, items.map((it, i) => ({ label: it.label, built: built[i], expected: exp[`c${i}`] })));
});

// ---- laziness ------------------------------------------------------------------------------------
test('a lazy expression keeps the values its inputs had when it was built', async (t) => {
  const a0 = mkA();
  const v0 = mkV();
  const B0 = dn.array(A_VALS.map((x) => x * 0.5 + 1), { shape: [5, 6] });
  const out: { label: string; v: dn.NdArray; np: string }[] = [];

  {
    const a = mkA();
    const c = a.add(1);
    a.set(':', 0);
    out.push({ label: 'c = a + 1; a[:] = 0: c', v: c, np: 'a0 + 1' }, { label: 'c = a + 1; a[:] = 0: a', v: a, np: 'np.zeros_like(a0)' });
  }
  {
    const a = mkA();
    const c = a.slice('::-1').mul(2);
    a.set('1:3', -5);
    out.push({ label: 'c = a[::-1] * 2; a[1:3] = -5', v: c, np: 'a0[::-1] * 2' });
  }
  {
    const a = mkA();
    const c = a.slice('0').add(0);
    a.slice(':, 0').assign(100);
    out.push({ label: 'c = a[0] + 0; a[:, 0] = 100', v: c, np: 'a0[0] + 0' });
  }
  {
    const a = mkA();
    const b = dn.array(A_VALS.map((x) => x * 0.5 + 1), { shape: [5, 6] });
    const d = a.add(1).mul(b);
    b.assign(0);
    a.assign(3);
    out.push({ label: 'd = (a + 1) * b; b[...] = 0; a[...] = 3', v: d, np: '(a0 + 1) * B0' });
  }
  {
    const a = mkA();
    const e = a.astype('int32');
    a.assign(7.9);
    out.push({ label: "e = a.astype('int32'); a[...] = 7.9", v: e, np: "a0.astype('int32')" });
  }
  {
    const a = mkA();
    const w = dn.where(a.gt(0), a, 0);
    a.set(':', -1);
    out.push({ label: 'w = where(a > 0, a, 0); a[:] = -1', v: w, np: 'np.where(a0 > 0, a0, 0)' });
  }
  {
    const a = mkA();
    const c = a.mul(2);
    dn.add(a, 1, { out: a });
    out.push({ label: 'c = a * 2; add(a, 1, out=a): c', v: c, np: 'a0 * 2' }, { label: 'c = a * 2; add(a, 1, out=a): a', v: a, np: 'a0 + 1' });
  }
  {
    // Many readers, together larger than the array (the library then copies the block once).
    const v = mkV();
    const readers = [v.add(1), v.mul(2), v.slice('::-1').sub(3), v.reshape([2, 5]).add(dn.zeros([4, 2, 5])), v.neg(), v.square()];
    v.set('::2', 1000);
    const nps = ['v0 + 1', 'v0 * 2', 'v0[::-1] - 3', 'v0.reshape(2, 5) + np.zeros((4, 2, 5))', '-v0', 'np.square(v0)'];
    readers.forEach((r, i) => out.push({ label: `reader ${i} of v, then v[::2] = 1000`, v: r, np: nps[i] }));
    out.push({ label: 'v after its readers were protected', v, np: npAfter('v0', npSet('::2', '1000')) });
  }
  {
    // A chain over the base, the base written twice; then a new expression sees the newest values.
    const a = mkA();
    const c1 = a.add(1);
    a.set('0', 50);
    const c2 = a.add(1);
    a.set('1', 60);
    const c3 = c1.add(c2);
    out.push({ label: 'c1 + c2 around two writes', v: c3, np: '(a0 + 1) + (np.where(np.arange(5)[:, None] == 0, 50, a0) + 1)' });
  }
  {
    // Two overlapping views of one base in one expression, then a third view of it written.
    const v = mkV();
    const r = v.slice('2:8').mul(v.slice('1:7'));
    v.slice('::3').assign(-1);
    out.push({ label: 'product of two overlapping views, then a third view written', v: r, np: 'v0[2:8] * v0[1:7]' });
  }
  const exp = await numpy({ a0, v0, B0 }, Object.fromEntries(out.map((o, i) => [`c${i}`, o.np])));
  await compare(t, out.map((o, i) => ({ label: o.label, built: { v: o.v }, expected: exp[`c${i}`] })));
});

test('reshape of a contiguous array is a view and of a non-contiguous one a copy', async (t) => {
  const a = mkA();
  const view = a.reshape([30]);
  const copy = a.T.reshape([30]);
  a.set('0, 0', 1234);
  view.set('1', 4321);
  copy.set('2', -1);
  const got = (await a.data()) as Float64Array;
  const vGot = (await view.data()) as Float64Array;
  const cGot = (await copy.data()) as Float64Array;
  t.is(got[0], 1234, 'base write shows in the base');
  t.is(vGot[0], 1234, 'base write shows through the reshape view');
  t.is(got[1], 4321, 'write through the reshape view shows in the base');
  t.is(cGot[0], A_VALS[0], 'the copy does not see base writes made after it');
  t.is(got[12], A_VALS[12], 'writing the copy does not touch the base');
});

test('large overlapping assignments and protected lazy readers (split over threads) match NumPy', async (t) => {
  const n = 200 * 300;
  const vals = Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 8 - 60);
  const mk = (): dn.NdArray => dn.array(vals, { shape: [200, 300] });
  const m0 = mk();
  const out: { label: string; v: dn.NdArray; np: string }[] = [];
  {
    const m = mk();
    m.set('1:, 1:', m.slice(':-1, :-1'));
    out.push({ label: "big m.set('1:, 1:', m[:-1, :-1])", v: m, np: npAfter('m0', 'x.__setitem__(np.s_[1:, 1:], x[:-1, :-1])') });
  }
  {
    const m = mk();
    m.set(':', m.slice('::-1, ::-1').mul(0.5).add(m));
    out.push({ label: 'big m[:] = m[::-1, ::-1] * 0.5 + m', v: m, np: npAfter('m0', 'x.__setitem__(np.s_[:], x[::-1, ::-1] * 0.5 + x)') });
  }
  {
    const m = mk();
    const sq = m.slice(':, :200');
    sq.assign(sq.T);
    out.push({ label: 'big square view assigned its transpose', v: m, np: npAfter('m0', 'x[:, :200].__setitem__(Ellipsis, x[:, :200].T.copy())') });
  }
  {
    // Readers bigger than the array together: the library copies the block once for them.
    const m = mk();
    const r1 = m.add(1);
    const r2 = m.slice('::-1').mul(2);
    const r3 = m.T.sub(m.T.slice('::-1'));
    m.set('::3', 0);
    out.push(
      { label: 'big reader 1', v: r1, np: 'm0 + 1' },
      { label: 'big reader 2', v: r2, np: 'm0[::-1] * 2' },
      { label: 'big reader 3', v: r3, np: 'm0.T - m0.T[::-1]' },
      { label: 'big base after the write', v: m, np: npAfter('m0', npSet('::3', '0')) },
    );
  }
  const exp = await numpy({ m0 }, Object.fromEntries(out.map((o, i) => [`c${i}`, o.np])));
  await compare(t, out.map((o, i) => ({ label: o.label, built: { v: o.v }, expected: exp[`c${i}`] })));
});
