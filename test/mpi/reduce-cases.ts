// The Allreduce cases shared by the rank script (which runs them) and the test (which checks
// them): every dtype the binding maps to an MPI datatype, every op, small values that overflow
// no dtype at 4 ranks.
export const DTYPES = [
  'Float64Array', 'Float32Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Uint16Array',
  'Int8Array', 'Uint8Array', 'BigInt64Array', 'BigUint64Array',
] as const;

export const OPS = ['sum', 'prod', 'min', 'max', 'land', 'lor'] as const;

/** What rank r contributes (4 elements). */
export function contribution(op: string, r: number): number[] {
  if (op === 'prod') return [0, 1, 2, 3].map((i) => ((r + i) % 2) + 1);
  if (op === 'land' || op === 'lor') return [r % 2, 1, 0, r === 0 ? 1 : 0];
  return [0, 1, 2, 3].map((i) => ((r * 3 + i) % 7) + 1);
}

/** The reduction over ranks 0..size-1, as strings (so BigInt and numbers compare alike). */
export function expectedReduction(op: string, size: number): string[] {
  const rows = Array.from({ length: size }, (_, r) => contribution(op, r));
  return [0, 1, 2, 3].map((i) => {
    const column = rows.map((row) => row[i]);
    switch (op) {
      case 'sum': return String(column.reduce((a, b) => a + b, 0));
      case 'prod': return String(column.reduce((a, b) => a * b, 1));
      case 'min': return String(Math.min(...column));
      case 'max': return String(Math.max(...column));
      case 'land': return column.every((v) => v !== 0) ? '1' : '0';
      default: return column.some((v) => v !== 0) ? '1' : '0';
    }
  });
}
