// The `distnumpy` command.
import { info } from './info.js';
import { run } from './run.js';
import { tune } from './tune.js';

const USAGE = `usage: distnumpy <command> [options]

commands:
  info [--json]     the mode, thread count, thresholds, BLAS and MPI status in force
  tune [--quick] [--json] [--out FILE] [--max-threads N]
                    measure this node and write the tuning file the runtime reads
                    (distnumpy tune --help for details)
  run -n N [--threads T] [--hostfile F] app.js [args]
                    run a program on N ranks (one per node) with T threads each
                    (distnumpy run --help for details)
  help              this text
`;

export function main(argv: string[]): number | Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'info': {
      const bad = rest.filter((a) => a !== '--json');
      if (bad.length) return usage(`unknown option ${bad[0]} for info`);
      return info(rest.includes('--json'));
    }
    case 'run':
      return run(rest);
    case 'tune':
      return tune(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case undefined:
      return usage('a command is required');
    default:
      return usage(`unknown command '${cmd}'`);
  }
}

function usage(msg: string): number {
  process.stderr.write(`distnumpy: ${msg}\n${USAGE}`);
  return 2;
}
