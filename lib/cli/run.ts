// `distnumpy run -n N [--threads T] [--hostfile F] app.js [args...]`: mpirun with one rank per
// node, T threads per rank, and the flags this environment needs.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export const RUN_USAGE = `usage: distnumpy run -n N [--threads T] [--hostfile FILE] [--block-size K] [--grid RxC] [--dry-run] [--] app.js [args...]

  -n, --np N         number of ranks (one per node on a cluster)
  --threads T        worker threads per rank (sets DISTNUMPY_THREADS on every rank)
  --hostfile FILE    OpenMPI hostfile: ranks are placed one per node (--map-by ppr:1:node)
  --block-size K     distribute arrays in blocks of K rows dealt to the ranks in turn
                     (block-cyclic; sets DISTNUMPY_BLOCKSIZE); default: one slab per rank
  --grid RxC         deal 2-D and larger arrays over an R x C process grid (R*C = N;
                     sets DISTNUMPY_GRID); default: N x 1, by rows
  --dry-run          print the mpirun command instead of running it
`;

export interface RunArgs {
  np: number;
  threads?: number;
  hostfile?: string;
  blockSize?: number;
  grid?: [number, number];
  dryRun: boolean;
  program: string[];
}

export function parseRunArgs(argv: string[]): RunArgs | string {
  const out: RunArgs = { np: 0, dryRun: false, program: [] };
  const int = (flag: string, v: string | undefined): number | string => {
    const n = Number(v);
    return v !== undefined && Number.isInteger(n) && n > 0 ? n : `${flag} needs a positive integer, got ${v ?? 'nothing'}`;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.program = argv.slice(i + 1);
      break;
    }
    if (a === '-n' || a === '--np') {
      const n = int(a, argv[++i]);
      if (typeof n === 'string') return n;
      out.np = n;
    } else if (a === '--threads') {
      const n = int(a, argv[++i]);
      if (typeof n === 'string') return n;
      out.threads = n;
    } else if (a === '--hostfile') {
      const f = argv[++i];
      if (!f) return '--hostfile needs a file';
      out.hostfile = f;
    } else if (a === '--block-size') {
      const n = int(a, argv[++i]);
      if (typeof n === 'string') return n;
      out.blockSize = n;
    } else if (a === '--grid') {
      const v = argv[++i];
      const m = /^(\d+)x(\d+)$/.exec(v ?? '');
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) return `--grid needs RxC with positive integers (e.g. 2x2), got ${v ?? 'nothing'}`;
      out.grid = [Number(m[1]), Number(m[2])];
    } else if (a === '--dry-run') {
      out.dryRun = true;
    } else if (a.startsWith('-')) {
      return `unknown option ${a} for run`;
    } else {
      out.program = argv.slice(i);
      break;
    }
  }
  if (out.np === 0) return 'run needs -n N';
  if (out.program.length === 0) return 'run needs a program (app.js)';
  if (out.grid && out.grid[0] * out.grid[1] !== out.np) return `--grid ${out.grid.join('x')} needs ${out.grid[0] * out.grid[1]} ranks, -n is ${out.np}`;
  return out;
}

export function mpirunCommand(a: RunArgs): { cmd: string; args: string[]; env: Record<string, string> } {
  const args = ['-np', String(a.np)];
  if (a.hostfile) args.push('--hostfile', a.hostfile, '--map-by', 'ppr:1:node');
  else if (a.np > availableParallelism()) args.push('--oversubscribe');
  // One rank per node runs a thread pool: it must not be pinned to one core.
  args.push('--bind-to', 'none');
  const env: Record<string, string> = { NODE_DISABLE_COLORS: '1' };
  if (a.threads) env.DISTNUMPY_THREADS = String(a.threads);
  if (a.blockSize) env.DISTNUMPY_BLOCKSIZE = String(a.blockSize);
  if (a.grid) env.DISTNUMPY_GRID = a.grid.join('x');
  if (!a.hostfile && a.np > 1) env.OMPI_MCA_mpi_yield_when_idle = '1';
  if (process.getuid?.() === 0) {
    env.OMPI_ALLOW_RUN_AS_ROOT = '1';
    env.OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = '1';
  }
  for (const k of Object.keys(env)) if (k.startsWith('DISTNUMPY_') || k === 'NODE_DISABLE_COLORS') args.push('-x', k);
  args.push(process.execPath, ...a.program);
  return { cmd: 'mpirun', args, env };
}

export function run(argv: string[]): number {
  const helpAt = argv.findIndex((a) => a === '--help' || a === '-h');
  const progAt = argv.findIndex((a) => !a.startsWith('-') && !/^\d+$/.test(a));
  if (helpAt >= 0 && (progAt < 0 || helpAt < progAt)) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  const parsed = parseRunArgs(argv);
  if (typeof parsed === 'string') {
    process.stderr.write(`distnumpy: ${parsed}\n${RUN_USAGE}`);
    return 2;
  }
  const { cmd, args, env } = mpirunCommand(parsed);
  if (parsed.dryRun) {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${vars} ${cmd} ${args.join(' ')}`);
    return 0;
  }
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) {
    process.stderr.write(`distnumpy: cannot start mpirun: ${r.error.message} (install openmpi-bin)\n`);
    return 127;
  }
  return r.status ?? 1;
}
