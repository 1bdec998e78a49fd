# Shared by the NumPy twins of the examples (montecarlo.py, nbody.py, jacobi.py, stencil.py):
# the command line, the timing loop and the io mode. Each twin supplies its defaults, a function
# that builds the inputs, a function that runs the app and a scalar summary of its result.
#
#   python3 perf/numpy/<app>.py [--size N] [--iters K] [--repeat R] [--seed S]
#       timing: R runs at size N (K iterations/steps), one JSON line on stdout:
#       {"app", "size", "iters", "times_ms": [one per repeat], "result": <scalar>, ...}
#   python3 perf/numpy/<app>.py --io DIR [--size N] [--iters K] [--seed S]
#       io: inputs and outputs as .npy files in DIR (created if missing), plus DIR/meta.json.
import argparse, json, os, sys, time
import numpy as np


def count(text):
    """An integer argument; accepts 1e7 and 10000000."""
    v = float(text)
    if not v.is_integer() or v < 0:
        raise argparse.ArgumentTypeError(f'expected a non-negative integer, got {text}')
    return int(v)


def parse(app, size, iters, seed, doc, floats=None):
    """The shared options; `floats` adds app-specific float options: {'eps': (default, help)}."""
    p = argparse.ArgumentParser(prog=f'{app}.py', description=doc)
    p.add_argument('--size', type=count, default=size, help=f'problem size (default {size})')
    p.add_argument('--iters', type=count, default=iters, help=f'iterations / steps (default {iters})')
    p.add_argument('--repeat', type=count, default=3, help='timed runs (timing mode, default 3)')
    p.add_argument('--seed', type=int, default=seed,
                   help=f'seed of np.random.default_rng (default {seed})' if seed is not None else 'not used (no random inputs)')
    p.add_argument('--io', metavar='DIR', help='write inputs and outputs as .npy files to DIR instead of timing')
    for name, (default, text) in (floats or {}).items():
        p.add_argument(f'--{name}', type=float, default=default, help=f'{text} (default {default:g})')
    return p.parse_args()


def save(dir, arrays):
    for name, a in arrays.items():
        np.save(os.path.join(dir, f'{name}.npy'), np.asarray(a))


def write_meta(dir, meta):
    with open(os.path.join(dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)


def timing(app, args, make_inputs, run, summary, extra=None):
    """R runs; each gets fresh inputs (built outside the timed region)."""
    times, out = [], None
    for _ in range(args.repeat):
        inputs = make_inputs()
        t0 = time.perf_counter()
        out = run(*inputs)
        times.append((time.perf_counter() - t0) * 1000)
    line = {'app': app, 'size': args.size, 'iters': args.iters, 'times_ms': times,
            'result': None if out is None else float(summary(out))}
    if extra and out is not None:
        line.update(extra(out))
    line['numpy'] = np.__version__
    print(json.dumps(line))
    sys.stdout.flush()
