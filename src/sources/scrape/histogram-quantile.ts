/**
 * The quantile of a classic histogram from cumulative bucket counts, computed the way Prometheus's
 * `histogram_quantile()` does it, so a figure vigil reports matches the one a dashboard shows:
 *  - buckets sorted by upper bound, same bounds merged, counts forced to be non-decreasing
 *    (buckets of one histogram scraped at slightly different moments can be off by a few);
 *  - the `+Inf` bucket must be present (else NaN) and holds the total count; no observations: NaN;
 *  - rank = q * total; the first bucket whose count reaches the rank holds the quantile, and the
 *    value is interpolated linearly inside it;
 *  - the lowest bucket's lower bound is 0 when its upper bound is positive; when its upper bound is
 *    <= 0 that upper bound is returned;
 *  - a rank that falls in the `+Inf` bucket returns the highest finite upper bound.
 */

export interface Bucket {
  /** `le`, the upper bound (may be +Infinity). */
  readonly upperBound: number;
  /** Cumulative count of observations <= upperBound. */
  readonly count: number;
}

export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted.length === 0 || sorted[sorted.length - 1]!.upperBound !== Number.POSITIVE_INFINITY) return Number.NaN;

  const buckets: Array<{ upperBound: number; count: number }> = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ upperBound: b.upperBound, count: b.count });
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const b of buckets) {
    if (b.count < max) b.count = max;
    else max = b.count;
  }
  if (buckets.length < 2) return Number.NaN;
  const total = buckets[buckets.length - 1]!.count;
  if (!(total > 0)) return Number.NaN;

  let rank = q * total;
  // The first finite bucket whose cumulative count reaches the rank; none: the rank is in +Inf.
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if (buckets[i]!.count >= rank) {
      b = i;
      break;
    }
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let start = 0;
  const end = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

/** An `le` label as a number (`+Inf`, `0.005`, `5e-3`); NaN when it is not one. */
export function parseLe(le: string | undefined): number {
  if (le === undefined) return Number.NaN;
  if (le === '+Inf' || le === 'Inf') return Number.POSITIVE_INFINITY;
  const trimmed = le.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}
