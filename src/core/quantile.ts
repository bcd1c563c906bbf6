/**
 * The φ-quantile of samples as Prometheus's `quantile_over_time` computes it: sort, take rank
 * φ·(n−1) and interpolate linearly between its neighbours. vigil uses this definition wherever
 * its own figure is compared with a generated rule's (the probe latency), so the daemon and
 * Prometheus agree on the same samples. `values` is left as it is; null when empty.
 */
export function quantileOverTime(q: number, values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(lower + 1, n - 1);
  const weight = rank - lower;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}
