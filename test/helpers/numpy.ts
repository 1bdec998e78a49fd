// The NumPy reference: many cases per python3 call. Inputs travel as raw little-endian bytes
// (base64), results come back the same way, so comparisons are to the bit.
import { spawn, spawnSync } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import * as dn from '../../lib/index.js';
import { lcg } from './cases.js';

export type NpDType = 'float64' | 'float32' | 'int32' | 'uint8' | 'bool' | 'int64' | 'uint64' | 'int8' | 'float16';

export interface NpArray {
  dtype: NpDType;
  shape: number[];
  data: Float64Array; // values as doubles (exact for every dtype we compare)
}
export type NpResult = NpArray | { error: string; message: string };

let pythonExe: string | null = null;

/** A python3 that has NumPy (the pyenv one, or Debian's python3-numpy). */
export function python(): string {
  if (pythonExe) return pythonExe;
  for (const exe of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(exe, ['-c', 'import numpy'], { stdio: 'ignore' });
    if (r.status === 0) return (pythonExe = exe);
  }
  throw new Error('no python3 with NumPy found: install python3-numpy');
}

const PY = String.raw`
import sys, json, base64, numpy as np
req = json.load(sys.stdin)
env = {'np': np}
for name, a in req['inputs'].items():
    env[name] = np.frombuffer(base64.b64decode(a['b64']), dtype=np.dtype(a['dtype']).newbyteorder('<')).reshape(a['shape']).copy()
out = {}
import warnings
warnings.simplefilter('ignore')
for name, src in req['cases'].items():
    try:
        r = np.asarray(eval(src, env))
        d = r.astype(np.float64) if r.dtype != np.float64 else r
        out[name] = {'dtype': str(r.dtype), 'shape': list(r.shape), 'b64': base64.b64encode(np.ascontiguousarray(d).astype('<f8').tobytes()).decode()}
    except Exception as e:
        out[name] = {'error': type(e).__name__, 'message': str(e)}
json.dump(out, sys.stdout)
`;

function b64(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Evaluate NumPy expressions over named inputs (our arrays, read back as bytes). */
export async function numpy(
  inputs: Record<string, dn.NdArray>,
  cases: Record<string, string>,
): Promise<Record<string, NpResult>> {
  const ins: Record<string, { dtype: string; shape: number[]; b64: string }> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const data = await v.data();
    ins[k] = { dtype: v.dtype === 'bool' ? 'bool' : v.dtype, shape: v.shape, b64: b64(data) };
  }
  const body = JSON.stringify({ inputs: ins, cases });
  const text = await new Promise<string>((resolve, reject) => {
    const p = spawn(python(), ['-c', PY], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python exited ${code}: ${err}`))));
    p.stdin.end(body);
  });
  const raw = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; b64: string } | { error: string; message: string }>;
  const res: Record<string, NpResult> = {};
  for (const [k, v] of Object.entries(raw)) {
    if ('error' in v) res[k] = v;
    else {
      const buf = Buffer.from(v.b64, 'base64');
      const data = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      res[k] = { dtype: v.dtype as NpDType, shape: v.shape, data };
    }
  }
  return res;
}

/** The dtype distnumpy documents for a NumPy result dtype (int64 -> int32, float16 -> float32 ...). */
export function ourDType(np: NpDType, context: 'sum' | 'default' = 'default'): string {
  if (np === 'int64' || np === 'uint64') return context === 'sum' ? 'float64' : 'int32';
  if (np === 'int8') return 'int32';
  if (np === 'float16') return 'float32';
  return np;
}

/** A Python literal for a JS scalar as distnumpy classifies it (integer-valued numbers are ints). */
export function pyScalar(v: number | boolean | null): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Number.isNaN(v)) return "float('nan')";
  if (v === Infinity) return "float('inf')";
  if (v === -Infinity) return "float('-inf')";
  // Exactly, as an int: String(1e300) would be a Python float.
  if (Number.isInteger(v)) return Object.is(v, -0) ? '0' : BigInt(v).toString();
  return String(v);
}

function ulpDiff(a: number, b: number): number {
  if (Object.is(a, b) || (a !== a && b !== b)) return 0;
  if (a === b) return 1; // +0 and -0: NumPy's sign of zero is part of the result
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const x = i[0] < 0n ? -(i[0] & 0x7fffffffffffffffn) : i[0];
  const y = i[1] < 0n ? -(i[1] & 0x7fffffffffffffffn) : i[1];
  const d = x - y;
  return Number(d < 0n ? -d : d);
}

export interface CompareOptions {
  /** Allowed difference in units in the last place (0: identical bits, the default). */
  ulps?: number;
  /** Or an absolute/relative tolerance (for sums, whose order differs from NumPy's pairwise). */
  rtol?: number;
  atol?: number;
  /** Check the dtype (mapped as distnumpy documents); default true. */
  dtype?: boolean;
  dtypeContext?: 'sum' | 'default';
}

/** Compare one of our arrays with NumPy's result, naming expected and actual. */
export async function assertMatches(
  t: ExecutionContext,
  actual: dn.NdArray,
  expected: NpResult | undefined,
  label: string,
  opts: CompareOptions = {},
): Promise<void> {
  if (!expected) return void t.fail(`${label}: NumPy gave no result`);
  if ('error' in expected) return void t.fail(`${label}: NumPy raised ${expected.error}: ${expected.message}`);
  t.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  if (opts.dtype !== false) t.is(actual.dtype as string, ourDType(expected.dtype, opts.dtypeContext), `${label}: dtype`);
  const got = await actual.data();
  const ulps = opts.ulps ?? 0;
  let bad = -1;
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(got[i]);
    const e = expected.data[i];
    let ok: boolean;
    if (opts.rtol !== undefined || opts.atol !== undefined) {
      ok = (a !== a && e !== e) || a === e || Math.abs(a - e) <= (opts.atol ?? 0) + (opts.rtol ?? 0) * Math.abs(e);
    } else {
      const u = actual.dtype === 'float32' ? ulpDiff(Math.fround(a), Math.fround(e)) / 2 ** 29 : ulpDiff(a, e);
      worst = Math.max(worst, u);
      ok = u <= ulps;
    }
    if (!ok && bad < 0) bad = i;
  }
  if (bad >= 0) {
    t.fail(`${label}: element ${bad}: expected ${expected.data[bad]}, actual ${got[bad]} (worst ${worst} ulp)`);
  } else {
    t.pass();
  }
}

/** A float array of `shape` with values in [-scale/2, scale/2) drawn from `seed` (an input for NumPy and us alike). */
export function randomArray(shape: number[], seed: number, dtype: dn.DType = 'float64', scale = 10): dn.NdArray {
  const r = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return dn.array(Array.from({ length: n }, () => (r() - 0.5) * scale), { dtype }).reshape(shape);
}

/** NumPy runs `code` (statements over the inputs), then evaluates each named expression. */
export async function numpyAfter(inputs: Record<string, dn.NdArray>, code: string, names: string[]): Promise<Record<string, NpResult>> {
  const cases: Record<string, string> = { setup: `exec(${JSON.stringify(code)}, globals()) or 0` };
  for (const n of names) cases[n] = n;
  return numpy(inputs, cases);
}
