// distnumpy tune: the tuning file's format, the runtime honouring it (and ignoring foreign,
// corrupt or unreadable files with a warning, never a crash), the CLI's flags and exit codes,
// and one file per host under `distnumpy run`.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TUNING_FORMAT, type TuningFile, cpuModel, validateTuning } from '../lib/dist/tuning-file.js';
import { choose } from '../lib/cli/tune.js';

const BIN = fileURLToPath(new URL('../../bin/distnumpy.js', import.meta.url));
const LIB = new URL('../lib/index.js', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'dn-tune-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, DISTNUMPY_CONFIG_DIR: dir, ...env }, timeout: 120_000 });

/** What the runtime resolved, as a child process sees it with `env`. */
function resolved(env: Record<string, string>) {
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const dn = await import(${JSON.stringify(LIB)}); console.log(JSON.stringify(dn.runtimeInfo().config)); await dn.shutdown();`],
    { encoding: 'utf8', env: { ...process.env, DISTNUMPY_CONFIG_DIR: dir, DISTNUMPY_THREADS: '', DISTNUMPY_INLINE_THRESHOLD: '', ...env } },
  );
  return { status: r.status, stderr: r.stderr, config: r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()!) : null };
}

function sample(over: Partial<TuningFile> = {}): TuningFile {
  const m = { sizes: [1000, 100000], threads: [1, 2], ms: [[0.01, 0.05], [1, 0.6]] };
  const c = { threads: 1, inlineThreshold: 12345 };
  return {
    format: TUNING_FORMAT, host: hostname(), cpu: cpuModel(), cores: 2, node: process.version, date: new Date().toISOString(),
    threads: 1, inlineThreshold: 12345,
    classes: { memory: c, compute: { threads: 1, inlineThreshold: 999 }, reduction: c, stencil: c, matmul: c },
    measurements: { memory: m, compute: m, reduction: m, stencil: m, matmul: m },
    ...over,
  };
}

test('tune --quick --json writes a well-formed file and prints the same as JSON', (t) => {
  const out = join(dir, 'quick.json');
  const r = cli(['tune', '--quick', '--json', '--out', out]);
  t.is(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  const file = JSON.parse(readFileSync(out, 'utf8'));
  t.is(printed.path, out);
  const v = validateTuning(file);
  t.is(typeof v, 'object', String(v));
  t.is(file.host, hostname());
  t.is(file.cpu, cpuModel());
  t.is(file.node, process.version);
  t.true(Number.isFinite(Date.parse(file.date)));
  for (const c of ['memory', 'compute', 'reduction', 'stencil', 'matmul']) {
    const m = file.measurements[c];
    t.true(m.sizes.length >= 2 && m.ms.every((row: number[]) => row.length === m.threads.length && row.every((x) => x > 0)), c);
    t.true(file.classes[c].threads >= 1 && file.classes[c].threads <= file.cores);
  }
});

test('the choice: the fastest thread count at the largest size, the threshold where it starts to pay', (t) => {
  const m = { sizes: [1000, 10000, 100000], threads: [1, 2], ms: [[0.01, 0.04], [0.05, 0.06], [1, 0.55]] };
  const c = choose('memory', m);
  t.is(c.threads, 2);
  t.is(c.inlineThreshold, Math.round(Math.sqrt(10000 * 3 * 100000 * 3)));
  t.deepEqual(choose('memory', { sizes: [1000], threads: [1, 2], ms: [[1, 1.5]] }), { threads: 1, inlineThreshold: 0 });
});

test('the runtime takes threads and the inline threshold from the tuning file', (t) => {
  const f = join(dir, 'mine.json');
  writeFileSync(f, JSON.stringify(sample()));
  const r = resolved({ DISTNUMPY_TUNING: f });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(r.config.threads, { value: 1, source: 'tuning file', path: f });
  t.deepEqual(r.config.inlineThreshold, { value: 12345, source: 'tuning file', path: f });
  t.is(r.config.classes.compute.inlineThreshold, 999);
  t.is(r.stderr, '');
  // An explicit setting wins over the file.
  const e = resolved({ DISTNUMPY_TUNING: f, DISTNUMPY_THREADS: '2' });
  t.deepEqual(e.config.threads, { value: 2, source: 'environment' });
  t.is(e.config.classes, undefined);
  // This host's file in the config directory is found without DISTNUMPY_TUNING.
  writeFileSync(join(dir, `tuning-${hostname()}.json`), JSON.stringify(sample()));
  t.is(resolved({}).config.threads.source, 'tuning file');
  rmSync(join(dir, `tuning-${hostname()}.json`));
  t.is(resolved({}).config.threads.source, 'default');
});

test('a foreign, corrupt or unreadable tuning file is ignored with one warning line', (t) => {
  const cases: Record<string, string> = {
    foreign: JSON.stringify(sample({ host: 'elsewhere', cpu: 'Other CPU' })),
    corrupt: '{"format": "distnumpy-tuning/1", "threads": ',
    wrongSchema: JSON.stringify({ ...sample(), threads: -3 }),
    notObject: '42',
  };
  for (const [name, text] of Object.entries(cases)) {
    const f = join(dir, `${name}.json`);
    writeFileSync(f, text);
    const r = resolved({ DISTNUMPY_TUNING: f });
    t.is(r.status, 0, `${name}: ${r.stderr}`);
    t.is(r.config.threads.source, 'default', name);
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1, `${name}: ${r.stderr}`);
    t.regex(lines[0], new RegExp(`ignoring tuning file .*${name}\\.json`));
  }
  const unreadable = resolved({ DISTNUMPY_TUNING: dir }); // a directory
  t.is(unreadable.status, 0);
  t.regex(unreadable.stderr, /ignoring tuning file/);
  const missing = resolved({ DISTNUMPY_TUNING: join(dir, 'nope.json') });
  t.is(missing.status, 0);
  t.regex(missing.stderr, /ignoring tuning file .*nope\.json/);
});

test('distnumpy info shows the values in force and where each came from', (t) => {
  const f = join(dir, 'info.json');
  writeFileSync(f, JSON.stringify(sample()));
  const r = cli(['info'], { DISTNUMPY_TUNING: f, DISTNUMPY_THREADS: '' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`threads\\s+1\\s+\\(tuning file ${f.replace(/[/.]/g, '\\$&')}\\)`));
  t.regex(r.stdout, /inline below\s+12345/);
  const j = JSON.parse(cli(['info', '--json'], { DISTNUMPY_TUNING: f, DISTNUMPY_THREADS: '3' }).stdout);
  t.deepEqual(j.threads, { value: 3, source: 'environment' });
});

test('tune: --help documents every flag; bad flags and values exit 2 with usage', (t) => {
  const h = cli(['tune', '--help']);
  t.is(h.status, 0);
  for (const flag of ['--quick', '--json', '--out', '--max-threads', '--help']) t.true(h.stdout.includes(flag), flag);
  for (const bad of [['--bogus'], ['--max-threads', '0'], ['--max-threads', 'x'], ['--out']]) {
    const r = cli(['tune', ...bad]);
    t.is(r.status, 2, bad.join(' '));
    t.regex(r.stderr, /usage: distnumpy tune/);
  }
  t.is(cli(['nonsense']).status, 2);
});

test('under distnumpy run -n 2, each host tunes once and writes its own file', (t) => {
  if (spawnSync('mpirun', ['--version']).status !== 0) {
    if (process.env.CI === 'true') t.fail('mpirun missing under CI');
    else t.pass('skipped: no mpirun');
    return;
  }
  const sub = mkdtempSync(join(dir, 'hosts-'));
  const r = spawnSync(process.execPath, [BIN, 'run', '-n', '2', BIN, 'tune', '--quick'], {
    encoding: 'utf8',
    env: { ...process.env, DISTNUMPY_CONFIG_DIR: sub },
    timeout: 120_000,
  });
  t.is(r.status, 0, r.stderr);
  const file = join(sub, `tuning-${hostname()}.json`);
  t.true(existsSync(file), 'the host file exists');
  t.is(typeof validateTuning(JSON.parse(readFileSync(file, 'utf8'))), 'object');
  t.is(r.stdout.split('wrote ').length - 1, 1, 'one rank per host tuned');
});
