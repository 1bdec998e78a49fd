// process.exit(0) without dn.shutdown(): the serving ranks must still end cleanly, code 0.
import * as dn from '../../../lib/index.js';

console.log(`sum ${await dn.arange(10).sum().item()}`);
process.exit(0);
