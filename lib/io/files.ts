// dn.save / dn.load: .npy files byte-compatible with numpy.save / numpy.load. Saves write to a
// temporary name beside the target and rename it, so a crash never leaves a truncated file.
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CTOR, INT_RANGE } from '../kernels/dtypes.js';
import { isCContiguous, shapeSize } from '../kernels/shape.js';
import { record } from '../graph/batch.js';
import { NdArray, nodeOf, wrap } from '../graph/ndarray.js';
import { asLeaf, dataLeaf, freshLeaf } from '../graph/materialise.js';
import { ensureInit, flush, worldSize } from '../graph/runtime.js';
import { typeError } from '../graph/errors.js';
import { type NpyHeader, NpyFormatError, READABLE, formatHeader, parseHeader } from './npy.js';

export async function save(path: string, x: NdArray): Promise<void> {
  if (typeof path !== 'string' || path === '') throw typeError(`save: path must be a non-empty string, got ${String(path)}`, 'ERR_PATH');
  if (!(x instanceof NdArray)) throw typeError('save: the array must be an NdArray', 'ERR_OPERAND');
  const file = path.endsWith('.npy') ? path : `${path}.npy`;
  const header = formatHeader(x.dtype, x.shape);
  const tmp = resolve(join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`));
  if (worldSize() > 1) return saveParallel(x, header, tmp, file);
  const data = await x.data();
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

/** Under MPI: every rank writes the rows it owns into the one file (a shared file system). */
async function saveParallel(x: NdArray, header: Uint8Array, tmp: string, file: string): Promise<void> {
  let leaf = asLeaf(nodeOf(x));
  const whole = leaf.offset === 0 && shapeSize(leaf.shape) === leaf.block.length && isCContiguous(leaf);
  if (!whole) leaf = asLeaf(nodeOf(x.copy()));
  record({ kind: 'save', op: 'save', block: leaf.block, path: tmp, header });
  try {
    await flush();
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await rename(tmp, file);
}

export async function load(path: string): Promise<NdArray> {
  if (typeof path !== 'string' || path === '') throw typeError(`load: path must be a non-empty string, got ${String(path)}`, 'ERR_PATH');
  ensureInit();
  const parallel = worldSize() > 1;
  const buf = parallel ? await readHead(path) : new Uint8Array(await readFile(path));
  const fileSize = parallel ? (await stat(path)).size : buf.length;
  let h;
  try {
    h = parseHeader(buf, fileSize);
  } catch (e) {
    if (e instanceof NpyFormatError) e.message = `load: ${path}: ${e.message}`;
    throw e;
  }
  const info = READABLE[h.descr === '<b1' ? '|b1' : h.descr === '<u1' ? '|u1' : h.descr === '<i1' ? '|i1' : h.descr];
  if (parallel) {
    if (!h.fortran && CTOR[info.dtype].BYTES_PER_ELEMENT === info.bytes && h.descr !== '|b1') {
      // Every rank reads the rows it owns straight from the file.
      const leaf = freshLeaf(info.dtype, h.shape);
      record({ kind: 'load', op: 'load', block: leaf.block, path: resolve(path), offset: h.dataOffset });
      return wrap(leaf);
    }
    // Other layouts and dtypes are converted on rank 0 and sent with the batch.
    return load1(path, h, info, new Uint8Array(await readFile(path)));
  }
  return load1(path, h, info, buf);
}

async function readHead(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(65536 + 12);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function load1(path: string, h: NpyHeader, info: (typeof READABLE)[string], buf: Uint8Array): NdArray {
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
