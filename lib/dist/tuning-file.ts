// The tuning file `distnumpy tune` writes and the runtime reads at init: per kernel class, the
// best thread count and the work below which a kernel runs inline. A file made on another host
// or CPU, or one that is corrupt or unreadable, is ignored with a one-line warning.
import { readFileSync } from 'node:fs';
import { cpus, homedir, hostname } from 'node:os';
import { join } from 'node:path';

export const TUNING_FORMAT = 'distnumpy-tuning/1';
export const KERNEL_CLASSES = ['memory', 'compute', 'reduction', 'stencil', 'matmul'] as const;
export type KernelClass = (typeof KERNEL_CLASSES)[number];

export interface ClassChoice {
  threads: number;
  inlineThreshold: number;
}

export interface Measurement {
  /** Elements per operand (matmul: the matrix order). */
  sizes: number[];
  threads: number[];
  /** Median milliseconds, ms[size index][thread index]. */
  ms: number[][];
}

export interface TuningFile {
  format: typeof TUNING_FORMAT;
  host: string;
  cpu: string;
  cores: number;
  node: string;
  date: string;
  /** The pool size and the default inline threshold the runtime uses. */
  threads: number;
  inlineThreshold: number;
  classes: Record<KernelClass, ClassChoice>;
  measurements: Record<KernelClass, Measurement>;
}

export function cpuModel(): string {
  return cpus()[0]?.model?.trim() ?? 'unknown';
}

/** $DISTNUMPY_CONFIG_DIR, else $XDG_CONFIG_HOME/distnumpy, else ~/.config/distnumpy. */
export function configDir(): string {
  const env = process.env;
  if (env.DISTNUMPY_CONFIG_DIR) return env.DISTNUMPY_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'distnumpy');
}

export function defaultTuningPath(host = hostname()): string {
  return join(configDir(), `tuning-${host.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const nonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The file's contents if it is a well-formed tuning file, else what is wrong with it. */
export function validateTuning(x: unknown): TuningFile | string {
  if (typeof x !== 'object' || x === null) return 'not a JSON object';
  const t = x as Record<string, unknown>;
  if (t.format !== TUNING_FORMAT) return `format is ${JSON.stringify(t.format)}, expected "${TUNING_FORMAT}"`;
  for (const k of ['host', 'cpu', 'node', 'date']) if (typeof t[k] !== 'string') return `"${k}" must be a string`;
  if (!posInt(t.cores)) return '"cores" must be a positive integer';
  if (!posInt(t.threads)) return '"threads" must be a positive integer';
  if (!nonNeg(t.inlineThreshold)) return '"inlineThreshold" must be a non-negative number';
  const classes = t.classes as Record<string, Record<string, unknown>> | undefined;
  const meas = t.measurements as Record<string, Record<string, unknown>> | undefined;
  if (typeof classes !== 'object' || classes === null) return '"classes" is missing';
  if (typeof meas !== 'object' || meas === null) return '"measurements" is missing';
  for (const c of KERNEL_CLASSES) {
    const ch = classes[c];
    if (!ch || !posInt(ch.threads) || !nonNeg(ch.inlineThreshold)) return `"classes.${c}" must have positive "threads" and an "inlineThreshold"`;
    const m = meas[c];
    if (!m || !Array.isArray(m.sizes) || !Array.isArray(m.threads) || !Array.isArray(m.ms)) return `"measurements.${c}" must have sizes, threads and ms`;
    if ((m.ms as unknown[]).length !== (m.sizes as unknown[]).length) return `"measurements.${c}.ms" must have one row per size`;
  }
  return x as TuningFile;
}

let warned = false;
function warn(msg: string): void {
  if (warned || process.env.DISTNUMPY_QUIET === '1') return;
  warned = true;
  process.stderr.write(`distnumpy: ${msg}\n`);
}

/**
 * The tuning file in force: $DISTNUMPY_TUNING, else this host's file in the config directory.
 * Missing: null, silently (an untuned machine). Unusable: null with one warning line.
 */
export function readTuning(): { file: TuningFile; path: string } | null {
  const explicit = process.env.DISTNUMPY_TUNING;
  const path = explicit || defaultTuningPath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (explicit || (e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`ignoring tuning file ${path}: ${(e as Error).message}`);
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    warn(`ignoring tuning file ${path}: not valid JSON (${(e as Error).message})`);
    return null;
  }
  const v = validateTuning(parsed);
  if (typeof v === 'string') {
    warn(`ignoring tuning file ${path}: ${v}`);
    return null;
  }
  if (v.host !== hostname() || v.cpu !== cpuModel()) {
    warn(`ignoring tuning file ${path}: made on ${v.host} (${v.cpu}), this is ${hostname()} (${cpuModel()}); run \`distnumpy tune\``);
    return null;
  }
  return { file: v, path };
}
