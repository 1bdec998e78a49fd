// Fails on rank 0 after some distributed work: every rank must end, non-zero, error printed once.
import * as dn from '../../../lib/index.js';

const x = dn.arange(1000).mul(2);
console.log(`sum ${await x.sum().item()}`);
throw new Error('deliberate failure in the program');
