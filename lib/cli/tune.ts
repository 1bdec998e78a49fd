// `distnumpy tune`: measure representative kernels at several sizes and thread counts on this
// node, choose per kernel class the best thread count and the inline threshold, print them with
// a small chart, and write the tuning file the runtime reads at init.
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClassChoice,
  KERNEL_CLASSES,
  type KernelClass,
  type Measurement,
  TUNING_FORMAT,
  type TuningFile,
  cpuModel,
  defaultTuningPath,
} from '../dist/tuning-file.js';

export const TUNE_USAGE = `usage: distnumpy tune [--quick] [--json] [--out FILE] [--max-threads N]

Measures a memory-bound element-wise chain, a compute-bound (sin/exp) chain, a reduction, a
stencil sweep and a matrix product at several sizes and at 1 to N threads (medians of repeats),
chooses per kernel class the best thread count and the size below which work runs inline, and
writes a tuning file that the runtime reads at init (unless threads or the inline threshold are
given to dn.init or by DISTNUMPY_THREADS / DISTNUMPY_INLINE_THRESHOLD).

  --quick          fewer sizes and shorter timing (about 10-30 s on 2 cores)
  --json           print the results as JSON instead of a table
  --out FILE       where to write the tuning file (default: ${defaultTuningPath()})
  --max-threads N  measure up to N threads (default: the node's cores, ${availableParallelism()})
  -h, --help       this text

Under \`distnumpy run -n N\` (one rank per node) every node tunes itself and writes its own
file (tuning-<host>.json); DISTNUMPY_TUNING=FILE points the runtime at a file.
`;

export interface TuneArgs {
  quick: boolean;
  json: boolean;
  out?: string;
  maxThreads: number;
}

export function parseTuneArgs(argv: string[]): TuneArgs | string {
  const a: TuneArgs = { quick: false, json: false, maxThreads: availableParallelism() };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--quick') a.quick = true;
    else if (x === '--json') a.json = true;
    else if (x === '--out') {
      const f = argv[++i];
      if (!f || f.startsWith('--')) return '--out needs a file';
      a.out = f;
    } else if (x === '--max-threads') {
      const v = argv[++i];
      const n = Number(v);
      if (!v || !Number.isInteger(n) || n < 1 || n > 1024) return `--max-threads needs an integer from 1 to 1024, got ${v ?? 'nothing'}`;
      a.maxThreads = n;
    } else return `unknown option ${x} for tune`;
  }
  return a;
}

/** The elements of work (x the kernel's op cost) of one run, as the runtime counts them. */
const COST: Record<KernelClass, number> = { memory: 3, compute: 18, reduction: 1, stencil: 6, matmul: 1 };

/**
 * The best thread count (at the largest size) and the inline threshold: the work of the largest
 * size at which one thread is still at least as fast as the best count (0 if never).
 */
export function choose(cls: KernelClass, m: Measurement): ClassChoice {
  const last = m.ms[m.ms.length - 1];
  let bi = 0;
  last.forEach((t, i) => {
    if (t < last[bi] * 0.97) bi = i; // a clearly faster count, not noise
  });
  const threads = m.threads[bi];
  if (threads === 1) return { threads: 1, inlineThreshold: 0 };
  let cross = 0;
  m.sizes.forEach((s, i) => {
    if (m.ms[i][0] <= m.ms[i][bi]) cross = s;
  });
  const work = (s: number) => (cls === 'matmul' ? s * s * s : s * COST[cls]);
  // Between the last size one thread won and the next: the geometric mean of their work.
  const idx = m.sizes.indexOf(cross);
  const threshold = cross === 0 ? 0 : idx + 1 < m.sizes.length ? Math.sqrt(work(cross) * work(m.sizes[idx + 1])) : work(cross) * 2;
  return { threads, inlineThreshold: Math.round(threshold) };
}

function childEnv(threads: number, quick: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // A child of an MPI rank must not take part in MPI itself.
  for (const [k, v] of Object.entries(process.env)) if (!/^(OMPI_|PMIX_|PMI_)/.test(k)) env[k] = v;
  return {
    ...env,
    DISTNUMPY_NO_MPI: '1',
    DISTNUMPY_THREADS: String(threads),
    DISTNUMPY_INLINE_THRESHOLD: '0',
    DISTNUMPY_TUNING: '/nonexistent/none',
    DISTNUMPY_QUIET: '1',
    TUNE_SIZES: JSON.stringify(quick ? [1000, 10000, 100000, 1000000] : [1000, 10000, 100000, 1000000, 4000000]),
    TUNE_ORDERS: JSON.stringify(quick ? [64, 256] : [64, 256, 512, 1024]),
    TUNE_BUDGET_MS: quick ? '60' : '400',
  };
}

