// Bringing up this process's node: settings, the thread pool, and the native parts (BLAS now;
// MPI joins here for multi-rank runs). The graph layer asks for a NodeHandle and nothing lower.
import { availableParallelism } from 'node:os';
import { type SmpConfig, type Setting, defaultConfig } from '../smp/config.js';
import { ThreadPool } from '../smp/pool.js';
import { useBlas } from '../smp/blas.js';
import { setCollector, setMemoryLimit } from '../smp/store.js';
import { gcFunction } from '../smp/gc.js';
import { tuneJit } from '../smp/jit.js';
import { blasThreads, gemm, gemv } from './blas.js';
import { loadBlas, nativeStatus } from './native.js';
import { readTuning } from './tuning-file.js';
import { startCluster, stopCluster, trackFrees } from './cluster.js';
import type { Comm } from './mpi.js';
import { describe } from '../graph/errors.js';

export interface RuntimeOptions {
  threads?: number;
  blockSize?: number;
  /** The process grid [rows, columns] of ranks over which 2-D and larger arrays are dealt. */
  grid?: readonly [number, number];
  inlineThreshold?: number;
  maxBytesPerRank?: number;
}

export interface NodeHandle {
  rank: number;
  size: number;
  /** The MPI communicator when this process is one of several ranks. */
  comm: Comm | null;
  pool: ThreadPool;
  config: Config;
  blas: { active: boolean; reason?: string };
  close(): Promise<void>;
}

/**
 * A count from dn.init (a number: anything else is a TypeError) or from the environment (a
 * string, parsed); out of range is a RangeError. Messages name the option and the value.
 */
export function positiveInt(name: string, v: unknown, allowZero = false, fromEnv = false): number {
  if (typeof v !== 'number' && !(fromEnv && typeof v === 'string')) {
    throw Object.assign(new TypeError(`${name} must be a number, got ${describe(v)}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const n = typeof v === 'string' ? Number(v) : v;
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    const shown = typeof v === 'string' ? `'${v}'` : describe(v);
    throw Object.assign(new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${shown}`), {
      code: 'ERR_OUT_OF_RANGE',
    });
  }
  return n;
}

function pick(name: string, arg: unknown, envName: string, fallback: Setting<number>, allowZero = false): Setting<number> {
  if (arg !== undefined) return { value: positiveInt(name, arg, allowZero), source: 'argument' };
  const env = process.env[envName];
  if (env !== undefined && env !== '') return { value: positiveInt(envName, env, allowZero, true), source: 'environment' };
  return fallback;
}

export type Config = SmpConfig & { blockSize: Setting<number>; grid: Setting<[number, number] | null> };

/** `grid` as [rows, columns] from an argument or DISTNUMPY_GRID ("2x2"); null: default. */
function pickGrid(arg: unknown): Setting<[number, number] | null> {
  const check = (name: string, v: unknown, shown: string): [number, number] => {
    const ok = Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n) && n >= 1);
    if (!ok) throw Object.assign(new TypeError(`${name} must be two positive integers [rows, columns], got ${shown}`), { code: 'ERR_INVALID_ARG_VALUE' });
    return [v[0], v[1]];
  };
  if (arg !== undefined) return { value: check('grid', arg, JSON.stringify(arg) ?? String(arg)), source: 'argument' };
  const env = process.env.DISTNUMPY_GRID;
  if (env !== undefined && env !== '') return { value: check('DISTNUMPY_GRID', env.split(/[x,]/).map(Number), `'${env}'`), source: 'environment' };
  return { value: null, source: 'default' };
}

/** Settings in force: argument, else environment, else this host's tuning file, else default. */
export function resolveConfig(opts: RuntimeOptions): Config {
  const d = defaultConfig();
  const tuned = readTuning();
  const fromFile = (value: number): Setting<number> => ({ value, source: 'tuning file', path: tuned!.path });
  const threads = pick('threads', opts.threads, 'DISTNUMPY_THREADS', tuned ? fromFile(tuned.file.threads) : d.threads);
  const inlineThreshold = pick(
    'inlineThreshold',
    opts.inlineThreshold,
    'DISTNUMPY_INLINE_THRESHOLD',
    tuned ? fromFile(tuned.file.inlineThreshold) : d.inlineThreshold,
    true,
  );
  // Per-class choices apply while neither setting was overridden by hand.
  const classes =
    tuned && threads.source === 'tuning file' && inlineThreshold.source === 'tuning file'
      ? { memory: tuned.file.classes.memory, compute: tuned.file.classes.compute, reduction: tuned.file.classes.reduction }
      : undefined;
  return {
    threads,
    inlineThreshold,
    classes,
    blockSize: pick('blockSize', opts.blockSize, 'DISTNUMPY_BLOCKSIZE', { value: 0, source: 'default' }, true),
    grid: pickGrid(opts.grid),
  };
}

/** The tuned BLAS thread count, when a tuning file is in force. */
function tunedBlasThreads(): number | undefined {
  return readTuning()?.file.classes.matmul.threads;
}

export function startNode(opts: RuntimeOptions): NodeHandle {
  tuneJit();
  const config = resolveConfig(opts);
  if (opts.maxBytesPerRank !== undefined) setMemoryLimit(positiveInt('maxBytesPerRank', opts.maxBytesPerRank));
  setCollector(gcFunction());
  const pool = new ThreadPool(config.threads.value);
  const blas = loadBlas();
  if (blas) {
    // BLAS runs while the pool is idle (steps run one at a time), so it may use all the threads.
    const tunedBlas = config.classes ? tunedBlasThreads() : undefined;
    blasThreads(Math.min(tunedBlas ?? config.threads.value, availableParallelism()));
    useBlas(gemm, gemv);
  }
  const st = nativeStatus().blas;
  const cluster = startCluster();
  const grid = config.grid.value;
  if (grid && grid[0] * grid[1] !== cluster.size) {
    void pool.close();
    throw Object.assign(new RangeError(`grid ${grid[0]}x${grid[1]} needs ${grid[0] * grid[1]} ranks, this run has ${cluster.size}`), { code: 'ERR_OUT_OF_RANGE' });
  }
  if (cluster.rank === 0 && cluster.size > 1) trackFrees();
  return {
    rank: cluster.rank,
    size: cluster.size,
    comm: cluster.comm,
    pool,
    config,
    blas: { active: blas !== null, reason: st.reason },
    close: async () => {
      stopCluster();
      await pool.close();
    },
  };
}
