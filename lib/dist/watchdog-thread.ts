// The watchdog of spawned ranks (spawn.ts), a thread of rank 0: rank 0's main thread may be
// blocked in an MPI call for as long as a spawned rank is gone. Every 200 ms it checks each
// spawned rank's process; when one has died while rank 0 did not ask it to stop, it says so,
// kills the other ranks and rank 0 itself, so no process is left waiting.
import { readFileSync, writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { stopped, pids } = workerData as { stopped: Int32Array; pids: number[] };

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2); // after "pid (name) "
    return state !== 'Z' && state !== 'X';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    try {
      process.kill(pid, 0); // no /proc: at least the process exists
      return true;
    } catch {
      return false;
    }
  }
}

const timer = setInterval(() => {
  for (let r = 1; r < pids.length; r++) {
    if (Atomics.load(stopped, 0) !== 0) {
      clearInterval(timer);
      return;
    }
    if (alive(pids[r])) continue;
    writeSync(2, `distnumpy: rank ${r} of ${pids.length} (pid ${pids[r]}) died: ending all ranks\n`);
    for (let o = 1; o < pids.length; o++) {
      try {
        process.kill(pids[o], 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.kill(process.pid, 'SIGKILL');
  }
}, 200);