function measure(threads: number, quick: boolean, tick: () => void): Promise<Record<KernelClass, number[]>> {
  const script = fileURLToPath(new URL('./tune-run.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [script], { env: childEnv(threads, quick), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => {
      const s = d.toString();
      for (const _ of s.matchAll(/#progress/g)) tick();
      err += s.replace(/#progress\n/g, '');
    });
    c.on('error', reject);
    c.on('close', (code) => {
      if (code !== 0) return reject(new Error(`measuring at ${threads} threads failed (exit ${code}): ${err.trim()}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY && process.env.DISTNUMPY_PROGRESS !== '1') return;
  const w = 30;
  const f = Math.round((w * done) / total);
  process.stderr.write(`\r[${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total} ${label}   `);
  if (done === total) process.stderr.write('\n');
}

/** Speedup against one thread, at the largest size, as bars. */
export function chart(file: TuningFile): string {
  const lines = ['speedup against 1 thread at the largest size:'];
  for (const c of KERNEL_CLASSES) {
    const m = file.measurements[c];
    const last = m.ms[m.ms.length - 1];
    m.threads.forEach((t, i) => {
      const s = last[0] / last[i];
      lines.push(`  ${(i === 0 ? c : '').padEnd(10)}${String(t).padStart(3)} thr ${'█'.repeat(Math.max(1, Math.round(s * 10)))} ${s.toFixed(2)}x`);
    });
  }
  return lines.join('\n');
}

export async function tune(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(TUNE_USAGE);
    return 0;
  }
  const parsed = parseTuneArgs(argv);
  if (typeof parsed === 'string') {
    process.stderr.write(`distnumpy: ${parsed}\n${TUNE_USAGE}`);
    return 2;
  }
  // Under mpirun: one rank per host tunes (the first local rank), each writing its host's file.
  if (process.env.OMPI_COMM_WORLD_LOCAL_RANK && process.env.OMPI_COMM_WORLD_LOCAL_RANK !== '0') return 0;
  const threads = Array.from({ length: parsed.maxThreads }, (_, i) => i + 1);
  const sizes = parsed.quick ? 4 : 5;
  const total = threads.length * (4 * sizes + (parsed.quick ? 2 : 4));
  let done = 0;
  const raw: Record<KernelClass, number[]>[] = [];
  for (const t of threads) {
    raw.push(await measure(t, parsed.quick, () => progress(++done, total, `${t} thread${t > 1 ? 's' : ''}`)));
  }
  const env = childEnv(1, parsed.quick);
  const elemSizes = JSON.parse(env.TUNE_SIZES!) as number[];
  const orders = JSON.parse(env.TUNE_ORDERS!) as number[];
  const measurements = {} as Record<KernelClass, Measurement>;
  const classes = {} as Record<KernelClass, ClassChoice>;
  for (const c of KERNEL_CLASSES) {
    const sz = c === 'matmul' ? orders : elemSizes;
    const m: Measurement = { sizes: sz, threads, ms: sz.map((_, i) => raw.map((r) => r[c][i])) };
    measurements[c] = m;
    classes[c] = choose(c, m);
  }
  const file: TuningFile = {
    format: TUNING_FORMAT,
    host: hostname(),
    cpu: cpuModel(),
    cores: availableParallelism(),
    node: process.version,
    date: new Date().toISOString(),
    threads: Math.max(classes.memory.threads, classes.compute.threads, classes.reduction.threads),
    inlineThreshold: classes.memory.inlineThreshold,
    classes,
    measurements,
  };
  const out = parsed.out ?? defaultTuningPath();
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n');
  renameSync(tmp, out);
  if (parsed.json) {
    console.log(JSON.stringify({ path: out, ...file }, null, 2));
    return 0;
  }
  console.log(`distnumpy tune on ${file.host} (${file.cpu}, ${file.cores} cores, Node ${file.node})`);
  console.table(
    Object.fromEntries(
      KERNEL_CLASSES.map((c) => [
        c,
        { 'best threads': classes[c].threads, 'inline below (work)': classes[c].inlineThreshold, 'largest size ms': measurements[c].ms.at(-1)!.map((x) => x.toFixed(2)).join(' / ') },
      ]),
    ),
  );
  console.log(chart(file));
  console.log(`wrote ${out}`);
  return 0;
}
