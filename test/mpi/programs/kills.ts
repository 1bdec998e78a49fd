// Rank 0 kills a serving rank with SIGKILL mid-run; every rank must end, non-zero, no hang.
import { execSync } from 'node:child_process';
import * as dn from '../../../lib/index.js';

const a = dn.random.random([1000, 1000]);
await a.sum().item();
const siblings = execSync(`pgrep -P ${process.ppid}`).toString().trim().split('\n').map(Number).filter((p) => p !== process.pid);
process.kill(siblings[0], 'SIGKILL');
for (let i = 0; i < 1000; i++) await a.mul(i).sum().item();
console.log('rank 0 finished although a rank was killed');
