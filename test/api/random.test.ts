// dn.random against its references: the Philox4x32-10 known answers of Random123, the scalar
// reference generators randUniform/randNormal (element i of stream s under key(seed)), and loose
// but deterministic statistics over 10^6 samples. Serial: seed() and the stream counter are global.
import test from 'ava';
import * as dn from '../../lib/index.js';
import { philox4x32, randNormal, randUniform } from '../../lib/kernels/helpers.js';

const TWO32 = 4294967296;
const keyOf = (seed: number): [number, number] => [seed % TWO32, Math.floor(seed / TWO32)];

function bitsEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The first index where actual and expected differ (bitwise), or -1. */
function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) if (!Object.is(actual[i], expected[i])) return i;
  return -1;
}

async function f64(x: dn.NdArray): Promise<Float64Array> {
  const d = await x.data();
  if (!(d instanceof Float64Array)) throw new Error(`expected float64 data, got ${x.dtype}`);
  return d;
}

test.after.always(async () => {
  await dn.shutdown();
});

test.serial('Philox4x32-10 known-answer vectors (Random123 kat_vectors)', (t) => {
  const kat: [number[], number[], number[]][] = [
    [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  ];
  const hex = (w: number[]) => w.map((x) => x.toString(16).padStart(8, '0')).join(' ');
  for (const [ctr, key, expected] of kat) {
    const actual = philox4x32(ctr, key);
    t.is(hex(actual), hex(expected), `philox4x32(${hex(ctr)}; ${hex(key)})`);
  }
});

test.serial('kernel output equals the reference generators, element by element, for several seeds', async (t) => {
  const n = 100003; // big enough to be split over threads
  for (const seed of [0, 12345, 2 ** 40 + 987654321, Number.MAX_SAFE_INTEGER]) {
    const [k0, k1] = keyOf(seed);
    dn.random.seed(seed);
    const u0 = dn.random.random([n]); // stream 0
    const u1 = dn.random.random([n]); // stream 1
    const g2 = dn.random.normal(0, 1, [n]); // stream 2
    const w3 = dn.random.uniform(-3, 5, [n]); // stream 3
    const g4 = dn.random.normal(3, 2, [n]); // stream 4
    const m5 = dn.random.random([301, 7]); // stream 5, C-order element index
    const ref = (f: (i: number) => number, len: number) => Float64Array.from({ length: len }, (_, i) => f(i));
    const expected: [string, dn.NdArray, Float64Array][] = [
      ['random stream 0', u0, ref((i) => randUniform(i, k0, k1, 0), n)],
      ['random stream 1', u1, ref((i) => randUniform(i, k0, k1, 1), n)],
      ['normal(0,1) stream 2', g2, ref((i) => randNormal(i, k0, k1, 2) * 1 + 0, n)],
      ['uniform(-3,5) stream 3', w3, ref((i) => randUniform(i, k0, k1, 3) * 8 + -3, n)],
      ['normal(3,2) stream 4', g4, ref((i) => randNormal(i, k0, k1, 4) * 2 + 3, n)],
      ['random([301,7]) stream 5', m5, ref((i) => randUniform(i, k0, k1, 5), 301 * 7)],
    ];
    for (const [label, x, exp] of expected) {
      t.is(x.dtype, 'float64', `seed ${seed} ${label}: dtype`);
      const actual = await f64(x);
      const bad = firstMismatch(actual, exp);
      t.is(bad, -1, `seed ${seed} ${label}: element ${bad}: expected ${exp[bad]}, actual ${actual[bad]}`);
    }
  }
});

test.serial('the same seed gives identical bits; successive calls and other seeds differ', async (t) => {
  const draw = () => [dn.random.random([5000]), dn.random.normal(1, 2, [5000]), dn.random.uniform(10, 20, [70, 3])];
  dn.random.seed(2024);
  const first = draw();
  dn.random.seed(2024);
  const second = draw();
  // Read the second set first: the numbers may not depend on when they are computed.
  const b = await Promise.all(second.map((x) => x.data()));
  const a = await Promise.all(first.map((x) => x.data()));
  for (let k = 0; k < a.length; k++) t.true(bitsEqual(a[k], b[k]), `call ${k}: identical bits after the same seed`);

  dn.random.seed(2024);
  const s1 = await dn.random.random([5000]).data();
  const s2 = await dn.random.random([5000]).data();
  let same = 0;
  for (let i = 0; i < s1.length; i++) if (s1[i] === s2[i]) same++;
  t.is(same, 0, 'successive calls draw different numbers');
  t.true(bitsEqual(s1, a[0]), 'and the first call after seed() repeats');

  dn.random.seed(2025);
  const other = await dn.random.random([5000]).data();
  same = 0;
  for (let i = 0; i < other.length; i++) if (other[i] === s1[i]) same++;
  t.is(same, 0, 'another seed draws different numbers');
});

test.serial('random() is in [0, 1) and uniform(low, high) in [low, high), with 53-bit resolution', async (t) => {
  dn.random.seed(99);
  const n = 1_000_000;
  const u = await f64(dn.random.random([n]));
  const w = await f64(dn.random.uniform(-3, 5, [n]));
  let lo = Infinity;
  let hi = -Infinity;
  let offGrid = 0;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, u[i]);
    hi = Math.max(hi, u[i]);
    if (!Number.isInteger(u[i] * 2 ** 53)) offGrid++;
  }
  t.true(lo >= 0 && hi < 1, `random in [0,1): min ${lo} max ${hi}`);
  t.true(lo < 1e-5 && hi > 1 - 1e-5, `random covers the interval: min ${lo} max ${hi}`);
  t.is(offGrid, 0, 'every value is k / 2^53');
  let wlo = Infinity;
  let whi = -Infinity;
  for (let i = 0; i < n; i++) {
    wlo = Math.min(wlo, w[i]);
    whi = Math.max(whi, w[i]);
  }
  t.true(wlo >= -3 && whi < 5, `uniform(-3,5) in [-3,5): min ${wlo} max ${whi}`);
  t.true(wlo < -3 + 1e-4 && whi > 5 - 1e-4, `uniform covers the interval: min ${wlo} max ${whi}`);
  const s = dn.random.random();
  t.deepEqual(s.shape, [], 'random() is 0-d');
  const v = (await s.item()) as number;
  t.true(v >= 0 && v < 1);
  const s2 = dn.random.uniform(2, 3);
  t.deepEqual(s2.shape, []);
  const v2 = (await s2.item()) as number;
  t.true(v2 >= 2 && v2 < 3);
});

