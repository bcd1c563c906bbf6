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
 * tie correction Var(S) = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18 (t: size of each group of equal
 * values). `scratch` (length >= to-from) marks tied points; it is overwritten.
 */
export function mannKendall(y: Float64Array, from: number, to: number, scratch: Float64Array): MannKendallResult {
  const n = to - from;
  // scratch[k] = 1 once point from+k is known to repeat an earlier value: tie groups are then
  // counted in the same pass as S, from each group's first member, without sorting.
  scratch.fill(0, 0, n);
  let s = 0;
  let tieTerm = 0;
  for (let i = from; i < to - 1; i++) {
    const yi = y[i]!;
    let same = 0;
    for (let j = i + 1; j < to; j++) {
      const d = y[j]! - yi;
      if (d > 0) s++;
      else if (d < 0) s--;
      else {
        same++;
        scratch[j - from] = 1;
      }
    }
    if (same > 0 && scratch[i - from] === 0) {
      const g = same + 1;
      tieTerm += g * (g - 1) * (2 * g + 5);
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
