// The synchronisation points: flush the batch, then copy an array out into fresh JS memory.
import { CTOR, type DType, type TypedArray } from '../kernels/dtypes.js';
import { cStrides, shapeSize } from '../kernels/shape.js';
import type { Block } from '../smp/store.js';
import { viewInterval } from '../dist/partition.js';
import { failureOf, record } from './batch.js';
import { asLeaf } from './materialise.js';
import type { ArrayNode, Leaf } from './node.js';
import { flush, worldSize } from './runtime.js';

/**
 * dispose(): no call may record work on the block from now on; its memory goes back to the store
 * when the steps already recorded (which may still read or write it) have run.
 */
export function disposeBlock(b: Block): void {
  if (b.disposed) return;
  b.disposed = true;
  record({ kind: 'release', op: 'dispose', block: b });
}

function copyOut(l: Leaf): TypedArray {
  const n = shapeSize(l.shape);
  const out = new CTOR[l.dtype](n);
  const src = l.block.data;
  const nd = l.shape.length;
  if (nd === 0) {
    out[0] = src[l.offset];
    return out;
  }
  const c = cStrides(l.shape);
  if (l.strides.every((s, i) => s === c[i] || l.shape[i] === 1)) {
    out.set(src.subarray(l.offset, l.offset + n));
    return out;
  }
  // Odometer over the view: innermost axis as a tight strided loop.
  const idx = new Array<number>(nd).fill(0);
  const inner = l.shape[nd - 1];
  const s = l.strides[nd - 1];
  let q = 0;
  if (n === 0) return out;
  for (;;) {
    let p = l.offset;
    for (let d = 0; d < nd - 1; d++) p += idx[d] * l.strides[d];
    for (let j = 0; j < inner; j++, p += s) out[q++] = src[p];
    let d = nd - 2;
    while (d >= 0 && ++idx[d] === l.shape[d]) idx[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

async function settled(n: ArrayNode): Promise<Leaf> {
  const leaf = asLeaf(n);
  if (leaf.block.disposed) throw new Error('cannot read an array after dispose()');
  // Under MPI, rank 0 holds only its own rows until the others send theirs.
  const iv = worldSize() > 1 ? viewInterval(leaf) : null;
  if (iv) record({ kind: 'gather', op: 'read', block: leaf.block, lo: iv[0], hi: iv[1] + 1 });
  await flush();
  const err = failureOf(leaf.block);
  if (err) throw err;
  return leaf;
}

/** A fresh C-ordered typed array of the values (bool as 0/1 in a Uint8Array). */
export async function readData(n: ArrayNode): Promise<TypedArray> {
  return copyOut(await settled(n));
}

export async function readItem(n: ArrayNode): Promise<number | boolean> {
  const leaf = await settled(n);
  const v = leaf.block.data[leaf.offset];
  return leaf.dtype === 'bool' ? v !== 0 : v;
}

export function nest(data: TypedArray, shape: readonly number[], dtype: DType): unknown {
  const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(data[0]);
  const build = (d: number, off: number): unknown[] => {
    const len = shape[d];
    const stride = shapeSize(shape.slice(d + 1));
    const out = new Array<unknown>(len);
    for (let i = 0; i < len; i++) out[i] = d === shape.length - 1 ? conv(data[off + i]) : build(d + 1, off + i * stride);
    return out;
  };
  return build(0, 0);
}

export async function readNested(n: ArrayNode): Promise<unknown> {
  const data = await readData(n);
  return nest(data, n.shape, n.dtype);
}