test.serial('moments over 10^6 samples (fixed seed, loose bounds)', async (t) => {
  dn.random.seed(314159);
  const n = 1_000_000;
  const moments = (d: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[i];
    const mean = s / n;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const c = d[i] - mean;
      s2 += c * c;
      s3 += c * c * c;
    }
    const std = Math.sqrt(s2 / n);
    return { mean, std, skew: s3 / n / std ** 3 };
  };
  const ux = dn.random.random([n]);
  const gx = dn.random.normal(3, 2, [n]);
  const zx = dn.random.normal(0, 1, [1000, 1000]);
  const u = moments(await f64(ux));
  // Standard errors at n = 10^6: mean 0.00029 (uniform), 0.002 (normal, std 2); bounds are ~5x that.
  t.true(Math.abs(u.mean - 0.5) < 0.0015, `uniform mean ${u.mean}`);
  t.true(Math.abs(u.std - Math.sqrt(1 / 12)) < 0.001, `uniform std ${u.std}`);
  t.true(Math.abs(u.skew) < 0.01, `uniform skew ${u.skew}`);
  const gd = await f64(gx);
  const g = moments(gd);
  t.true(Math.abs(g.mean - 3) < 0.01, `normal(3,2) mean ${g.mean}`);
  t.true(Math.abs(g.std - 2) < 0.01, `normal(3,2) std ${g.std}`);
  t.true(Math.abs(g.skew) < 0.02, `normal skew ${g.skew}`);
  let within1 = 0;
  let within2 = 0;
  for (let i = 0; i < n; i++) {
    const z = Math.abs(gd[i] - 3) / 2;
    if (z < 1) within1++;
    if (z < 2) within2++;
  }
  t.true(Math.abs(within1 / n - 0.682689) < 0.003, `P(|z|<1) = ${within1 / n}`);
  t.true(Math.abs(within2 / n - 0.954500) < 0.002, `P(|z|<2) = ${within2 / n}`);
  const z = moments(await f64(zx));
  t.true(Math.abs(z.mean) < 0.005 && Math.abs(z.std - 1) < 0.005, `normal(0,1) [1000,1000]: mean ${z.mean} std ${z.std}`);
  // Our own reductions over the lazy generator agree with the naive loop over its values.
  const mean = (await ux.mean().item()) as number;
  t.true(Math.abs(mean - u.mean) <= 1e-12 * Math.abs(u.mean), `ux.mean() ${mean} vs loop ${u.mean}`);
});

