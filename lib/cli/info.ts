// `distnumpy info`: which mode is active and the settings in force, with where each came from.
import { hostname, cpus, availableParallelism } from 'node:os';
import { nativeStatus } from '../dist/native.js';
import { resolveConfig } from '../dist/node.js';
import { version } from '../version.js';

export function info(json: boolean): number {
  const st = nativeStatus();
  const cfg = resolveConfig({});
  const report = {
    version,
    node: process.version,
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    mode: st.mpi.active ? 'MPI available (one rank per node under `distnumpy run` / mpirun)' : 'single-node',
    threads: cfg.threads,
    inlineThreshold: cfg.inlineThreshold,
    blockSize: cfg.blockSize,
    grid: cfg.grid,
    blas: st.blas,
    mpi: st.mpi,
  };
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  const src = (s: { value: number; source: string; path?: string }) => `${s.value}  (${s.source}${s.path ? ' ' + s.path : ''})`;
  console.log(`distnumpy ${report.version} on Node ${report.node}`);
  console.log(`host            ${report.host}: ${report.cpu}, ${report.cores} cores`);
  console.log(`mode            ${report.mode}`);
  console.log(`threads         ${src(report.threads)}`);
  console.log(`inline below    ${src(report.inlineThreshold)} element-ops`);
  console.log(`block size      ${report.blockSize.value === 0 ? 'one slab of rows per rank' : `${report.blockSize.value} rows, block-cyclic`}  (${report.blockSize.source})`);
  const g = report.grid.value;
  console.log(`process grid    ${g ? `${g[0]} x ${g[1]} ranks (2-D and larger arrays split by rows and columns)` : 'ranks x 1 (arrays split by rows)'}  (${report.grid.source})`);
  console.log(`BLAS            ${st.blas.active ? 'OpenBLAS: ' + (st.blas.config ?? 'active') : 'not active: ' + (st.blas.reason ?? 'unknown') + ' (matmul uses the JS kernel)'}`);
  console.log(`MPI             ${st.mpi.active ? 'OpenMPI addon loaded' : 'not active: ' + (st.mpi.reason ?? 'unknown')}`);
  return 0;
}
