// Whether MPI tests can run here: the addon loaded and mpirun on the PATH. Without them the MPI
// tests pass with a log, except under CI=true, where they fail.
import { spawnSync } from 'node:child_process';
import { nativeStatus } from '../../lib/dist/native.js';

export function mpiUnavailable(): string | null {
  const mpi = nativeStatus().mpi;
  if (!mpi.active) return `MPI addon not active (${mpi.reason})`;
  if (spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status !== 0) return 'mpirun not found';
  return null;
}
