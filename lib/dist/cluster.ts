// The sequential model under mpirun (DistNumPy's master/serve): rank 0 runs the user's program
// and broadcasts each batch once; every other rank executes the same batches and never runs the
// program. A batch is announced by its byte length (-1: shut down), then sent in one Bcast.
//
// Ranks come from mpirun (one per node), or, on one machine without mpirun, from
// DISTNUMPY_RANKS=N: rank 0 spawns N-1 serving ranks itself (spawn.ts).
import { inspect } from 'node:util';
import { executeDistributed } from './execute-dist.js';
import { Comm } from './mpi.js';
import type { Executor } from '../smp/exec.js';
import { letFinalizersRun, setFreeListener } from '../smp/store.js';
import type { Step } from './steps.js';
import { Decoder, Encoder } from './wire.js';
import { isSpawnedRank, spawnedRanks, spawnRanks, type Watchdog } from './spawn.js';

const SHUTDOWN = -1;

/** World size and rank as mpirun announces them, before MPI is initialised. */
export function launchedSize(): number {
  const env = process.env;
  return Number(env.OMPI_COMM_WORLD_SIZE ?? env.PMIX_SIZE ?? env.PMI_SIZE ?? 1) || 1;
}

export interface Cluster {
  rank: number;
  size: number;
  comm: Comm | null;
}

let cluster: Cluster | null = null;

/**
 * Initialise MPI when this process is one of several ranks. Without MPI (or alone) the process
 * is rank 0 of 1. Ranks whose MPI cannot start end the job rather than run the program N times.
 */
export function startCluster(): Cluster {
  if (cluster) return cluster;
  if (process.env.DISTNUMPY_NO_MPI === '1') return (cluster = { rank: 0, size: 1, comm: null });
  const spawned = isSpawnedRank();
  const wanted = spawned || launchedSize() > 1 ? 0 : spawnedRanks();
  if (!spawned && launchedSize() <= 1 && wanted <= 1) return (cluster = { rank: 0, size: 1, comm: null });
  const comm = Comm.load();
  if (!comm) {
    if (wanted > 1) {
      throw Object.assign(new Error(`DISTNUMPY_RANKS=${wanted} needs the MPI addon, which is not available (see \`distnumpy info\`)`), { code: 'ERR_NO_MPI' });
    }
    process.stderr.write('distnumpy: launched as one of several MPI ranks, but the MPI addon is not available (see `distnumpy info`)\n');
    process.exit(70);
  }
  comm.Init();
  if (wanted > 1 || spawned) watchdog = spawnRanks(comm, wanted);
  cluster = { rank: comm.rank, size: comm.size, comm };
  if (comm.rank === 0) installExitHandler(comm);
  return cluster;
}

let watchdog: Watchdog | null = null;

export function currentCluster(): Cluster | null {
  return cluster;
}

let shutDown = false;

/** Rank 0: an ordinary end tells the serving ranks to stop; a failure aborts the whole job. */
function installExitHandler(comm: Comm): void {
  // MPI_Abort ends this process inside the 'exit' event, before Node would print the error that
  // caused it: keep the error and print it here, once, before aborting the job.
  let fatal: unknown = undefined;
  process.on('uncaughtExceptionMonitor', (err) => {
    fatal = err;
  });
  process.on('exit', (code) => {
    if (shutDown || !comm.initialized) return;
    if (code === 0) {
      sendShutdown(comm);
      comm.Finalize();
    } else {
      if (fatal !== undefined) process.stderr.write(`${inspect(fatal)}\n`);
      process.stderr.write(`distnumpy: rank 0 failed (exit code ${code}): aborting all ${comm.size} ranks\n`);
      comm.Abort(code);
    }
  });
}

function sendShutdown(comm: Comm): void {
  shutDown = true;
  watchdog?.stop(); // the serving ranks are about to exit: that is no failure
  comm.Bcast(Int32Array.of(SHUTDOWN), 0);
}

/** Rank 0: end the serving ranks and finalise MPI (dn.shutdown()). */
export function stopCluster(): void {
  const c = cluster;
  if (!c?.comm || shutDown) return;
  sendShutdown(c.comm);
  c.comm.Finalize();
}

const encoder = new Encoder();
let frees: number[] = [];

/** Rank 0: send a batch to the serving ranks before running it. */
export function broadcastBatch(comm: Comm, steps: readonly Step[]): void {
  const bytes = encoder.encode(steps, frees);
  frees = [];
  comm.Bcast(Int32Array.of(bytes.length), 0);
  comm.Bcast(bytes, 0);
}

/** Rank 0: blocks freed here are freed on the serving ranks with the next batch. */
export function trackFrees(): void {
  setFreeListener((id) => frees.push(id));
}

/**
 * Run a step of a distributed batch. A rank whose step fails cannot leave the batch (the others
 * would wait for its messages for ever), so the failure ends the job: printed here, then
 * MPI_Abort, which ends every rank with a non-zero code.
 */
export async function runOrAbort(comm: Comm, fn: () => Promise<void>, op: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`distnumpy: ${op} failed on rank ${comm.rank} of ${comm.size}: ${msg}\n`);
    comm.Abort(1);
  }
}

/** A serving rank: execute rank 0's batches until it shuts down, then finalise and exit 0. */
export async function serve(comm: Comm, ex: Executor): Promise<never> {
  const decoder = new Decoder();
  setFreeListener(null);
  const len = new Int32Array(1);
  for (;;) {
    comm.Bcast(len, 0);
    if (len[0] === SHUTDOWN) {
      comm.Finalize();
      process.exit(0);
    }
    const bytes = new Uint8Array(len[0]);
    comm.Bcast(bytes, 0);
    const steps = decoder.decode(bytes);
    for (const s of steps) {
      await runOrAbort(comm, () => executeDistributed(ex, comm, s), s.op);
      if (s.kind === 'release') decoder.blocks.delete(s.block.id);
    }
    // As rank 0 does at the end of a flush: the collection its allocations asked for.
    await letFinalizersRun();
  }
}
