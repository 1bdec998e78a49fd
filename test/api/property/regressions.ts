// Seeds of random programs that once exposed a difference from NumPy. programs.test.ts always
// runs them, in addition to the batch drawn from DISTNUMPY_PROPERTY_SEED (or the default seed).
//
// The process: when the property test fails it prints "program seed S" for each program that
// differs, the program as a distnumpy snippet with its NumPy twin, and (fast-check shrinking it)
// a minimal version. Rerun the batch with DISTNUMPY_PROPERTY_SEED=S (program S comes first);
// once the cause is fixed, add { seed: S, note: 'what it exposed' } here so it stays fixed.
// `count` runs that many programs from seed S onwards (default 1). A seed names a program only
// as long as the arbitraries in arbitraries.ts are unchanged: when they change, the listed
// programs change too (they still run, as extra random programs).
export interface Regression {
  seed: number;
  note: string;
  count?: number;
}

// The seeds below exposed the bugs A..J (they were kept out of the default run by KNOWN BUG
// guards in interpret.ts until they were fixed; the guards are gone).
export const REGRESSIONS: Regression[] = [
  { seed: 2323, note: 'A: a bool array compared with a Python int beyond int32 (x.lt(-2147483649)) wraps the scalar' },
  { seed: 1444, note: 'B: np.clip(bool, None, None) raises in NumPy, dn.clip returns a copy' },
  { seed: 1163, note: 'C: dn.div(uint8_array, 2147483647) throws TypeError, NumPy computes float64' },
  { seed: 3790, note: 'D: dn.logicalAnd(1e20, x): NumPy raises OverflowError, distnumpy computes' },
  { seed: 543, note: 'E: dn.where(c, -3, uint8_array) throws TypeError, NumPy wraps -3 to 253' },
  { seed: 1339, note: 'F: astype(int32) of NaN gives 0, NumPy INT_MIN' },
  { seed: 2379, note: 'G: argmax over an axis of length 0 with an empty result: NumPy raises, distnumpy returns []' },
  { seed: 401936, note: 'H: an int32 product that overflows float64 before a zero gives NaN, NumPy 0' },
  { seed: 600575, note: 'I: dn.clip(uint8_array, 300, -2.5) throws TypeError, NumPy gives float64' },
  { seed: 602756, note: 'J: dn.clip(-0.0, 0, 0) gives +0, NumPy -0' },
];
