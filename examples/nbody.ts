// The DistNumPy paper's N-body simulation: all pairs, position differences through
// dot(OnesCol, P.T) - dot(P, OnesRow), distances, forces G * dot(M, M.T) / D^2, net force by
// sum(axis 1), then velocity and position updates. Positions, velocities: (n, 1) per axis.
// Usage: node build/examples/nbody.js [n=1000] [steps=10]
import * as dn from '../lib/index.js';
import { isMain, numArg } from './main.js';

export interface Bodies {
  /** Positions and velocities per axis (x, y, z), each (n, 1); masses (n, 1). */
  P: dn.NdArray[];
  V: dn.NdArray[];
  M: dn.NdArray;
}

const G = 6.673e-11;
const SOFT = 0.01; // softening: a body exerts no force on itself, and close pairs stay finite

export function step(b: Bodies, dt: number): Bodies {
  const n = b.M.shape[0];
  const onesCol = dn.ones([n, 1]);
  const onesRow = dn.ones([1, n]);
  const diff = b.P.map((p) => dn.dot(onesCol, p.T).sub(dn.dot(p, onesRow)));
  const D2 = diff.map((d) => d.mul(d)).reduce((s, x) => s.add(x)).add(SOFT * SOFT);
  const D = dn.sqrt(D2);
  const F = dn.dot(b.M, b.M.T).mul(G).div(D2);
  // Net force on each body along each axis, then acceleration = force / mass.
  const V = b.V.map((v, k) => v.add(F.mul(diff[k]).div(D).sum(1).reshape(n, 1).div(b.M).mul(dt)));
  const P = b.P.map((p, k) => p.add(V[k].mul(dt)));
  return { P, V, M: b.M };
}

export async function nbody(b: Bodies, steps: number, dt: number): Promise<Bodies> {
  let s = b;
  for (let i = 0; i < steps; i++) {
    s = step(s, dt);
    await dn.flush();
  }
  return s;
}

export function bodies(n: number): Bodies {
  dn.random.seed(7);
  const P = [0, 1, 2].map(() => dn.random.random([n, 1]).mul(100).copy());
  const V = [0, 1, 2].map(() => dn.zeros([n, 1]));
  const M = dn.random.random([n, 1]).mul(1e10).add(1).copy();
  return { P, V, M };
}

if (isMain(import.meta.url)) {
  const n = numArg(0, 1000);
  const steps = numArg(1, 10);
  const b = bodies(n);
  await dn.flush();
  const t0 = performance.now();
  const r = await nbody(b, steps, 0.1);
  const x = await r.P[0].sum().item();
  console.log(`${steps} steps of ${n} bodies: sum(x) = ${x}, ${(performance.now() - t0).toFixed(1)} ms`);
  await dn.shutdown();
}
