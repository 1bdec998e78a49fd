// The node's execution settings, with where each came from (for `distnumpy info`).
import { availableParallelism } from 'node:os';

export type Source = 'argument' | 'environment' | 'tuning file' | 'default';

export interface Setting<T> {
  value: T;
  source: Source;
  /** The tuning file's path when source is 'tuning file'. */
  path?: string;
}

/** Kernel classes the runtime tells apart when it splits work. */
export type RuntimeClass = 'memory' | 'compute' | 'reduction';

export interface SmpConfig {
  threads: Setting<number>;
  /** Work (elements x op cost) below which a kernel runs inline on the calling thread. */
  inlineThreshold: Setting<number>;
  /** Tuned per class (from a tuning file): threads and inline threshold of each kernel class. */
  classes?: Partial<Record<RuntimeClass, { threads: number; inlineThreshold: number }>>;
}

export const DEFAULT_INLINE_THRESHOLD = 65536;

export function defaultConfig(): SmpConfig {
  return {
    threads: { value: availableParallelism(), source: 'default' },
    inlineThreshold: { value: DEFAULT_INLINE_THRESHOLD, source: 'default' },
  };
}
