// dn.save / dn.load against numpy.save / numpy.load: values and dtypes both ways for every dtype
// and layout, byte-identical files, and malformed files rejected with NpyFormatError.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dn from '../../lib/index.js';
import { type NpResult, assertMatches, numpy } from '../helpers/numpy.js';
import { lcg } from '../helpers/cases.js';

type DType = dn.DType;
const DTYPES: DType[] = ['float64', 'float32', 'int32', 'uint8', 'bool'];

const dir = mkdtempSync(join(tmpdir(), 'distnumpy-npy-'));
const file = (name: string) => join(dir, `${name}.npy`);
/** A Python string literal for a path. */
const py = (p: string) => JSON.stringify(p);

test.after.always(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dn.shutdown();
});

/** Values that exercise each dtype: negative, fractional, NaN/inf for floats, the full range of uint8. */
function arr(dtype: DType, shape: number[], seed: number): dn.NdArray {
  const r = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v: (number | boolean)[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    if (dtype === 'float64' || dtype === 'float32') v.push(i === 1 ? NaN : i === 2 ? -Infinity : i === 3 ? -0 : (u - 0.5) * 1e6);
    else if (dtype === 'int32') v.push(i === 1 ? -2147483648 : i === 2 ? 2147483647 : Math.floor((u - 0.5) * 2e9));
    else if (dtype === 'uint8') v.push(Math.floor(u * 256));
    else v.push(u < 0.5);
  }
  return dn.array(v, { dtype, shape });
}

