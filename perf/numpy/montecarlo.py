# The NumPy twin of examples/montecarlo.ts: pi ~ 4 * count(x^2 + y^2 <= 1) / n for x, y uniform
# on [0, 1). The timed run draws x and y (as montecarlo(n) in the example does) and counts.
#   timing: python3 perf/numpy/montecarlo.py [--size N=1e7] [--repeat R=3] [--seed 2026]   (--iters ignored)
#           result = pi of the last repeat (each repeat draws new samples from the one generator)
#   io:     python3 perf/numpy/montecarlo.py --io DIR [--size N] [--seed S]
#           writes x.npy, y.npy (n,), pi.npy (0-d float64), meta.json {app, n, seed, pi}
import os
import numpy as np
import _twin


def montecarlo_from(x, y):
    inside = np.sum(x * x + y * y <= 1)
    return 4 * int(inside) / x.size


def montecarlo(n, rng):
    return montecarlo_from(rng.random(n), rng.random(n))


def main():
    args = _twin.parse('montecarlo', 10**7, 0, 2026, 'Monte Carlo pi, the NumPy twin of examples/montecarlo.ts')
    rng = np.random.default_rng(args.seed)
    if args.io:
        os.makedirs(args.io, exist_ok=True)
        x, y = rng.random(args.size), rng.random(args.size)
        pi = montecarlo_from(x, y)
        _twin.save(args.io, {'x': x, 'y': y, 'pi': np.float64(pi)})
        _twin.write_meta(args.io, {'app': 'montecarlo', 'n': args.size, 'seed': args.seed, 'pi': pi})
        return
    _twin.timing('montecarlo', args, lambda: (args.size, rng), montecarlo, lambda pi: pi)


if __name__ == '__main__':
    main()
