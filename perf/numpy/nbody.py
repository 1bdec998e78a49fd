# The NumPy twin of examples/nbody.ts: all-pairs N-body with positions, velocities (n, 1) per axis,
# position differences through dot(OnesCol, P.T) - dot(P, OnesRow), softened distances,
# forces G * dot(M, M.T) / D^2, net force by sum(axis 1), then velocity and position updates.
#   timing: python3 perf/numpy/nbody.py [--size n=1000] [--iters steps=5] [--repeat R=3] [--dt 0.1] [--seed 7]
#           result = sum(x) of the final positions. The bodies are built outside the timer.
#   io:     python3 perf/numpy/nbody.py --io DIR [--size n] [--iters steps] [--dt DT] [--seed S]
#           writes the inputs P0.npy P1.npy P2.npy V0.npy V1.npy V2.npy M.npy (each (n,1)), the outputs
#           P0_out.npy .. P2_out.npy, V0_out.npy .. V2_out.npy, meta.json {app, n, steps, dt, seed, sum_x}
import os
import numpy as np
import _twin

G = 6.673e-11
SOFT = 0.01  # as examples/nbody.ts


def step(P, V, M, dt):
    n = M.shape[0]
    ones_col = np.ones((n, 1))
    ones_row = np.ones((1, n))
    diff = [np.dot(ones_col, p.T) - np.dot(p, ones_row) for p in P]
    D2 = diff[0] * diff[0] + diff[1] * diff[1] + diff[2] * diff[2] + SOFT * SOFT
    D = np.sqrt(D2)
    F = np.dot(M, M.T) * G / D2
    Vn = [v + np.sum(F * diff[k] / D, axis=1).reshape(n, 1) / M * dt for k, v in enumerate(V)]
    Pn = [p + Vn[k] * dt for k, p in enumerate(P)]
    return Pn, Vn


def nbody(P, V, M, steps, dt):
    for _ in range(steps):
        P, V = step(P, V, M, dt)
    return P, V


def bodies(n, rng):
    P = [rng.random((n, 1)) * 100 for _ in range(3)]
    V = [np.zeros((n, 1)) for _ in range(3)]
    M = rng.random((n, 1)) * 1e10 + 1
    return P, V, M


def main():
    args = _twin.parse('nbody', 1000, 5, 7, 'all-pairs N-body, the NumPy twin of examples/nbody.ts',
                       {'dt': (0.1, 'time step')})
    n, steps, dt = args.size, args.iters, args.dt
    rng = np.random.default_rng(args.seed)
    if args.io:
        os.makedirs(args.io, exist_ok=True)
        P, V, M = bodies(n, rng)
        _twin.save(args.io, {**{f'P{k}': P[k] for k in range(3)}, **{f'V{k}': V[k] for k in range(3)}, 'M': M})
        Po, Vo = nbody(P, V, M, steps, dt)
        _twin.save(args.io, {**{f'P{k}_out': Po[k] for k in range(3)}, **{f'V{k}_out': Vo[k] for k in range(3)}})
        _twin.write_meta(args.io, {'app': 'nbody', 'n': n, 'steps': steps, 'dt': dt, 'seed': args.seed,
                                   'sum_x': float(np.sum(Po[0]))})
        return
    P, V, M = bodies(n, rng)  # nbody does not modify its inputs: the same bodies for every repeat
    _twin.timing('nbody', args, lambda: (P, V, M, steps, dt), nbody, lambda r: np.sum(r[0][0]))


if __name__ == '__main__':
    main()
