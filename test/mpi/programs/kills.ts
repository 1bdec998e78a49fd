// Rank 0 kills a serving rank with SIGKILL mid-run; every rank must end, non-zero, no hang.
import { execSync } from 'node:child_process';
import * as dn from '../../../lib/index.js';

const children = (pid: number): number[] =>
  execSync(`pgrep -P ${pid} || true`).toString().trim().split('\n').filter(Boolean).map(Number);

const a = dn.random.random([1000, 1000]);
await a.sum().item();
// Under mpirun the serving ranks are this process's siblings; spawned (DISTNUMPY_RANKS) they
// are the children of the MPI daemon this process started.
const serving = process.env.DISTNUMPY_RANKS
  ? children(process.pid).flatMap(children)
  : children(process.ppid).filter((p) => p !== process.pid);
process.kill(serving[0], 'SIGKILL');
for (let i = 0; i < 1000; i++) await a.mul(i).sum().item();
console.log('rank 0 finished although a rank was killed');
