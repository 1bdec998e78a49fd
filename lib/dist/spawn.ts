// Several ranks on one machine without mpirun: with DISTNUMPY_RANKS=N the program's process is
// rank 0 and spawns N-1 serving ranks itself (MPI_Comm_spawn). Each runs spawned-rank.js, which
// imports the library and serves, exactly as a rank under mpirun does. The test suite runs its
// cases at 2-4 ranks this way, each test file its own little cluster.
//
// mpirun ends every rank when one dies; here rank 0 and the ranks it spawned are separate MPI
// jobs, and a spawned rank that dies (killed, or aborting after a failed step) would leave rank
// 0 waiting in a collective for ever. So rank 0 runs a watchdog thread over their processes:
// when one dies unasked it prints which, kills the others and ends rank 0.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Comm } from './mpi.js';

/** Set by spawned-rank.js before it imports the library. */
export function isSpawnedRank(): boolean {
  return process.env.DISTNUMPY_SPAWNED_RANK === '1';
}

/** DISTNUMPY_RANKS: how many ranks rank 0 should spawn itself into (0 when unset). */
export function spawnedRanks(): number {
  const v = process.env.DISTNUMPY_RANKS;
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw Object.assign(new RangeError(`DISTNUMPY_RANKS must be an integer from 1 to 256, got '${v}'`), { code: 'ERR_OUT_OF_RANGE' });
  }
  return n;
}

export interface Watchdog {
  /** Rank 0 is shutting the ranks down: their exits are expected from now on. */
  stop(): void;
}

const ENTRY = fileURLToPath(new URL('../spawned-rank.js', import.meta.url));

// OpenMPI gives spawned processes a pty that its daemon drains into nowhere, so a failing rank's
// message would be lost. On Linux each spawned rank is started by a shell that first points its
// stdout and stderr at rank 0's (reopened through /proc; skipped when that cannot be opened,
// e.g. a socket), then execs node in its place (same process, so MPI sees node).
const REDIRECT = [
  'if (: >>"/proc/$0/fd/1") 2>/dev/null; then exec >>"/proc/$0/fd/1"; fi',
  'if (: >>"/proc/$0/fd/2") 2>/dev/null; then exec 2>>"/proc/$0/fd/2"; fi',
  'exec "$@"',
].join('\n');

/**
 * Rank 0 (wanted > 1): spawn wanted-1 ranks. Every rank then shares its process id, and rank 0
 * starts the watchdog. Returns null on the spawned ranks.
 */
export function spawnRanks(comm: Comm, wanted: number): Watchdog | null {
  if (wanted > 1) {
    // Only the heap-size flags: the others may be the program's own (-e code, a loader, --inspect).
    const flags = process.execArgv.filter((a) => /^--max-(old|semi)-space-size=/.test(a));
    const node = [process.execPath, ...flags, ENTRY];
    if (existsSync('/proc/self/fd') && existsSync('/bin/sh')) {
      comm.Spawn('/bin/sh', ['-c', REDIRECT, String(process.pid), ...node], wanted - 1);
    } else {
      comm.Spawn(node[0], node.slice(1), wanted - 1);
    }
  }
  const mine = new Int32Array(comm.size);
  mine[comm.rank] = process.pid;
  const pids = new Int32Array(comm.size);
  comm.Allreduce(mine, pids, 'sum');
  return comm.rank === 0 ? startWatchdog(pids) : null;
}


function startWatchdog(pids: Int32Array): Watchdog {
  const stopped = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./watchdog-thread.js', import.meta.url), {
    execArgv: [], // not the program's flags (--input-type, -e ...), which a worker file refuses
    workerData: { stopped, pids: Array.from(pids) },
  });
  worker.unref();
  return {
    stop() {
      Atomics.store(stopped, 0, 1);
    },
  };
}
