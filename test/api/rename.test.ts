// A write into most of an array that lazy expressions still read (a stencil's interior) renames
// the array's buffer instead of copying it (graph/materialise.ts protectReaders): the readers keep
// the old buffer, the write fills a new one, and the part it does not cover is copied over. Each
// case compares the written array and the readers, read after the write, with NumPy.
import test from 'ava';
import * as dn from '../../lib/index.js';
import { renameCount } from '../../lib/graph/materialise.js';
import { assertMatches, numpy, numpyAfter, randomArray } from '../helpers/numpy.js';

test.after.always(async () => {
  await dn.shutdown();
});

const ROUNDING = { rtol: 1e-12, atol: 1e-12 };

test.serial('a stencil sweep renames the grid; the sweep value, read afterwards, is the one before the write', async (t) => {
  const g0 = randomArray([23, 31], 1);
  const want = await numpyAfter({ g: g0 }, `
works = []
for _ in range(3):
    work = (g[1:-1, 1:-1] + g[0:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, 0:-2] + g[1:-1, 2:]) * 0.2
    works.append(work.copy())
    g[1:-1, 1:-1] = work
w0, w1, w2 = works
`, ['g', 'w0', 'w1', 'w2']);
  const g = g0.copy();
  const center = g.slice('1:-1, 1:-1');
  const works: dn.NdArray[] = [];
  const before = renameCount();
  for (let it = 0; it < 3; it++) {
    const work = center.add(g.slice('0:-2, 1:-1')).add(g.slice('2:, 1:-1')).add(g.slice('1:-1, 0:-2')).add(g.slice('1:-1, 2:')).mul(0.2);
    // Two lazy readers of the grid: together larger than it, so the write protects them by renaming.
    const other = dn.abs(work.sub(center));
    works.push(work);
    center.assign(work);
    void other;
  }
  t.true(renameCount() > before, 'the write renamed the grid');
  await assertMatches(t, g, want.g, 'grid', ROUNDING);
  for (let i = 0; i < 3; i++) await assertMatches(t, works[i], want[`w${i}`], `work of sweep ${i}`, ROUNDING);
});

test.serial('full rows of a matrix and a 1-D run are renamed too; what the write leaves keeps its values', async (t) => {
  const m0 = randomArray([12, 9], 2);
  const v0 = randomArray([40], 3);
  const want = await numpyAfter({ m: m0, v: v0 }, `
rm = m[3:11] * 2 + m[2:10]
rv = v[1:-1] - v[2:]
m[2:10] = rm
v[1:-1] = rv
`, ['m', 'v', 'rm', 'rv']);
  const m = m0.copy();
  const v = v0.copy();
  const before = renameCount();
  const rm = m.slice('3:11').mul(2).add(m.slice('2:10'));
  const extraM = rm.add(1).mul(m.slice('2:10'));
  const rv = v.slice('1:-1').sub(v.slice('2:'));
  const extraV = rv.mul(v.slice('1:-1'));
  m.set('2:10', rm);
  v.set('1:-1', rv);
  t.true(renameCount() >= before + 2, 'both writes renamed');
  await assertMatches(t, m, want.m, 'matrix', ROUNDING);
  await assertMatches(t, v, want.v, 'vector', ROUNDING);
  await assertMatches(t, rm, want.rm, 'matrix value read after the write', ROUNDING);
  await assertMatches(t, rv, want.rv, 'vector value read after the write', ROUNDING);
  void extraM;
  void extraV;
});

test.serial('writes the rename cannot take still give NumPy\'s result: a strided target, a value that reads the array itself', async (t) => {
  const a0 = randomArray([16, 16], 4);
  const want = await numpyAfter({ a: a0 }, `
s = a[::2, :] + a[1::2, :]
a[::2, :] = s
r = a[1:-1, 1:-1] * 3
a[1:-1, 1:-1] = a[0:-2, 1:-1]
`, ['a', 's', 'r']);
  const a = a0.copy();
  const before = renameCount();
  const s = a.slice('::2, :').add(a.slice('1::2, :'));
  const s2 = s.mul(a.slice('::2, :'));
  a.set('::2, :', s);
  const r = a.slice('1:-1, 1:-1').mul(3);
  const r2 = r.add(a.slice('1:-1, 1:-1'));
  a.set('1:-1, 1:-1', a.slice('0:-2, 1:-1'));
  t.is(renameCount(), before, 'neither write renamed');
  await assertMatches(t, a, want.a, 'array', ROUNDING);
  await assertMatches(t, s, want.s, 'strided value', ROUNDING);
  await assertMatches(t, r, want.r, 'reader of the interior', ROUNDING);
  void s2;
  void r2;
});

test.serial('a renamed array can be disposed; its readers still read the old values', async (t) => {
  const g0 = randomArray([20, 20], 5);
  const want = await numpyAfter({ g: g0 }, `
w = (g[1:-1, 1:-1] + g[:-2, 1:-1]) * 0.5
`, ['w']);
  const g = g0.copy();
  const before = renameCount();
  const w = g.slice('1:-1, 1:-1').add(g.slice(':-2, 1:-1')).mul(0.5);
  const w2 = w.sub(g.slice('1:-1, 1:-1'));
  g.set('1:-1, 1:-1', w);
  t.is(renameCount(), before + 1, 'the write renamed');
  g.dispose();
  await assertMatches(t, w, want.w, 'reader after the array was disposed', ROUNDING);
  void w2;
  t.throws(() => g.add(1), { message: /dispose/ });
});
