// A program touching the whole API, run at 1-4 ranks by cluster.test.ts. Prints one JSON line:
// every result's bytes (base64), so the test can demand identical bits at every rank count
// (matrix products, a reduction, equal to rounding: their values).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dn from '../../../lib/index.js';

const out: Record<string, string> = {};
async function put(name: string, x: dn.NdArray): Promise<void> {
  const d = await x.data();
  out[name] = `${x.dtype}:${x.shape.join('x')}:${Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64')}`;
}

/** A result equal to rounding across configurations (a matrix product): its values, marked '~'. */
async function putNear(name: string, x: dn.NdArray): Promise<void> {
  out[name] = `~${JSON.stringify(Array.from(await x.data()))}`;
}

dn.random.seed(1234);
const a = dn.random.random([37, 23]);
const b = dn.random.normal(1, 2, [23]);
await put('chain', a.add(b).mul(a.T.T).sub(0.5).sin());
await put('uniform', dn.random.uniform(-3, 3, [5, 7]));
await put('arange', dn.arange(3, 50, 4).astype('float32').sqrt());
await put('linspace', dn.linspace(-1, 1, 11));
await put('eye', dn.eye(5, 6, { k: 1 }));
await put('array', dn.array([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' }).mul(7).mod(5));
await put('full', dn.full([3, 3], 2.5).pow(3));
await put('sums', a.sum(0));
await put('means', a.mean(1));
await put('argmax', a.argmax(0));
await put('minall', a.min());
await put('anyall', a.gt(0.99).any(1));
// How BLAS blocks a product depends on the shape of each rank's part of C.
await putNear('matmul', dn.matmul(a, a.T));
await put('dot', dn.dot(a, b));
await put('outer', dn.outer(b, dn.arange(4)));
const g = dn.zeros([30, 40]);
g.set('0, :', 1);
g.set(':, 0', dn.linspace(0, 1, 30));
for (let i = 0; i < 20; i++) {
  const w = g.slice('0:-2, 1:-1').add(g.slice('2:, 1:-1')).add(g.slice('1:-1, 0:-2')).add(g.slice('1:-1, 2:')).mul(0.25);
  g.set('1:-1, 1:-1', w);
}
await put('stencil', g);
const c = dn.where(a.lt(0.5), a, dn.clip(a.mul(3), 0, 2));
await put('where', c);
const d = a.copy();
d.set('::2, 1::3', -1);
await put('set', d);
const t = dn.ones([100]);
t.dispose();
const dir = mkdtempSync(join(tmpdir(), 'dn-tour-'));
await dn.save(join(dir, 'x.npy'), a);
// The file written by every rank in parallel must be the same bytes as one rank writes.
out.file = readFileSync(join(dir, 'x.npy')).toString('base64');
await dn.save(join(dir, 't.npy'), a.T.slice('::2'));
out.fileView = readFileSync(join(dir, 't.npy')).toString('base64');
await put('loaded', (await dn.load(join(dir, 'x.npy'))).mul(2));
rmSync(dir, { recursive: true, force: true });
out.text = await dn.arange(6).reshape(2, 3).toString();
console.log(JSON.stringify({ rank: dn.rank, size: dn.size, out }));
await dn.shutdown();
