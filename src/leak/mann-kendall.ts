import { normalUpperTail } from './normal-distribution.js';

export interface MannKendallResult {
  /** Concordant minus discordant pairs. */
  s: number;
  /** Variance of S under the no-trend hypothesis, corrected for ties. */
  variance: number;
  /** Continuity-corrected normal score. */
  z: number;
  /** One-sided p-value for an upward trend: P(Z >= z). */
  pIncreasing: number;
}

/**
 * Mann–Kendall trend test over `y[from..to)` (values in time order), normal approximation with the
 * tie correction Var(S) = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18. `scratch` (length >= to-from)
 * is used to count ties without allocating; it is overwritten.
 */
export function mannKendall(y: Float64Array, from: number, to: number, scratch: Float64Array): MannKendallResult {
  const n = to - from;
  let s = 0;
  for (let i = from; i < to - 1; i++) {
    const yi = y[i]!;
    for (let j = i + 1; j < to; j++) {
      const d = y[j]! - yi;
      if (d > 0) s++;
      else if (d < 0) s--;
    }
  }
  for (let i = 0; i < n; i++) scratch[i] = y[from + i]!;
  const sorted = scratch.subarray(0, n).sort();
  let tieTerm = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && sorted[i] === sorted[i - 1]) run++;
    else {
      if (run > 1) tieTerm += run * (run - 1) * (2 * run + 5);
      run = 1;
    }
  }
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  let z = 0;
  if (variance > 0) {
    if (s > 0) z = (s - 1) / Math.sqrt(variance);
    else if (s < 0) z = (s + 1) / Math.sqrt(variance);
  }
  return { s, variance, z, pIncreasing: variance > 0 ? normalUpperTail(z) : 1 };
}
