// dn.save / dn.load: .npy files byte-compatible with numpy.save / numpy.load. Saves write to a
// temporary name beside the target and rename it, so a crash never leaves a truncated file.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CTOR, INT_RANGE } from '../kernels/dtypes.js';
import { NdArray, wrap } from '../graph/ndarray.js';
import { dataLeaf } from '../graph/materialise.js';
import { ensureInit } from '../graph/runtime.js';
import { typeError } from '../graph/errors.js';
import { NpyFormatError, READABLE, formatHeader, parseHeader } from './npy.js';

export async function save(path: string, x: NdArray): Promise<void> {
  if (typeof path !== 'string' || path === '') throw typeError(`save: path must be a non-empty string, got ${String(path)}`, 'ERR_PATH');
  if (!(x instanceof NdArray)) throw typeError('save: the array must be an NdArray', 'ERR_OPERAND');
  const file = path.endsWith('.npy') ? path : `${path}.npy`;
  const data = await x.data();
  const header = formatHeader(x.dtype, x.shape);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.write(header);
    await fh.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, file);
}

export async function load(path: string): Promise<NdArray> {
  if (typeof path !== 'string' || path === '') throw typeError(`load: path must be a non-empty string, got ${String(path)}`, 'ERR_PATH');
  ensureInit();
  const buf = new Uint8Array(await readFile(path));
  let h;
  try {
    h = parseHeader(buf, buf.length);
  } catch (e) {
    if (e instanceof NpyFormatError) e.message = `load: ${path}: ${e.message}`;
    throw e;
  }
  const info = READABLE[h.descr === '<b1' ? '|b1' : h.descr === '<u1' ? '|u1' : h.descr === '<i1' ? '|i1' : h.descr];
  const n = h.shape.reduce((a, b) => a * b, 1);
  // A Fortran-ordered file holds the transpose in C order: read it so, then copy transposed.
  const fileShape = h.fortran ? [...h.shape].reverse() : h.shape;
  const d = new CTOR[info.dtype](n);
  const native = CTOR[info.dtype].BYTES_PER_ELEMENT === info.bytes && h.descr !== '|b1';
  if (native) {
    // slice() copies into a fresh, aligned buffer (readFile's may start at any byte).
    d.set(new CTOR[info.dtype](buf.slice(h.dataOffset).buffer, 0, n));
  } else {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const range = INT_RANGE.int32!;
    for (let i = 0; i < n; i++) {
      const v = info.read(dv, h.dataOffset + i * info.bytes);
      if (info.dtype === 'int32' && (v < range[0] || v > range[1])) {
        throw new NpyFormatError(`load: ${path}: value ${v} of '${h.descr}' does not fit int32`);
      }
      d[i] = v;
    }
  }
  const arr = wrap(dataLeaf(info.dtype, fileShape, d, 'load'));
  if (!h.fortran) return arr;
  return arr.transpose().copy();
}
