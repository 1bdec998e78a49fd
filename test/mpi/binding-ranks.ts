// Run by test/mpi/binding.test.ts under `mpirun -np N`: calls every function of the MPI binding
// and prints one JSON line per rank with what it observed; the test computes the expected
// values from (rank, size) and compares. Not a test file itself (no .test. in the name).
import { Worker } from 'node:worker_threads';
import { Comm, MpiError, type MpiBuffer, type MpiRequest, type ReduceOp } from '../../lib/dist/mpi.js';
import { nativeStatus } from '../../lib/dist/native.js';
import { DTYPES, OPS, contribution } from './reduce-cases.js';

const comm = Comm.load();
if (comm === null) {
  console.log(JSON.stringify({ error: `MPI addon not active: ${nativeStatus().mpi.reason}` }));
  process.exit(2);
}

const out: Record<string, unknown> = {};
const provided = comm.Init();
const { rank, size } = comm;
const right = (rank + 1) % size;
const left = (rank + size - 1) % size;
out.rank = rank;
out.size = size;
out.provided = provided === comm.THREAD_MULTIPLE;

// Bcast: a fixed payload, then the header-then-payload pattern for a length only root knows.
{
  const root = size - 1;
  const buf = new Float64Array(5);
  if (rank === root) buf.forEach((_, i) => { buf[i] = root * 10 + i; });
  comm.Bcast(buf, root);
  out.bcast = Array.from(buf);
  const header = new Int32Array(1);
  if (rank === 0) header[0] = 3 + size;
  comm.Bcast(header, 0);
  const payload = new Uint8Array(header[0]);
  if (rank === 0) payload.forEach((_, i) => { payload[i] = 100 + i; });
  comm.Bcast(payload, 0);
  out.bcastVar = Array.from(payload);
}

// Blocking Send/Recv around the ring: rank 0 sends first, the others receive first.
if (size > 1) {
  const send = new Float64Array([rank, rank * 2]);
  const recv = new Float64Array(2);
  let status;
  if (rank === 0) {
    comm.Send(send, right, 7);
    status = comm.Recv(recv, comm.ANY_SOURCE, 7);
  } else {
    status = comm.Recv(recv, left, comm.ANY_TAG);
    comm.Send(send, right, 7);
  }
  out.ring = { data: Array.from(recv), ...status };
}

// Isend/Irecv to and from every rank (self included), received into a SharedArrayBuffer.
{
  const shared = new Int32Array(new SharedArrayBuffer(size * 2 * 4));
  const requests: MpiRequest[] = [];
  for (let s = 0; s < size; s++) requests.push(comm.Irecv(shared.subarray(2 * s, 2 * s + 2), s, 11));
  const sends = [];
  for (let d = 0; d < size; d++) sends.push(new Int32Array([rank, d]));
  for (let d = 0; d < size; d++) requests.push(comm.Isend(sends[d], d, 11));
  const statuses = comm.Waitall(requests);
  out.alltoall = Array.from(shared);
  out.alltoallStatus = statuses.slice(0, size);
  out.sendStatus = statuses[size];
  out.allDone = requests.every((r) => r.done);
}

// Waitsome and Testsome until every request is done.
{
  const loops = (poll: (rs: MpiRequest[]) => number[]): number[] => {
    const recv = new Float32Array(3);
    const send = new Float32Array([rank, rank, rank]);
    const rs = [comm.Irecv(recv, left, 21), comm.Isend(send, right, 21)];
    const seen: number[] = [];
    while (seen.length < rs.length) seen.push(...poll(rs));
    return [...seen.sort(), ...recv];
  };
  out.waitsome = loops((rs) => comm.Waitsome(rs));
  out.testsome = loops((rs) => comm.Testsome(rs));
}

// Test/Wait on single requests, Iprobe on a message to self.
{
  const req = comm.Isend(new Uint8Array([1, 2, 3, 4, 5]), rank, 5);
  let probed = null;
  while (probed === null) probed = comm.Iprobe(comm.ANY_SOURCE, 5);
  const got = new Uint8Array(8);
  const rreq = comm.Irecv(got, rank, 5);
  while (!comm.Test(rreq));
  out.iprobe = { ...probed, waited: comm.Wait(req), received: rreq.status, data: Array.from(got) };
}

// Allreduce for every dtype and op; land/lor on floats must be refused.
{
  const results: Record<string, unknown> = {};
  for (const dtype of DTYPES) {
    for (const op of OPS) {
      const key = `${dtype}:${op}`;
      const send = makeArray(dtype, contribution(op, rank));
      const recv = makeArray(dtype, [0, 0, 0, 0]);
      try {
        comm.Allreduce(send, recv, op as ReduceOp);
        results[key] = Array.from(recv as ArrayLike<number | bigint>, String);
      } catch (error) {
        results[key] = `${(error as Error).name}: ${(error as Error).message}`;
      }
    }
  }
  out.allreduce = results;
  const inPlace = new Int32Array([rank, 1]);
  comm.Allreduce(inPlace, inPlace, 'sum');
  out.allreduceInPlace = Array.from(inPlace);
}

