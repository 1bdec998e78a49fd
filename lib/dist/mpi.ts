// A communicator with mpi4py's buffer methods over the dn_mpi addon. The addon works on the
// library's private duplicate of MPI_COMM_WORLD, so no user message can match ours. Every
// argument is checked here, before C++ sees it, with messages naming the values; MPI's own
// failures come back as MpiError with MPI_Error_string's text.
//
// Collectives must be called by every rank in the same order. An argument error thrown at one
// rank leaves the others waiting in the collective: the caller should Abort on such errors.
import { INT32_MAX, describe, intArg, overlaps, rangeError, typeError, viewKind } from './args.js';
import {
  type MpiBinding, type MpiBuffer, type MpiRequest, type MpiStatus, type ReduceOp, loadMpi,
} from './native.js';

export type { MpiBuffer, MpiRequest, MpiStatus, ReduceOp };

/** A failed MPI call: thrown by the addon as an instance of this class. */
export class MpiError extends Error {
  override name = 'MpiError';
  readonly code = 'ERR_MPI';
  /** MPI_Error_class of the failure (MPI_ERR_TRUNCATE, ...); set by the addon. */
  mpiErrorClass = -1;
  /** The MPI function that failed; set by the addon. */
  mpiCall = '';
}

const FLOAT_KINDS = new Set(['Float32Array', 'Float64Array']);
const BUFFER_KINDS = new Set([
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
]);
const OPS: ReadonlySet<string> = new Set<ReduceOp>(['sum', 'prod', 'min', 'max', 'land', 'lor']);

type Counts = readonly number[] | Int32Array;

export class Comm {
  readonly #mpi: MpiBinding;
  #rank = 0;
  #size = 0; // 0 until Init (or until this object first sees MPI initialized)
  #tagUB = 32767;

  constructor(binding: MpiBinding) {
    this.#mpi = binding;
    binding.setErrorClass(MpiError);
  }

  /** A Comm over the addon, or null when it is not built or disabled (see nativeStatus()). */
  static load(): Comm | null {
    const binding = loadMpi();
    return binding ? new Comm(binding) : null;
  }

