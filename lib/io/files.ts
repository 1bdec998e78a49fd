// dn.save / dn.load: .npy files byte-compatible with numpy.save / numpy.load. Saves write to a
// temporary name beside the target and rename it, so a crash never leaves a truncated file.
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CTOR, INT_RANGE } from '../kernels/dtypes.js';
import { isCContiguous, shapeSize } from '../kernels/shape.js';
import { record } from '../graph/batch.js';
import { NdArray, liveNode, nodeOf, wrap } from '../graph/ndarray.js';
import { asLeaf, dataLeaf, freshLeaf } from '../graph/materialise.js';
import { ensureInit, flush, worldSize } from '../graph/runtime.js';
import { describe, typeError } from '../graph/errors.js';
import { type NpyHeader, NpyFormatError, READABLE, formatHeader, parseHeader } from './npy.js';

function checkPath(fn: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw typeError(`${fn}: path must be a non-empty string, got ${describe(path)}`, 'ERR_PATH');
  }
}

/** An fs error as an Error naming the file the user asked for (Node's names a temporary file, or none). */
function fileError(fn: string, path: string, e: unknown, tmp?: string): Error {
  const err = e as NodeJS.ErrnoException;
  let msg = err instanceof Error ? err.message : String(e);
  if (tmp !== undefined) msg = msg.split(tmp).join(path);
  return Object.assign(new Error(`${fn}: ${path}: ${msg}`, { cause: e }), err?.code ? { code: err.code } : {});
}

export async function save(path: string, x: NdArray): Promise<void> {
  checkPath('save', path);
  if (!(x instanceof NdArray)) throw typeError(`save: expected an NdArray to save, got ${describe(x)}`, 'ERR_OPERAND');
  liveNode(x);
  const file = path.endsWith('.npy') ? path : `${path}.npy`;
  const header = formatHeader(x.dtype, x.shape);
  const tmp = resolve(join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`));
  // Create the temporary file now, on rank 0, before anything is recorded: a directory that does
  // not exist or cannot be written is refused here, naming the file asked for, instead of
  // failing the step (which under MPI ends every rank).
  try {
    closeSync(openSync(tmp, 'w'));
  } catch (e) {
    throw fileError('save', file, e, tmp);
  }
  if (worldSize() > 1) return saveParallel(x, header, tmp, file);
  try {
    const data = await x.data();
    const fh = await open(tmp, 'w');
    try {
      await fh.write(header);
      await fh.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e instanceof Error && (e as NodeJS.ErrnoException).syscall ? fileError('save', file, e, tmp) : e;
  }
}

/** Under MPI: every rank writes the rows it owns into the one file (a shared file system). */
async function saveParallel(x: NdArray, header: Uint8Array, tmp: string, file: string): Promise<void> {
  let leaf;
  try {
    leaf = asLeaf(nodeOf(x));
    const whole = leaf.offset === 0 && shapeSize(leaf.shape) === leaf.block.length && isCContiguous(leaf);
    if (!whole) leaf = asLeaf(nodeOf(x.copy()));
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  record({ kind: 'save', op: 'save', block: leaf.block, path: tmp, header });
  try {
    await flush();
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e instanceof Error && (e as NodeJS.ErrnoException).syscall ? fileError('save', file, e, tmp) : e;
  }
}

export async function load(path: string): Promise<NdArray> {
  checkPath('load', path);
  ensureInit();
  const parallel = worldSize() > 1;
  let buf: Uint8Array;
  let fileSize: number;
  try {
    buf = parallel ? await readHead(path) : new Uint8Array(await readFile(path));
    fileSize = parallel ? (await stat(path)).size : buf.length;
  } catch (e) {
    throw fileError('load', path, e);
  }
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
    let all: Uint8Array;
    try {
      all = new Uint8Array(await readFile(path));
    } catch (e) {
      throw fileError('load', path, e);
    }
    return load1(path, h, info, all);
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
