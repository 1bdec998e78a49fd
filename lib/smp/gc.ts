// The garbage collector as a function, without --expose-gc on the command line. The block store
// needs it because V8 does not count SharedArrayBuffers towards its heap: neither the main thread
// nor a pool worker (whose heap stays tiny) would otherwise collect the wrappers that keep
// dropped buffers alive.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function gcFunction(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
