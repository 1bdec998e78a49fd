# The NumPy twin of perf/cases.ts: the same work, timed with repeats, medians in ms, one JSON line.
import json, sys, time
import numpy as np

N = 10**7
rng = np.random.default_rng(42)
a, b, c, d = (rng.random(N) + 0.5 for _ in range(4))
r = np.zeros(N)
A = rng.random((1500, 1500)); B = rng.random((1500, 1500))
s = rng.random(100)

cases = {
    'fused chain (a+b)*c-d, 1e7 f64': lambda: np.subtract((a + b) * c, d, out=r),
    'fused chain, new result array': lambda: (a + b) * c - d,
    'transcendental sqrt(a)+exp(b)+sin(c), 1e7 f64': lambda: np.add(np.sqrt(a) + np.exp(b), np.sin(c), out=r),
    'sum, 1e7 f64': lambda: a.sum().item(),
    'matmul 1500x1500 f64': lambda: A @ B,
    'one op on 100 elements + item()': lambda: s.sum().item(),
}

max_time = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
out = {}
for name, fn in cases.items():
    for _ in range(3):
        fn()
    samples = []
    t_end = time.perf_counter() + max_time
    while len(samples) < 15 or (time.perf_counter() < t_end and len(samples) < 2000):
        t0 = time.perf_counter(); fn(); samples.append((time.perf_counter() - t0) * 1000)
        if len(samples) >= 15 and time.perf_counter() > t_end:
            break
    out[name] = {'median': float(np.median(samples)), 'samples': len(samples)}
print(json.dumps(out))
