# The NumPy twin of examples/jacobi.ts: the dense Jacobi solver for A h = B,
# h <- h + (B - sum(A*h, axis 1)) / diagonal(A) until max |(h_new - h) / h_new| <= tol (or K iterations),
# on a diagonally dominant system A = rng.random((n, n)) + n * eye(n), B = rng.random(n).
#   timing: python3 perf/numpy/jacobi.py [--size n=2000] [--iters K=50] [--repeat R=3] [--tol 1e-10] [--seed 42]
#           result = sum(h); "iterations" = iterations done. A and B are built outside the timer.
#   io:     python3 perf/numpy/jacobi.py --io DIR [--size n] [--iters K] [--tol T] [--seed S]
#           writes A.npy (n,n), B.npy (n,), h.npy (n,), meta.json {app, n, max_iter, tol, seed, iterations, dmax, sum_h}
import os
import numpy as np
import _twin


def jacobi(A, B, tol, max_iter):
    d = np.diagonal(A)
    h = np.zeros(A.shape[0])
    dmax = np.inf
    it = 0
    while dmax > tol and it < max_iter:
        hnew = h + (B - np.sum(A * h, axis=1)) / d
        dmax = float(np.max(np.abs((hnew - h) / hnew)))
        h = hnew
        it += 1
    return h, it, dmax


def system(n, rng):
    A = rng.random((n, n)) + np.eye(n) * n
    B = rng.random(n)
    return A, B


def main():
    args = _twin.parse('jacobi', 2000, 50, 42, 'dense Jacobi solver, the NumPy twin of examples/jacobi.ts',
                       {'tol': (1e-10, 'stop when the largest relative change is <= tol')})
    n, K, tol = args.size, args.iters, args.tol
    rng = np.random.default_rng(args.seed)
    if args.io:
        os.makedirs(args.io, exist_ok=True)
        A, B = system(n, rng)
        h, it, dmax = jacobi(A, B, tol, K)
        _twin.save(args.io, {'A': A, 'B': B, 'h': h})
        _twin.write_meta(args.io, {'app': 'jacobi', 'n': n, 'max_iter': K, 'tol': tol, 'seed': args.seed,
                                   'iterations': it, 'dmax': dmax, 'sum_h': float(np.sum(h))})
        return
    A, B = system(n, rng)  # the same system for every repeat (jacobi does not modify it)
    _twin.timing('jacobi', args, lambda: (A, B, tol, K), jacobi, lambda r: np.sum(r[0]),
                 lambda r: {'iterations': r[1], 'dmax': r[2]})


if __name__ == '__main__':
    main()