  get ANY_SOURCE(): number { return this.#mpi.ANY_SOURCE; }
  get ANY_TAG(): number { return this.#mpi.ANY_TAG; }

  /**
   * MPI_Init_thread(MPI_THREAD_MULTIPLE) unless MPI is initialized already, then duplicates
   * COMM_WORLD once. Returns the thread level provided (compare with THREAD_MULTIPLE).
   */
  Init(): number {
    const provided = this.#mpi.Init();
    this.#size = 0;
    this.#ready('Init');
    return provided;
  }

  get THREAD_MULTIPLE(): number { return this.#mpi.THREAD_MULTIPLE; }

  /** MPI_Initialized: true once MPI was initialized, also after Finalize. */
  Initialized(): boolean { return this.#mpi.Initialized(); }

  Finalized(): boolean { return this.#mpi.Finalized(); }

  /** Initialized and not yet finalized: MPI calls may be made. */
  get initialized(): boolean { return this.#mpi.Initialized() && !this.#mpi.Finalized(); }

  get rank(): number { this.#ready('rank'); return this.#rank; }

  get size(): number { this.#ready('size'); return this.#size; }

  /** The largest tag a message may carry. */
  get tagUB(): number { this.#ready('tagUB'); return this.#tagUB; }

  Bcast(buf: MpiBuffer, root: number): void {
    this.#mpi.Bcast(this.#bytes('Bcast', 'buf', buf), this.#rankArg('Bcast', 'root', root));
  }

  /** Bcast on a libuv pool thread: the event loop runs while this rank waits. */
  BcastAsync(buf: MpiBuffer, root: number): Promise<void> {
    return this.#mpi.BcastAsync(this.#bytes('BcastAsync', 'buf', buf), this.#rankArg('BcastAsync', 'root', root));
  }

  Send(buf: MpiBuffer, dest: number, tag = 0): void {
    this.#mpi.Send(this.#bytes('Send', 'buf', buf), this.#rankArg('Send', 'dest', dest), this.#tag('Send', tag, false));
  }

  /** Receives into buf (which must be large enough); count in the status is in bytes. */
  Recv(buf: MpiBuffer, source = this.ANY_SOURCE, tag = this.ANY_TAG): MpiStatus {
    return this.#mpi.Recv(this.#bytes('Recv', 'buf', buf), this.#source('Recv', source), this.#tag('Recv', tag, true));
  }

  /** Status of a message waiting to be received, or null. */
  Iprobe(source = this.ANY_SOURCE, tag = this.ANY_TAG): MpiStatus | null {
    return this.#mpi.Iprobe(this.#source('Iprobe', source), this.#tag('Iprobe', tag, true));
  }

  Isend(buf: MpiBuffer, dest: number, tag = 0): MpiRequest {
    return this.#mpi.Isend(this.#bytes('Isend', 'buf', buf), this.#rankArg('Isend', 'dest', dest), this.#tag('Isend', tag, false));
  }

  Irecv(buf: MpiBuffer, source = this.ANY_SOURCE, tag = this.ANY_TAG): MpiRequest {
    return this.#mpi.Irecv(this.#bytes('Irecv', 'buf', buf), this.#source('Irecv', source), this.#tag('Irecv', tag, true));
  }

  /** True once the request completed (its status is then in request.status). */
  Test(request: MpiRequest): boolean {
    return this.#mpi.Test(this.#request('Test', 'request', request));
  }

  Wait(request: MpiRequest): MpiStatus {
    return this.#mpi.Wait(this.#request('Wait', 'request', request));
  }

  Waitall(requests: readonly MpiRequest[]): MpiStatus[] {
    return this.#mpi.Waitall(this.#requests('Waitall', requests));
  }

  /** Waitall on a libuv pool thread; the requests may not be tested or waited for meanwhile. */
  WaitallAsync(requests: readonly MpiRequest[]): Promise<MpiStatus[]> {
    return this.#mpi.WaitallAsync(this.#requests('WaitallAsync', requests));
  }

  /** Blocks until at least one request completes; returns the indices completed now ([] if all were done). */
  Waitsome(requests: readonly MpiRequest[]): number[] {
    return this.#mpi.Waitsome(this.#requests('Waitsome', requests));
  }

  /** The indices of the requests that completed now, possibly none. */
  Testsome(requests: readonly MpiRequest[]): number[] {
    return this.#mpi.Testsome(this.#requests('Testsome', requests));
  }

  /** recvbuf = op over ranks of sendbuf; pass one array twice to reduce in place. */
  Allreduce(sendbuf: MpiBuffer, recvbuf: MpiBuffer, op: ReduceOp): void {
    this.#reduction('Allreduce', sendbuf, recvbuf, op);
    this.#mpi.Allreduce(sendbuf, recvbuf, op);
  }

  AllreduceAsync(sendbuf: MpiBuffer, recvbuf: MpiBuffer, op: ReduceOp): Promise<void> {
    this.#reduction('AllreduceAsync', sendbuf, recvbuf, op);
    return this.#mpi.AllreduceAsync(sendbuf, recvbuf, op);
  }

  /** recvbuf (at root only; null elsewhere) = op over ranks of sendbuf. */
  Reduce(sendbuf: MpiBuffer, recvbuf: MpiBuffer | null, op: ReduceOp, root: number): void {
    const r = this.#rankArg('Reduce', 'root', root);
    if (r === this.#rank) {
      if (recvbuf === null) throw typeError(`Reduce: recvbuf is required at the root (rank ${r})`);
      this.#reduction('Reduce', sendbuf, recvbuf, op);
    } else {
      this.#reduction('Reduce', sendbuf, sendbuf, op);
    }
    this.#mpi.Reduce(sendbuf, r === this.#rank ? recvbuf : null, op, r);
  }

  /**
   * Gathers each rank's sendbuf into recvbuf at root: rank i's block is counts[i] elements at
   * element displs[i]. recvbuf, counts and displs matter at root only (null elsewhere). At root,
   * passing recvbuf as sendbuf means the root's block is in place already.
   */
  Gatherv(sendbuf: MpiBuffer, recvbuf: MpiBuffer | null, counts: Counts | null, displs: Counts | null,
    root: number): void {
    const r = this.#rankArg('Gatherv', 'root', root);
    this.#elements('Gatherv', 'sendbuf', sendbuf);
    if (r !== this.#rank) {
      this.#mpi.Gatherv(sendbuf, null, null, null, r);
      return;
    }
    const [c, d] = this.#layout('Gatherv', 'recvbuf', recvbuf, counts, displs);
    const target = recvbuf as MpiBuffer;
    this.#pairing('Gatherv', sendbuf, target, c[r]);
    this.#mpi.Gatherv(sendbuf, target, c, d, r);
  }

  /**
   * Scatters blocks of sendbuf at root (counts[i] elements at displs[i] to rank i) into each
   * rank's recvbuf. sendbuf, counts and displs matter at root only (null elsewhere).
   */
  Scatterv(sendbuf: MpiBuffer | null, counts: Counts | null, displs: Counts | null, recvbuf: MpiBuffer,
    root: number): void {
    const r = this.#rankArg('Scatterv', 'root', root);
    this.#elements('Scatterv', 'recvbuf', recvbuf);
    if (r !== this.#rank) {
      this.#mpi.Scatterv(null, null, null, recvbuf, r);
      return;
    }
    const [c, d] = this.#layout('Scatterv', 'sendbuf', sendbuf, counts, displs);
    const source = sendbuf as MpiBuffer;
    this.#pairing('Scatterv', recvbuf, source, c[r]);
    this.#mpi.Scatterv(source, c, d, recvbuf, r);
  }

  Barrier(): void {
    this.#ready('Barrier');
    this.#mpi.Barrier();
  }

  BarrierAsync(): Promise<void> {
    this.#ready('BarrierAsync');
    return this.#mpi.BarrierAsync();
  }

  /** Ends every rank of the job with `code`. */
  Abort(code = 1): never {
    return this.#mpi.Abort(intArg('Abort', 'code', code, -(2 ** 31), INT32_MAX));
  }

  /**
   * MPI_Comm_spawn: start `count` processes running `command args` and make this communicator
   * this process (rank 0) and them (ranks 1..count), which join it from their Init. Only a
   * process that is alone (size 1) may spawn.
   */
  Spawn(command: string, args: readonly string[], count: number): void {
    this.#ready('Spawn');
    if (typeof command !== 'string' || command === '') throw typeError(`Spawn: command must be a non-empty string, got ${describe(command)}`);
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
      throw typeError(`Spawn: args must be an array of strings, got ${describe(args)}`);
    }
    intArg('Spawn', 'count', count, 1, INT32_MAX);
    if (this.#size !== 1) throw rangeError(`Spawn: only a lone process may spawn ranks, this communicator has ${this.#size}`);
    this.#mpi.Spawn(command, [...args], count);
    this.#size = 0;
    this.#ready('Spawn');
  }

  /** Frees the private communicator and finalizes MPI (no MPI call may follow, in any thread). */
  Finalize(): void {
    this.#size = 0;
    this.#mpi.Finalize();
  }

  processorName(): string {
    this.#ready('processorName');
    return this.#mpi.processorName();
  }

  Wtime(): number {
    return this.#mpi.Wtime();
  }

  // ---- checks ----

  #ready(fn: string): void {
    if (this.#size > 0) return;
    if (!this.#mpi.Initialized() || this.#mpi.Finalized()) {
      throw Object.assign(new Error(`${fn}: MPI is not initialized (call Init() first) or already finalized`),
        { code: 'ERR_MPI_NOT_INITIALIZED' });
    }
    this.#rank = this.#mpi.rank();
    this.#size = this.#mpi.size();
    this.#tagUB = this.#mpi.tagUB();
  }

  #rankArg(fn: string, name: string, value: number): number {
    this.#ready(fn);
    return intArg(fn, name, value, 0, this.#size - 1);
  }

  #source(fn: string, value: number): number {
    this.#ready(fn);
    return value === this.#mpi.ANY_SOURCE ? value : this.#rankArg(fn, 'source', value);
  }

  #tag(fn: string, value: number, allowAny: boolean): number {
    this.#ready(fn);
    if (allowAny && value === this.#mpi.ANY_TAG) return value;
    return intArg(fn, 'tag', value, 0, this.#tagUB);
  }

  #buffer(fn: string, name: string, value: unknown): MpiBuffer {
    const kind = viewKind(value);
    if (kind === null || !BUFFER_KINDS.has(kind)) {
      throw typeError(`${fn}: ${name} must be a typed array, got ${describe(value)}`);
    }
    return value as MpiBuffer;
  }

  // Point-to-point and Bcast move bytes: MPI counts are C ints.
  #bytes(fn: string, name: string, value: unknown): MpiBuffer {
    const buf = this.#buffer(fn, name, value);
    if (buf.byteLength > INT32_MAX) {
      throw rangeError(`${fn}: ${name} has ${buf.byteLength} bytes; messages are limited to 2^31-1 bytes, split it`);
    }
    return buf;
  }

  #elements(fn: string, name: string, value: unknown): MpiBuffer {
    this.#ready(fn);
    const buf = this.#buffer(fn, name, value);
    if (buf.length > INT32_MAX) {
      throw rangeError(`${fn}: ${name} has ${buf.length} elements; MPI counts are limited to 2^31-1`);
    }
    return buf;
  }

  #reduction(fn: string, sendbuf: unknown, recvbuf: unknown, op: unknown): void {
    const send = this.#elements(fn, 'sendbuf', sendbuf);
    const recv = this.#elements(fn, 'recvbuf', recvbuf);
    const kind = viewKind(send) as string;
    if (viewKind(recv) !== kind || send.length !== recv.length) {
      throw typeError(`${fn}: sendbuf and recvbuf must have one type and length, got ${describe(send)} and ${describe(recv)}`);
    }
    if (typeof op !== 'string' || !OPS.has(op)) {
      throw typeError(`${fn}: op must be one of ${[...OPS].map((o) => `'${o}'`).join(', ')}, got ${describe(op)}`,
        'ERR_INVALID_ARG_VALUE');
    }
    if ((op === 'land' || op === 'lor') && FLOAT_KINDS.has(kind)) {
      throw typeError(`${fn}: op '${op}' is defined on integer arrays only, got ${kind}`, 'ERR_INVALID_ARG_VALUE');
    }
    // MPI adds Uint8ClampedArray's bytes with wrap-around, not clamping: refuse rather than surprise.
    if ((op === 'sum' || op === 'prod') && kind === 'Uint8ClampedArray') {
      throw typeError(`${fn}: op '${op}' would wrap, not clamp, a Uint8ClampedArray; use a Uint8Array view`,
        'ERR_INVALID_ARG_VALUE');
    }
    this.#distinctOrSame(fn, send, recv);
  }

  // One array passed twice reduces in place; two views that partly share memory are an error.
  #distinctOrSame(fn: string, a: MpiBuffer, b: MpiBuffer): void {
    if (a === b || a.buffer !== b.buffer) return;
    const same = a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
    if (!same && overlaps(a, 0, a.byteLength, b, 0, b.byteLength)) {
      throw rangeError(`${fn}: sendbuf and recvbuf overlap in memory; pass one array twice to work in place`,
        'ERR_INVALID_ARG_VALUE');
    }
  }

  // counts/displs at the root: one non-negative integer per rank, every block inside buf.
  #layout(fn: string, name: string, bufValue: unknown, counts: Counts | null, displs: Counts | null): [Int32Array, Int32Array] {
    if (bufValue === null) throw typeError(`${fn}: ${name} is required at the root (rank ${this.#rank})`);
    const buf = this.#elements(fn, name, bufValue);
    const c = this.#counts(fn, 'counts', counts);
    const d = this.#counts(fn, 'displs', displs);
    for (let i = 0; i < this.#size; i++) {
      if (d[i] + c[i] > buf.length) {
        throw rangeError(`${fn}: block ${i} (counts[${i}]=${c[i]} at displs[${i}]=${d[i]}) ends past ` +
          `${name}, which has ${buf.length} elements`);
      }
    }
    return [c, d];
  }

  #counts(fn: string, name: string, value: Counts | null): Int32Array {
    if (!Array.isArray(value) && viewKind(value) !== 'Int32Array') {
      throw typeError(`${fn}: ${name} must be an array of numbers or an Int32Array, got ${describe(value)}`);
    }
    const list = value as Counts;
    if (list.length !== this.#size) {
      throw rangeError(`${fn}: ${name} must have one entry per rank (${this.#size}), got ${list.length}`);
    }
    const out = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) out[i] = intArg(fn, `${name}[${i}]`, list[i], 0, INT32_MAX);
    return out;
  }

  // The root's own block: the same array as the big buffer means "in place", else its length
  // must be counts[root] and its type the big buffer's.
  #pairing(fn: string, own: MpiBuffer, big: MpiBuffer, count: number): void {
    if (viewKind(own) !== viewKind(big)) {
      throw typeError(`${fn}: sendbuf and recvbuf must have one type, got ${describe(own)} and ${describe(big)}`);
    }
    const same = own.buffer === big.buffer && own.byteOffset === big.byteOffset && own.byteLength === big.byteLength;
    if (same) return;
    if (own.length !== count) {
      throw rangeError(`${fn}: counts[root]=${count} but the root's own block has ${own.length} elements`);
    }
    if (overlaps(own, 0, own.byteLength, big, 0, big.byteLength)) {
      throw rangeError(`${fn}: sendbuf and recvbuf overlap; pass one array twice for the root's block in place`,
        'ERR_INVALID_ARG_VALUE');
    }
  }

  #request(fn: string, name: string, value: unknown): MpiRequest {
    if (!(value instanceof this.#mpi.Request)) {
      throw typeError(`${fn}: ${name} must be a Request from Isend/Irecv, got ${describe(value)}`);
    }
    return value;
  }

  #requests(fn: string, values: unknown): MpiRequest[] {
    if (!Array.isArray(values)) throw typeError(`${fn}: requests must be an array, got ${describe(values)}`);
    const list = values.map((v: unknown, i) => this.#request(fn, `requests[${i}]`, v));
    if (new Set(list).size !== list.length) {
      throw rangeError(`${fn}: requests holds one Request twice`, 'ERR_INVALID_ARG_VALUE');
    }
    return list;
  }
}