// Reduce to root 0, Gatherv and Scatterv (with and without the root's block in place).
{
  const reduced = rank === 0 ? new Float64Array(2) : null;
  comm.Reduce(new Float64Array([rank, 1]), reduced, 'sum', 0);
  if (reduced) out.reduce = Array.from(reduced);

  const counts = Array.from({ length: size }, (_, r) => r + 1);
  const displs = counts.map((_, r) => (r * (r + 1)) / 2);
  const total = (size * (size + 1)) / 2;
  const mine = new Float64Array(rank + 1).fill(rank);
  const gathered = rank === 0 ? new Float64Array(total) : null;
  comm.Gatherv(mine, gathered, counts, displs, 0);
  if (gathered) out.gatherv = Array.from(gathered);

  const root = size - 1;
  const whole = new Float64Array(total).fill(-1);
  whole.set(new Float64Array(root + 1).fill(root), displs[root]);
  comm.Gatherv(rank === root ? whole : mine, rank === root ? whole : null,
    rank === root ? new Int32Array(counts) : null, rank === root ? new Int32Array(displs) : null, root);
  if (rank === root) out.gathervInPlace = Array.from(whole);

  const source = rank === root ? Float64Array.from({ length: total }, (_, i) => i) : null;
  const part = new Float64Array(rank + 1);
  comm.Scatterv(source, rank === root ? counts : null, rank === root ? displs : null, part, root);
  out.scatterv = Array.from(part);
}

// Promise variants: the event loop keeps running while the pool thread waits.
{
  const buf = new Float32Array(3);
  if (rank === 0) buf.set([1.5, 2.5, 3.5]);
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 1);
  await comm.BcastAsync(buf, 0);
  out.bcastAsync = Array.from(buf);
  const sum = new Float64Array(1);
  await comm.AllreduceAsync(new Float64Array([rank + 1]), sum, 'sum');
  out.allreduceAsync = sum[0];
  const shared = new Float64Array(new SharedArrayBuffer(16));
  const rs = [comm.Irecv(shared, left, 31), comm.Isend(new Float64Array([rank, -rank]), right, 31)];
  const statuses = await comm.WaitallAsync(rs);
  out.waitallAsync = { data: Array.from(shared), source: statuses[0].source, count: statuses[0].count };
  await comm.BarrierAsync();
  clearInterval(timer);
  out.loopRan = ticks >= 0;
}

// Zero copy: a receive into a view of a SharedArrayBuffer lands in the shared memory itself,
// which a worker thread (loading the addon too) reads.
{
  const sab = new SharedArrayBuffer(6 * 8);
  const view = new Float64Array(sab, 8, 4);
  const req = comm.Isend(new Float64Array([rank, 1, 2, 3]), right, 41);
  comm.Recv(view, left, 41);
  comm.Wait(req);
  const mpiUrl = new URL('../../lib/dist/mpi.js', import.meta.url).href;
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(mpiUrl)}).then(({ Comm }) => {
      const comm = Comm.load();
      parentPort.postMessage({ rank: comm.rank, data: Array.from(new Float64Array(workerData)) });
    }, (e) => parentPort.postMessage({ error: String(e) }));`, { eval: true, workerData: sab });
  out.sharedRecv = await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
}

// Errors: MPI's own (truncation) as MpiError, bad arguments as TypeError/RangeError.
{
  const big = comm.Isend(new Float64Array(4), rank, 51);
  try {
    comm.Recv(new Float64Array(2), rank, 51);
    out.truncate = 'no error';
  } catch (error) {
    const e = error as MpiError;
    out.truncate = { isMpiError: e instanceof MpiError, code: e.code, call: e.mpiCall, message: e.message };
  }
  comm.Wait(big);
  const errorOf = (fn: () => unknown): string => {
    try { fn(); return 'no error'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; }
  };
  out.badRoot = errorOf(() => comm.Bcast(new Uint8Array(1), size));
  out.badBuffer = errorOf(() => comm.Send([1, 2] as unknown as MpiBuffer, 0));
  out.badCounts = rank === 0 ? errorOf(() => comm.Gatherv(new Float64Array(1), new Float64Array(1), [1], [0, 0, 0, 0, 0], 0)) : null;
}

comm.Barrier();
out.processorName = comm.processorName().length > 0;
const t0 = comm.Wtime();
out.wtime = comm.Wtime() >= t0;
comm.Finalize();
out.finalized = !comm.initialized;
console.log(JSON.stringify(out));

function makeArray(dtype: string, values: number[]): MpiBuffer {
  switch (dtype) {
    case 'Float64Array': return new Float64Array(values);
    case 'Float32Array': return new Float32Array(values);
    case 'Int32Array': return new Int32Array(values);
    case 'Uint32Array': return new Uint32Array(values);
    case 'Int16Array': return new Int16Array(values);
    case 'Uint16Array': return new Uint16Array(values);
    case 'Int8Array': return new Int8Array(values);
    case 'Uint8Array': return new Uint8Array(values);
    case 'BigInt64Array': return new BigInt64Array(values.map(BigInt));
    case 'BigUint64Array': return new BigUint64Array(values.map(BigInt));
    default: throw new Error(`unknown dtype ${dtype}`);
  }
}
