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

/**
 * How much autocorrelation inflates the variance of S (Hamed & Rao, 1998): the floors' residuals
 * about the trend `slope` are ranked, and every lag whose rank autocorrelation is significant
 * (|ρ_k| > 1.96/√n) adds (n-k)(n-k-1)(n-k-2)·ρ_k to n/n* = 1 + 2/(n(n-1)(n-2))·Σ. Memory that
 * wanders slowly (a runtime's heap sizing, page-granular drift) has floors that follow each other,
 * and S counts their pairs as if each were new evidence; a leak's residuals about its trend are
 * not so ordered. At least 1: negative autocorrelation does not make a trend more certain.
 * `scratch` must hold 3·(to-from) values.
 */
export function autocorrelationVarianceFactor(
  time: Float64Array,
  y: Float64Array,
  from: number,
  to: number,
  slope: number,
  scratch: Float64Array,
): number {
  const n = to - from;
  if (n < 4) return 1;
  const residual = scratch.subarray(0, n);
  const order = scratch.subarray(n, 2 * n);
  const rank = scratch.subarray(2 * n, 3 * n);
  for (let i = 0; i < n; i++) {
    residual[i] = y[from + i]! - slope * time[from + i]!;
    order[i] = i;
  }
  order.sort((a, b) => residual[a]! - residual[b]!);
  // Residuals within a byte of each other are tied (a perfectly steady leak leaves only rounding):
  // each group gets its mean rank, so ties carry no order.
  for (let r = 0; r < n; ) {
    let end = r + 1;
    while (end < n && residual[order[end]!]! - residual[order[r]!]! < 1) end++;
    for (let k = r; k < end; k++) rank[order[k]!] = (r + 1 + end) / 2;
    r = end;
  }
  const mean = (n + 1) / 2;
  let denominator = 0;
  for (let i = 0; i < n; i++) denominator += (rank[i]! - mean) ** 2;
  if (denominator === 0) return 1;
  const bound = 1.96 / Math.sqrt(n);
  let sum = 0;
  for (let k = 1; k <= n - 3; k++) {
    let c = 0;
    for (let i = 0; i + k < n; i++) c += (rank[i]! - mean) * (rank[i + k]! - mean);
    const rho = c / denominator;
    if (Math.abs(rho) > bound) sum += (n - k) * (n - k - 1) * (n - k - 2) * rho;
  }
  return Math.max(1, 1 + (2 / (n * (n - 1) * (n - 2))) * sum);
}
