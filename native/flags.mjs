// Finds the compiler and libraries the two addon targets need, and the flags to use them.
// Used twice: by build.mjs (to decide which targets can be built, and why not) and by
// binding.gyp's `<!@(node flags.mjs <part> <kind>)` expansions, so the flags live in one place.
// As a command it never fails: an undetectable part prints no flags, and its target then fails
// alone while the other still builds.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs a tool and returns its stdout, or null when it is missing or exits non-zero. */
export function run(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
      ...options,
    }).trim();
  } catch {
    return null;
  }
}

const words = (text) => text.split(/\s+/).filter(Boolean);

export function detectCompiler() {
  for (const cxx of [process.env.CXX, 'c++', 'g++', 'clang++']) {
    if (cxx && run(cxx, ['--version']) !== null) return { ok: true, cxx };
  }
  return { ok: false, reason: 'no C++ compiler found (install g++, or set CXX)' };
}

/** node-gyp itself needs make and python3: say so before it fails with a long trace. */
export function detectBuildTools() {
  if (run(process.env.MAKE || 'make', ['--version']) === null) {
    return { ok: false, reason: 'make not found (install make)' };
  }
  const python = process.env.PYTHON || process.env.npm_config_python || 'python3';
  if (run(python, ['--version']) === null) {
    return { ok: false, reason: `python not found as '${python}' (node-gyp needs python3)` };
  }
  return { ok: true };
}

// Debian/Ubuntu put OpenBLAS's own cblas.h (the one declaring openblas_get_config) in a
// per-variant directory; the generic cblas.h may be netlib's, so those directories come first.
const multiarch = run('gcc', ['-print-multiarch']) || `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
const BLAS_INCLUDE_DIRS = [
  `/usr/include/${multiarch}/openblas-pthread`,
  `/usr/include/${multiarch}/openblas-openmp`,
  `/usr/include/${multiarch}/openblas-serial`,
  '/usr/include/openblas',
  '/usr/local/include/openblas',
  '/opt/OpenBLAS/include',
  '/usr/local/include',
  `/usr/include/${multiarch}`,
  '/usr/include',
];
const BLAS_LIB_DIRS = [
  `/usr/lib/${multiarch}/openblas-pthread`,
  `/usr/lib/${multiarch}`,
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
  '/opt/OpenBLAS/lib',
];
const SYSTEM_LIB_DIRS = new Set([`/usr/lib/${multiarch}`, '/usr/lib64', '/usr/lib']);

function libFlags(libDir) {
  const flags = [`-L${libDir}`, '-lopenblas'];
  // A non-default directory is not on the loader's path: record it in the addon.
  if (!SYSTEM_LIB_DIRS.has(libDir)) flags.push(`-Wl,-rpath,${libDir}`);
  return flags;
}

export function detectBlas() {
  const home = process.env.DISTNUMPY_OPENBLAS_DIR;
  if (home) {
    const inc = path.join(home, 'include');
    const lib = path.join(home, 'lib');
    if (!existsSync(path.join(inc, 'cblas.h'))) {
      return { ok: false, reason: `DISTNUMPY_OPENBLAS_DIR=${home} has no include/cblas.h` };
    }
    return { ok: true, cflags: [`-I${inc}`], libs: libFlags(lib), source: home };
  }
  const pc = run('pkg-config', ['--cflags', '--libs', 'openblas']);
  if (pc !== null) {
    const flags = words(pc);
    const incs = flags.filter((f) => f.startsWith('-I')).map((f) => f.slice(2).replace(/\/$/, ''));
    const libDirs = flags.filter((f) => f.startsWith('-L')).map((f) => f.slice(2).replace(/\/$/, ''));
    const inc = incs.find((d) => existsSync(path.join(d, 'cblas.h')));
    if (inc !== undefined || incs.length === 0) {
      const libDir = libDirs[0];
      return {
        ok: true,
        cflags: inc ? [`-I${inc}`] : [],
        libs: libDir ? libFlags(libDir) : ['-lopenblas'],
        source: 'pkg-config openblas',
      };
    }
  }
  const inc = BLAS_INCLUDE_DIRS.find((d) => existsSync(path.join(d, 'cblas.h')));
  if (inc === undefined) {
    return { ok: false, reason: 'cblas.h not found (install libopenblas-dev)' };
  }
  const libDir = BLAS_LIB_DIRS.find((d) => existsSync(path.join(d, 'libopenblas.so')));
  if (libDir === undefined) {
    return { ok: false, reason: `cblas.h found in ${inc} but libopenblas.so not found (install libopenblas-dev)` };
  }
  return { ok: true, cflags: [`-I${inc}`], libs: libFlags(libDir), source: inc };
}

export function detectMpi() {
  const mpicc = process.env.DISTNUMPY_MPICC || 'mpicc';
  const version = run(mpicc, ['--showme:version']);
  if (version === null || !/Open MPI/i.test(version)) {
    const other = run(mpicc, ['-v']);
    if (other === null && version === null) {
      return { ok: false, reason: `${mpicc} not found (install libopenmpi-dev openmpi-bin)` };
    }
    if (other !== null && /mpich/i.test(other)) {
      return {
        ok: false,
        reason:
          `${mpicc} is MPICH's; only OpenMPI is supported (an MPICH-built addon under OpenMPI's ` +
          'mpirun silently runs as N single-rank jobs). Install libopenmpi-dev or set DISTNUMPY_MPICC',
      };
    }
    return { ok: false, reason: `${mpicc} is not OpenMPI's mpicc (no --showme:version)` };
  }
  const cflags = run(mpicc, ['--showme:compile']);
  const libs = run(mpicc, ['--showme:link']);
  if (cflags === null || libs === null) {
    return { ok: false, reason: `${mpicc} --showme:compile/--showme:link failed` };
  }
  // mpi.h pulls in OpenMPI's removed C++ bindings (libmpi_cxx) in C++ unless told not to.
  return {
    ok: true,
    cflags: ['-DOMPI_SKIP_MPICXX=1', ...words(cflags)],
    libs: words(libs),
    version: version.replace(/^.*?:\s*/, '').replace(/\s*\(Language.*\)$/, ''),
  };
}

// `node flags.mjs blas|mpi cflags|libs`: the gyp expansion. Prints nothing for a missing part.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [part, kind] = process.argv.slice(2);
  const found = part === 'blas' ? detectBlas() : part === 'mpi' ? detectMpi() : { ok: false };
  if (found.ok && (kind === 'cflags' || kind === 'libs')) console.log(found[kind].join(' '));
}