test.serial('a slice of a bigger random array reads the same numbers as the whole', async (t) => {
  dn.random.seed(3);
  const big = dn.random.random([1000]);
  const m = dn.random.normal(0, 1, [50, 60]);
  // Slices first, then the whole: the lazy generator must give the same numbers either way.
  const s1 = await f64(big.slice('100:900:3'));
  const s2 = await f64(big.slice('::-7'));
  const ms = await f64(m.slice('5:45:2, ::-1'));
  const mt = await f64(m.T);
  const whole = await f64(big);
  const mw = await f64(m);
  const e1 = Float64Array.from({ length: 267 }, (_, k) => whole[100 + 3 * k]);
  const e2 = Float64Array.from({ length: 143 }, (_, k) => whole[999 - 7 * k]);
  t.is(firstMismatch(s1, e1), -1, 'big[100:900:3]');
  t.is(firstMismatch(s2, e2), -1, 'big[::-7]');
  const ems = new Float64Array(20 * 60);
  for (let i = 0; i < 20; i++) for (let j = 0; j < 60; j++) ems[i * 60 + j] = mw[(5 + 2 * i) * 60 + (59 - j)];
  t.is(firstMismatch(ms, ems), -1, 'm[5:45:2, ::-1]');
  const emt = new Float64Array(60 * 50);
  for (let i = 0; i < 60; i++) for (let j = 0; j < 50; j++) emt[i * 50 + j] = mw[j * 60 + i];
  t.is(firstMismatch(mt, emt), -1, 'm.T');
  // Fused uses of the same random array see the same numbers.
  const sq = await f64(big.mul(big));
  const diff = await f64(big.sub(big));
  t.is(firstMismatch(sq, whole.map((v) => v * v)), -1, 'big*big');
  t.true(diff.every((v) => v === 0), 'big-big is zero');
  const again = await f64(big);
  t.true(bitsEqual(again, whole), 'reading twice gives the same numbers');
});

test.serial('element i depends only on (seed, stream, i): a shorter draw is a prefix of a longer one', async (t) => {
  dn.random.seed(9);
  dn.random.random([10]);
  const long = await f64(dn.random.normal(0, 1, [100]));
  const longU = await f64(dn.random.random([40, 5]));
  dn.random.seed(9);
  dn.random.random([3]);
  const short = await f64(dn.random.normal(0, 1, [7]));
  const shortU = await f64(dn.random.random([17]));
  t.is(firstMismatch(short, long.subarray(0, 7)), -1, 'normal: prefix');
  t.is(firstMismatch(shortU, longU.subarray(0, 17)), -1, 'random: prefix');
});

test.serial('bad arguments throw synchronously', (t) => {
  t.throws(() => dn.random.seed(-1), { instanceOf: TypeError });
  t.throws(() => dn.random.seed(1.5), { instanceOf: TypeError });
  t.throws(() => dn.random.seed('7' as unknown as number), { instanceOf: TypeError });
  t.throws(() => dn.random.seed(2 ** 53), { instanceOf: TypeError });
  t.throws(() => dn.random.random([-1]), { instanceOf: RangeError });
  t.throws(() => dn.random.random([2.5]), { instanceOf: TypeError });
  t.throws(() => dn.random.normal(0, -1, [3]), { instanceOf: RangeError });
  t.throws(() => dn.random.uniform('0' as unknown as number, 1, [3]), { instanceOf: TypeError });
});