/** Arrays to save: every dtype as 0-d, 1-d, 3-d, size 0, and non-contiguous views. */
function sources(): Record<string, dn.NdArray> {
  const out: Record<string, dn.NdArray> = {};
  DTYPES.forEach((dt, k) => {
    out[`${dt}_0d`] = arr(dt, [], 10 + k);
    out[`${dt}_1d`] = arr(dt, [17], 20 + k);
    out[`${dt}_3d`] = arr(dt, [2, 3, 4], 30 + k);
    out[`${dt}_empty`] = arr(dt, [0], 40 + k);
    out[`${dt}_empty3d`] = arr(dt, [2, 0, 3], 50 + k);
    const base = arr(dt, [6, 7, 5], 60 + k);
    out[`${dt}_T`] = base.T;
    out[`${dt}_negstep`] = base.slice('::-2, 1:6, ::-1');
    out[`${dt}_col`] = base.slice(':, 3, 2');
    out[`${dt}_lazy`] = dt === 'bool' ? base.logicalNot() : base.add(1);
  });
  // Shapes whose headers are long (many axes, wide numbers): the padding must match NumPy's.
  out.manyaxes = arr('float64', [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2], 70);
  out.wide = dn.zeros([100000, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { dtype: 'uint8' });
  out.widelast = dn.zeros([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 123456], { dtype: 'uint8' });
  return out;
}

test.serial('dn.save then numpy.load: values and dtypes for every dtype, rank, size 0 and views', async (t) => {
  const src = sources();
  for (const [name, x] of Object.entries(src)) await dn.save(file(`ours_${name}`), x);
  const cases: Record<string, string> = {};
  for (const name of Object.keys(src)) cases[name] = `np.load(${py(file(`ours_${name}`))})`;
  const loaded = await numpy({}, cases);
  for (const [name, x] of Object.entries(src)) {
    // Identical bits (NaN payloads, -0, int32 extremes) and NumPy's dtype for what we wrote.
    await assertMatches(t, x, loaded[name], `numpy.load(dn.save(${name}))`);
  }
});

test.serial('dn.save appends .npy as numpy.save does; the result is the array saved, not a later state', async (t) => {
  const x = dn.arange(6).reshape([2, 3]);
  await dn.save(join(dir, 'noext'), x);
  x.set('0, 0', 99); // after the save: must not show up in the file
  const r = await numpy({}, { loaded: `np.load(${py(join(dir, 'noext.npy'))})` });
  await assertMatches(t, dn.arange(6).reshape([2, 3]), r.loaded, 'noext.npy holds arange(6), not the later write');
});

test.serial('numpy.save then dn.load: C and Fortran order, every dtype, int64 as int32', async (t) => {
  const arrays: Record<string, string> = {
    f8: "np.array([[1.5, -2.25, np.nan], [np.inf, -0.0, 1e300]], dtype='<f8')",
    f4: "np.array([[1.5, -2.25, np.nan], [np.inf, -0.0, 3.4e38]], dtype='<f4')",
    i4: "np.array([[-2147483648, 2147483647, 0], [1, -1, 7]], dtype='<i4')",
    u1: "np.arange(240, dtype='|u1').reshape(4, 6, 10)",
    b1: 'np.array([[True, False, True], [False, False, True]])',
    i8: 'np.arange(-12, 12, dtype=np.int64).reshape(2, 3, 4) * 1000003',
    i2: "np.array([-32768, 32767, 5], dtype='<i2')",
    u2: "np.array([0, 65535, 5], dtype='<u2')",
    i1: "np.array([-128, 127, 5], dtype='|i1')",
    f8_0d: 'np.array(2.5)',
    i8_0d: 'np.array(-7)',
    f8_empty: 'np.zeros((0, 3))',
    i8_empty: 'np.zeros((4, 0), dtype=np.int64)',
    f8_3d: 'np.arange(60.0).reshape(3, 4, 5) / 7',
  };
  const cases: Record<string, string> = {};
  for (const [name, expr] of Object.entries(arrays)) {
    cases[`save_${name}`] = `np.save(${py(file(`np_${name}`))}, ${expr}) or 0`;
    cases[`savef_${name}`] = `np.save(${py(file(`npf_${name}`))}, np.asfortranarray(${expr})) or 0`;
    cases[name] = expr;
    cases[`f_${name}`] = `np.asfortranarray(${expr})`; // 0-d becomes (1,) here
  }
  // .npy versions 2.0 and 3.0 (NumPy writes them for huge headers or non-latin1 field names).
  cases.save_v2 = `(lambda f: (np.lib.format.write_array(f, np.arange(10.0), version=(2, 0)), f.close()))(open(${py(file('np_v2'))}, 'wb')) and 0`;
  cases.save_v3 = `(lambda f: (np.lib.format.write_array(f, np.arange(10, dtype=np.int32), version=(3, 0)), f.close()))(open(${py(file('np_v3'))}, 'wb')) and 0`;
  cases.v2 = 'np.arange(10.0)';
  cases.v3 = 'np.arange(10, dtype=np.int32)';
  const r = await numpy({}, cases);
  for (const name of Object.keys(arrays)) {
    t.false('error' in r[`save_${name}`], `numpy saved ${name}: ${JSON.stringify(r[`save_${name}`]).slice(0, 200)}`);
    const expected = r[name];
    if (expected && !('error' in expected) && expected.shape.filter((d) => d > 1).length >= 2) {
      const head = readFileSync(file(`npf_${name}`)).subarray(0, 128).toString('latin1');
      t.true(head.includes("'fortran_order': True"), `${name}: the Fortran file really is Fortran-ordered`);
    }
    // int16/uint16 become int32 (the harness maps only the dtypes NumPy computes with).
    const widened = name === 'i2' || name === 'u2';
    const c = await dn.load(file(`np_${name}`));
    await assertMatches(t, c, r[name], `dn.load(numpy.save(${name}))`, { dtype: !widened });
    const f = await dn.load(file(`npf_${name}`));
    await assertMatches(t, f, r[`f_${name}`], `dn.load(numpy.save(asfortranarray(${name})))`, { dtype: !widened });
    if (widened) t.is(c.dtype, 'int32', `${name} loads as int32`);
  }
  await assertMatches(t, await dn.load(file('np_v2')), r.v2, 'version 2.0 file');
  await assertMatches(t, await dn.load(file('np_v3')), r.v3, 'version 3.0 file');
  const i8 = await dn.load(file('np_i8'));
  t.is(i8.dtype, 'int32', 'int64 files load as int32');
});

test.serial('dn.load rejects int64 values that do not fit int32', async (t) => {
  await numpy({}, { s: `np.save(${py(file('np_i8_big'))}, np.array([1, 2**40], dtype=np.int64)) or 0` });
  const e = await t.throwsAsync(dn.load(file('np_i8_big')), { instanceOf: dn.NpyFormatError });
  t.regex(e?.message ?? '', /1099511627776|int32/, 'names the value or the dtype');
});

/** Save each array with dn.save and numpy.save (same values, same dtype); list the files that differ. */
async function byteDifferences(t: ExecutionContext, src: Record<string, dn.NdArray>): Promise<string[]> {
  const cases: Record<string, string> = {};
  for (const [name, x] of Object.entries(src)) {
    await dn.save(file(`bytes_ours_${name}`), x);
    cases[name] = `np.save(${py(file(`bytes_np_${name}`))}, ${name}) or 0`;
  }
  // The harness hands NumPy the same values (C order, little-endian) under the same dtype.
  const r = await numpy(src, cases);
  const hlen = (b: Buffer) => (b[6] === 1 ? 10 + b.readUInt16LE(8) : 12 + b.readUInt32LE(8));
  const header = (b: Buffer) => JSON.stringify(b.subarray(0, Math.min(b.length, hlen(b))).toString('latin1'));
  const differ: string[] = [];
  for (const name of Object.keys(src)) {
    t.false('error' in r[name], `numpy saved ${name}`);
    const expected = readFileSync(file(`bytes_np_${name}`));
    const actual = readFileSync(file(`bytes_ours_${name}`));
    if (!actual.equals(expected)) {
      differ.push(`${name}: ${actual.length} bytes vs numpy's ${expected.length}; header ${header(actual)} vs numpy's ${header(expected)}`);
    }
  }
  return differ;
}

const LONG_HEADERS = ['manyaxes', 'wide', 'widelast'];

test.serial('dn.save writes the same bytes as numpy.save (header included): every dtype, rank, size 0, views', async (t) => {
  const src = Object.fromEntries(Object.entries(sources()).filter(([name]) => !LONG_HEADERS.includes(name)));
  t.deepEqual(await byteDifferences(t, src), [], 'files that differ from numpy.save');
});

test.serial('dn.save writes the same bytes as numpy.save for long headers (NumPy pads for shape growth)', async (t) => {
  const src = Object.fromEntries(Object.entries(sources()).filter(([name]) => LONG_HEADERS.includes(name)));
  t.deepEqual(await byteDifferences(t, src), [], 'files that differ from numpy.save');
});

/** A valid file from numpy.save, to damage. */
async function numpyFile(name: string, expr: string): Promise<Buffer> {
  const r: Record<string, NpResult> = await numpy({}, { s: `np.save(${py(file(name))}, ${expr}) or 0` });
  if ('error' in r.s) throw new Error(`numpy could not save ${expr}: ${r.s.message}`);
  return readFileSync(file(name));
}

test.serial('malformed files reject with NpyFormatError and a clear message; the runtime stays usable', async (t) => {
  const good = await numpyFile('good', 'np.arange(12.0).reshape(3, 4)');
  const bad: [string, Buffer, RegExp][] = [];
  bad.push(['badmagic', Buffer.from('hello, this is not an npy file at all'), /magic|not a \.npy/i]);
  bad.push(['zerobytes', Buffer.alloc(0), /magic|not a \.npy|truncated/i]);
  bad.push(['trunc_header', good.subarray(0, 40), /truncated|header/i]);
  bad.push(['trunc_prefix', good.subarray(0, 9), /truncated|magic|header/i]);
  bad.push(['trunc_data', good.subarray(0, good.length - 5), /size|truncated|bytes/i]);
  bad.push(['extra_data', Buffer.concat([good, Buffer.alloc(8)]), /size|bytes/i]);
  bad.push(['bigendian', await numpyFile('be', "np.arange(3, dtype='>f8')"), /big-endian|>f8/i]);
  bad.push(['bigendian_i4', await numpyFile('be4', "np.arange(3, dtype='>i4')"), /big-endian|>i4/i]);
  bad.push(['object', await numpyFile('obj', "np.array([1, 'a', None], dtype=object)"), /object|\|O|pickle/i]);
  bad.push(['structured', await numpyFile('rec', "np.zeros(3, dtype=[('a', '<i4'), ('b', '<f8')])"), /structured/i]);
  bad.push(['complex', await numpyFile('cplx', 'np.zeros(3, dtype=np.complex128)'), /unsupported|<c16/i]);
  const badVersion = Buffer.from(good);
  badVersion[6] = 9;
  bad.push(['version9', badVersion, /version/i]);
  const badHeader = Buffer.from(good);
  badHeader.write("{'descr': '<f8', 'fortran_order': False, 'shape': (3, x), }", 10, 'latin1');
  bad.push(['badshape', badHeader, /shape|malformed/i]);
  for (const [name, bytes, re] of bad) {
    const p = join(dir, `bad_${name}.npy`);
    writeFileSync(p, bytes);
    let promise: Promise<dn.NdArray> | undefined;
    t.notThrows(() => {
      promise = dn.load(p);
      promise.catch(() => undefined);
    }, `${name}: dn.load does not throw synchronously (it rejects)`);
    const e = await t.throwsAsync(promise!, { instanceOf: dn.NpyFormatError }, `${name}: rejects with NpyFormatError`);
    if (e) {
      t.true(e instanceof Error, `${name}: NpyFormatError is an Error`);
      t.regex(e.message, re, `${name}: message "${e.message}"`);
      t.true(e.message.includes(p), `${name}: message names the file`);
    }
  }
  // Still usable: arithmetic and a good load.
  t.is(await dn.ones([4]).sum().item(), 4);
  const ok = await dn.load(file('good'));
  const r = await numpy({}, { good: 'np.arange(12.0).reshape(3, 4)' });
  await assertMatches(t, ok, r.good, 'a good file after the bad ones');
});

test.serial('a missing file rejects with an Error naming it; bad arguments throw TypeError', async (t) => {
  const p = join(dir, 'does-not-exist.npy');
  const e = await t.throwsAsync(dn.load(p));
  t.true(e?.message.includes('does-not-exist'), `message: ${e?.message}`);
  await t.throwsAsync(async () => dn.load('' as string), { instanceOf: TypeError });
  await t.throwsAsync(async () => dn.save(file('x'), [1, 2] as unknown as dn.NdArray), { instanceOf: TypeError });
});

test.serial('fuzzed .npy files: each loads as NumPy loads it, or rejects with NpyFormatError naming the file; never a crash or a hang', async (t) => {
  const goods = [
    await numpyFile('fz_f8', 'np.arange(12.0).reshape(3, 4)'),
    await numpyFile('fz_i4', "np.arange(-5, 7, dtype='<i4')"),
    await numpyFile('fz_b', 'np.array([[True, False], [False, True]])'),
    await numpyFile('fz_u1F', "np.asfortranarray(np.arange(6, dtype='u1').reshape(2, 3))"),
  ];
  const rnd = lcg(Number(process.env.DISTNUMPY_FUZZ_SEED ?? 20261124));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const SPECIAL = "(),:' 0123456789<>|=fFTiubc{}\n\t\r\x00\xff      ";
  const cases: { name: string; bytes: Buffer }[] = [];
  for (let i = 0; i < 240; i++) {
    const g = pick(goods);
    const headerEnd = 10 + g.readUInt16LE(8);
    const b = Buffer.from(g);
    const kind = i % 4;
    let bytes: Buffer;
    if (kind === 0) {
      // Replace 1-3 bytes of the header (prefix included) with characters the parser cares about;
      // half the time only in the padding after the dict, where whitespace is harmless.
      const from = rnd() < 0.5 ? b.indexOf('}', 10) + 1 : 0;
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
        b[from + Math.floor(rnd() * (headerEnd - 1 - from))] = SPECIAL.charCodeAt(Math.floor(rnd() * SPECIAL.length)) & 255;
      }
      bytes = b;
    } else if (kind === 1) {
      // Truncate anywhere.
      bytes = b.subarray(0, Math.floor(rnd() * b.length));
    } else if (kind === 2) {
      // Change the header length field.
      b.writeUInt16LE(Math.floor(rnd() * 200), 8);
      bytes = b;
    } else {
      // Another shape: often one of the same size (the file then loads, reshaped), else not.
      const text = b.subarray(10, headerEnd).toString('latin1');
      const n = /\(([^)]*)\)/.exec(text)![1].split(',').filter((x) => x.trim() !== '').reduce((a, x) => a * Number(x), 1);
      const shapes = [`(${n},)`, `(1, ${n})`, `(${n}, 1, 1)`, n % 2 === 0 ? `(2, ${n / 2})` : `(${n})`, `(${n + 1},)`, '()', '(-1,)', `(${n},,)`, '(99999999999999,)', `(${n}, 0)`];
      const header = Buffer.from(text.replace(/\([^)]*\)/, pick(shapes)), 'latin1');
      const prefix = Buffer.from(b.subarray(0, 10));
      prefix.writeUInt16LE(header.length, 8);
      bytes = Buffer.concat([prefix, header, b.subarray(headerEnd)]);
    }
    cases.push({ name: `fz${i}`, bytes });
  }
  const paths = cases.map((c) => join(dir, `${c.name}.npy`));
  cases.forEach((c, i) => writeFileSync(paths[i], c.bytes));
  const exprs: Record<string, string> = {};
  cases.forEach((c, i) => (exprs[c.name] = `np.load(${py(paths[i])})`));
  const expected = await numpy({}, exprs);
  let loaded = 0;
  let rejected = 0;
  for (let i = 0; i < cases.length; i++) {
    const { name } = cases[i];
    const exp = expected[name];
    let got: dn.NdArray | undefined;
    let err: unknown;
    try {
      got = await Promise.race([
        dn.load(paths[i]),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('dn.load hung for 10 s')), 10_000)),
      ]);
    } catch (e) {
      err = e;
    }
    if (err !== undefined) {
      rejected++;
      // NumPy reads what the shape needs and ignores bytes after it; dn.load refuses such a file
      // (a header length that is off by some bytes would otherwise turn padding into data).
      const more = /size mismatch: .* needs (\d+) bytes, the file has (\d+)/.exec((err as Error).message);
      const extra = more !== null && Number(more[2]) > Number(more[1]);
      if (!('error' in exp) && !extra && !/not supported|unsupported/.test((err as Error).message)) {
        t.fail(`${name}: NumPy loads this file as shape (${exp.shape}), dn.load refused it: ${(err as Error).message}`);
      }
      if (!(err instanceof dn.NpyFormatError) || !(err as Error).message.includes(paths[i])) {
        t.fail(`${name}: rejected with ${(err as Error).name}: ${(err as Error).message}`);
      }
      continue;
    }
    loaded++;
    if ('error' in exp) {
      t.fail(`${name}: NumPy refuses this file (${exp.message}) but dn.load read it as shape [${got!.shape}]`);
      continue;
    }
    await assertMatches(t, got!, exp, name);
  }
  t.log(`${loaded} loaded, ${rejected} rejected`);
  t.true(loaded > 10 && rejected > 100, `${loaded} loaded, ${rejected} rejected: the fuzzing must exercise both`);
  t.is(await dn.ones([4]).sum().item(), 4);
});
