// A step that fails on one rank only (an integer power with a negative exponent in the rows
// rank 1 owns): every rank must end, non-zero, within seconds, with the error printed.
import * as dn from '../../../lib/index.js';

const base = dn.full([8, 4], 2, { dtype: 'int32' });
const exp = dn.arange(32).reshape(8, 4).sub(20); // negative exponents from row 5 on
console.log(`before ${await base.sum().item()}`);
await dn.pow(base, exp).sum().item();
console.log('after (unexpected)');
