# The NumPy twin of examples/stencil.ts: a 5-point Jacobi stencil on a (W+2)^2 grid with fixed
# borders, swept in place until the total change sum|work - center| <= eps (or K sweeps).
#   timing: python3 perf/numpy/stencil.py [--size W=2000] [--iters K=20] [--repeat R=3] [--eps 1e-3]
#           result = the last delta; "iterations" = sweeps done. The grid is built outside the timer.
#   io:     python3 perf/numpy/stencil.py --io DIR [--size W] [--iters K] [--eps E]
#           writes grid.npy (the initial grid), grid_out.npy, meta.json {app, W, max_iter, eps, iterations, delta}
import os
import numpy as np
import _twin


def stencil(grid, eps, max_iter):
    center = grid[1:-1, 1:-1]
    delta = np.inf
    it = 0
    while delta > eps and it < max_iter:
        work = (center + grid[0:-2, 1:-1] + grid[2:, 1:-1] + grid[1:-1, 0:-2] + grid[1:-1, 2:]) * 0.2
        d = np.sum(np.abs(work - center))
        center[:] = work
        delta = float(d)
        it += 1
    return it, delta


def initial_grid(W):
    grid = np.zeros((W + 2, W + 2))
    grid[0, :] = 40
    grid[-1, :] = -273.15
    grid[1:, 0] = -273.15
    grid[1:, -1] = -273.15
    return grid


def main():
    args = _twin.parse('stencil', 2000, 20, None, 'Jacobi stencil, the NumPy twin of examples/stencil.ts',
                       {'eps': (1e-3, 'stop when the total change is <= eps')})
    W, K, eps = args.size, args.iters, args.eps
    if args.io:
        os.makedirs(args.io, exist_ok=True)
        grid = initial_grid(W)
        _twin.save(args.io, {'grid': grid})
        it, delta = stencil(grid, eps, K)
        _twin.save(args.io, {'grid_out': grid})
        _twin.write_meta(args.io, {'app': 'stencil', 'W': W, 'max_iter': K, 'eps': eps, 'iterations': it, 'delta': delta})
        return
    _twin.timing('stencil', args, lambda: (initial_grid(W), eps, K), stencil, lambda r: r[1],
                 lambda r: {'iterations': r[0], 'eps': eps})


if __name__ == '__main__':
    main()
