// Builds the optional native addons at `npm install` (and when re-run by hand):
//   dn_blas  OpenBLAS cblas_{d,s}gemm/gemv without it matmul and row sums run the JS kernels
//   dn_mpi   OpenMPI                        without it the library runs single-node
// Each target is detected, probed and built on its own, so one missing library never costs the
// other. This script never fails the install: every problem becomes one line on stdout and a
// reason in native/build/status.json, which lib/dist/native.ts reports.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectBlas, detectBuildTools, detectCompiler, detectMpi } from './flags.mjs';

const NATIVE = path.dirname(fileURLToPath(import.meta.url));
const BUILD = path.join(NATIVE, 'build');
const RELEASE = path.join(BUILD, 'Release');
const STATUS = path.join(BUILD, 'status.json');

const TARGETS = {
  blas: {
    target: 'dn_blas',
    detect: detectBlas,
    probe: '#include <cblas.h>\nint main(){double a=1,b=1,c=0;' +
      'cblas_dgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,1,1,1,1.0,&a,1,&b,1,0.0,&c,1);return c!=1;}\n',
  },
  mpi: {
    target: 'dn_mpi',
    detect: detectMpi,
    probe: '#include <mpi.h>\nint main(){int p;return MPI_Init_thread(0,0,MPI_THREAD_MULTIPLE,&p);}\n',
  },
};

const say = (line) => console.log(`distnumpy: ${line}`);

/** Last meaningful line of a tool's output, for a one-line reason. */
function lastError(text) {
  const lines = String(text).split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines.find((l) => /error:|undefined reference|not found|No such file/i.test(l) && !/^gyp /.test(l));
  return first ?? lines.at(-1) ?? 'unknown error';
}

function spawn(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const ok = r.status === 0;
  const why = r.error ? (r.error.code === 'ETIMEDOUT' ? 'timed out' : r.error.message) : lastError(output);
  return { ok, output, why };
}

/** Compiles and links a tiny program with the detected flags: a clear reason beats a gyp log. */
function probe(cxx, found, source) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distnumpy-probe-'));
  try {
    const file = path.join(dir, 'probe.cc');
    writeFileSync(file, source);
    const r = spawn(cxx, [file, ...found.cflags, '-o', path.join(dir, 'probe'), ...found.libs], {
      timeout: 60_000,
    });
    return r.ok ? null : `test compile failed: ${r.why}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The Node headers node-gyp should use. Run directly it ignores npm's nodedir setting and would
 * try to download headers (no network here), so name them unless npm passes its own.
 */
function nodeHeaders() {
  if (process.env.npm_config_nodedir) return { dir: process.env.npm_config_nodedir, args: [] };
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  for (const dir of [prefix, '/usr']) {
    if (existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) return { dir, args: [`--nodedir=${dir}`] };
  }
  return { dir: null, args: [] };
}

function findNodeGyp() {
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

function readStatus() {
  try {
    return JSON.parse(readFileSync(STATUS, 'utf8'));
  } catch {
    return {};
  }
}

/** Re-running configure is the slow part; skip it while its inputs are unchanged. */
function fingerprint(found, nodedir) {
  const hash = createHash('sha256');
  for (const f of ['binding.gyp', 'flags.mjs']) hash.update(readFileSync(path.join(NATIVE, f)));
  hash.update(JSON.stringify({ found, nodedir, node: process.version }));
  return hash.digest('hex').slice(0, 16);
}

function gyp(nodeGyp, args, log, timeout) {
  const r = spawn(process.execPath, [nodeGyp, ...args], { cwd: NATIVE, timeout });
  writeFileSync(path.join(BUILD, log), r.output);
  return r;
}

/** Loads the built addon in a child process: catches undefined symbols at install time. */
function loads(file) {
  const r = spawn(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { timeout: 60_000 });
  return r.ok ? null : `built but does not load: ${r.why}`;
}

function main() {
  mkdirSync(BUILD, { recursive: true });
  const status = {};
  const compiler = detectCompiler();
  const common = [compiler, detectBuildTools()].find((d) => !d.ok);
  const nodeGyp = findNodeGyp();

  const found = {};
  for (const [part, spec] of Object.entries(TARGETS)) {
    let reason = common?.reason ?? (nodeGyp ? null : 'node-gyp is not installed');
    let detected = null;
    if (!reason) {
      detected = spec.detect();
      reason = detected.ok ? probe(compiler.cxx, detected, spec.probe) : detected.reason;
    }
    if (reason) status[part] = { built: false, reason };
    else found[part] = detected;
  }

  const buildable = Object.keys(found);
  if (buildable.length > 0) {
    const headers = nodeHeaders();
    const nodedir = headers.args;
    const print = fingerprint(found, headers.dir);
    const configured = existsSync(path.join(BUILD, 'Makefile')) && readStatus().fingerprint === print;
    const conf = configured ? { ok: true } : gyp(nodeGyp, ['configure', ...nodedir], 'configure.log', 180_000);
    for (const part of buildable) {
      const { target } = TARGETS[part];
      if (!conf.ok) {
        status[part] = { built: false, reason: `node-gyp configure failed: ${conf.why} (native/build/configure.log)` };
        continue;
      }
      const r = gyp(nodeGyp, ['build', target, '--jobs=max', ...nodedir], `${target}.log`, 600_000);
      const file = path.join(RELEASE, `${target}.node`);
      const reason = !r.ok ? `build failed: ${r.why} (native/build/${target}.log)` : loads(file);
      status[part] = reason ? { built: false, reason } : { built: true, ...describe(found[part]) };
    }
    if (conf.ok) status.fingerprint = print;
  }

  for (const [part, { target }] of Object.entries(TARGETS)) {
    // A stale addon from an earlier build must not be loaded when this one failed.
    if (!status[part].built) rmSync(path.join(RELEASE, `${target}.node`), { force: true });
    say(status[part].built
      ? `native ${part} built (${Object.values(describe(found[part])).join(', ')})`
      : `native ${part} not built: ${status[part].reason}`);
  }
  writeFileSync(STATUS, `${JSON.stringify({ ...status, node: process.version }, null, 2)}\n`);
}

function describe(found) {
  return found.version ? { version: found.version } : { source: found.source };
}

try {
  main();
} catch (error) {
  // The install must go on: the library runs without the addons.
  say(`native build skipped: ${error instanceof Error ? error.message : String(error)}`);
  try {
    mkdirSync(BUILD, { recursive: true });
    const reason = `build script failed: ${error instanceof Error ? error.message : String(error)}`;
    writeFileSync(STATUS, `${JSON.stringify({ blas: { built: false, reason }, mpi: { built: false, reason } }, null, 2)}\n`);
  } catch {
    // nothing more can be reported
  }
}
