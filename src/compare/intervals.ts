import { type Bucket, histogramQuantile } from '../sources/scrape/histogram-quantile.js';
import type { Random } from './random.js';

/**
 * Confidence intervals for the change of one figure between two measurements (after − before),
 * one method per kind of data, chosen for what the data is:
 *  - raw values (probe or load-test latencies, gauge samples): the percentile bootstrap, resampling
 *    each side with replacement; it needs no assumption about the latency distribution's shape;
 *  - histograms (a service's own bucket counts): the Poisson bootstrap, every bucket's count
 *    redrawn as Poisson(count), which resamples the observations without having them one by one;
 *  - proportions (error ratio, cache hit ratio): Newcombe's hybrid score interval for a difference
 *    of two proportions, built from Wilson intervals (sound near 0 and 1, unlike the Wald interval);
 *  - event rates (throughput): the conditional binomial method for a ratio of two Poisson rates
 *    (given both counts, the after count is binomial), with a Wilson interval;
 *  - statement means and P95 estimates (pg_stat_statements keeps count, sum and sum of squares
 *    only): a normal interval on the difference, from each side's standard error.
 * Every function returns the point values and an interval of `after − before` in the figure's unit.
 */

export interface Change {
  readonly before: number;
  readonly after: number;
  /** Lower and upper bound of after − before at the chosen confidence. */
  readonly low: number;
  readonly high: number;
}

export type Statistic = { readonly type: 'mean' } | { readonly type: 'quantile'; readonly q: number };

/** The two-sided normal quantile for a confidence level (0.95 → 1.96), by Acklam's rational approximation. */
export function zFor(confidence: number): number {
  const p = 1 - (1 - confidence) / 2;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  if (p > 0.97575) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Quantile of sorted values with linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function statisticOf(values: readonly number[], statistic: Statistic): number {
  if (values.length === 0) return Number.NaN;
  if (statistic.type === 'mean') return values.reduce((s, v) => s + v, 0) / values.length;
  return quantileSorted(Float64Array.from(values).sort(), statistic.q);
}

/** Rearranges `a` so that a[k] is the k-th smallest, smaller before it and larger after (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (left < right) {
    const pivot = a[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

/** The statistic of one bootstrap resample of `values`, drawn into `scratch` (same length). */
function resampledStatistic(values: Float64Array, statistic: Statistic, random: Random, scratch: Float64Array): number {
  const n = values.length;
  if (statistic.type === 'mean') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[random.index(n)]!;
    return sum / n;
  }
  for (let i = 0; i < n; i++) scratch[i] = values[random.index(n)]!;
  const h = (n - 1) * statistic.q;
  const lo = Math.floor(h);
  const low = select(scratch, lo);
  if (lo + 1 >= n || h === lo) return low;
  // After selection everything right of `lo` is >= it: the next order statistic is their minimum.
  let next = Number.POSITIVE_INFINITY;
  for (let i = lo + 1; i < n; i++) if (scratch[i]! < next) next = scratch[i]!;
  return low + (h - lo) * (next - low);
}

function percentileInterval(diffs: Float64Array, confidence: number): [number, number] {
  diffs.sort();
  const alpha = (1 - confidence) / 2;
  return [quantileSorted(diffs, alpha), quantileSorted(diffs, 1 - alpha)];
}

export interface BootstrapOptions {
  readonly random: Random;
  readonly replicates: number;
  readonly confidence: number;
}

/** Percentile bootstrap of statistic(after) − statistic(before) over raw values. */
export function bootstrapValues(
  before: readonly number[],
  after: readonly number[],
  statistic: Statistic,
  options: BootstrapOptions,
): Change | null {
  if (before.length === 0 || after.length === 0) return null;
  const b = Float64Array.from(before);
  const a = Float64Array.from(after);
  const scratchB = new Float64Array(b.length);
  const scratchA = new Float64Array(a.length);
  const diffs = new Float64Array(options.replicates);
  for (let r = 0; r < options.replicates; r++) {
    diffs[r] = resampledStatistic(a, statistic, options.random, scratchA) - resampledStatistic(b, statistic, options.random, scratchB);
  }
  const [low, high] = percentileInterval(diffs, options.confidence);
  return { before: statisticOf(before, statistic), after: statisticOf(after, statistic), low, high };
}

/** Cumulative buckets (as Prometheus keeps them) to per-bucket counts, sorted by bound. */
function perBucket(buckets: readonly Bucket[]): { bounds: number[]; counts: number[] } {
  const sorted = [...buckets].sort((x, y) => x.upperBound - y.upperBound);
  const bounds: number[] = [];
  const counts: number[] = [];
  let previous = 0;
  for (const b of sorted) {
    bounds.push(b.upperBound);
    counts.push(Math.max(0, b.count - previous));
    previous = Math.max(previous, b.count);
  }
  return { bounds, counts };
}

function poissonRedraw(bounds: readonly number[], counts: readonly number[], random: Random): Bucket[] {
  let cumulative = 0;
  return bounds.map((upperBound, i) => {
    cumulative += random.poisson(counts[i]!);
    return { upperBound, count: cumulative };
  });
}

/** Poisson bootstrap of histogram_quantile(q) after − before. */
export function bootstrapHistograms(
  before: readonly Bucket[],
  after: readonly Bucket[],
  q: number,
  options: BootstrapOptions,
): Change | null {
  const pointBefore = histogramQuantile(q, before);
  const pointAfter = histogramQuantile(q, after);
  if (!Number.isFinite(pointBefore) || !Number.isFinite(pointAfter)) return null;
  const b = perBucket(before);
  const a = perBucket(after);
  const diffs: number[] = [];
  for (let r = 0; r < options.replicates; r++) {
    const d =
      histogramQuantile(q, poissonRedraw(a.bounds, a.counts, options.random)) -
      histogramQuantile(q, poissonRedraw(b.bounds, b.counts, options.random));
    // A redraw with no observations at all has no quantile; it says nothing either way.
    if (Number.isFinite(d)) diffs.push(d);
  }
  if (diffs.length === 0) return null;
  const [low, high] = percentileInterval(Float64Array.from(diffs), options.confidence);
  return { before: pointBefore, after: pointAfter, low, high };
}

/** Wilson score interval of a proportion. */
export function wilson(successes: number, trials: number, z: number): [number, number] {
  if (trials <= 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Newcombe's hybrid score interval (his method 10) for p_after − p_before. */
export function proportionChange(
  before: { successes: number; trials: number },
  after: { successes: number; trials: number },
  confidence: number,
): Change | null {
  if (before.trials <= 0 || after.trials <= 0) return null;
  const z = zFor(confidence);
  const p1 = before.successes / before.trials;
  const p2 = after.successes / after.trials;
  const [l1, u1] = wilson(before.successes, before.trials, z);
  const [l2, u2] = wilson(after.successes, after.trials, z);
  const d = p2 - p1;
  return {
    before: p1,
    after: p2,
    // A difference of two shares lies in [-1, 1]; rounding in the Wilson bounds can step past it.
    low: Math.max(-1, d - Math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)),
    high: Math.min(1, d + Math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)),
  };
}

/** Events per second: the ratio of two Poisson rates by the conditional binomial method, as a difference of rates. */
export function rateChange(
  before: { events: number; seconds: number },
  after: { events: number; seconds: number },
  confidence: number,
): Change | null {
  if (before.seconds <= 0 || after.seconds <= 0 || before.events <= 0) return null;
  const r1 = before.events / before.seconds;
  const r2 = after.events / after.seconds;
  // Given n = e1 + e2 events, e2 ~ Binomial(n, π) with π = r2 t2 / (r1 t1 + r2 t2).
  const [pl, pu] = wilson(after.events, before.events + after.events, zFor(confidence));
  const ratio = (p: number) => (p >= 1 ? Number.POSITIVE_INFINITY : (p / (1 - p)) * (before.seconds / after.seconds));
  return { before: r1, after: r2, low: r1 * ratio(pl) - r1, high: r1 * ratio(pu) - r1 };
}

/** A statement's execution time from count, mean and standard deviation (what pg_stat_statements keeps). */
export interface MomentSummary {
  readonly calls: number;
  readonly mean: number;
  readonly stddev: number;
}

/** Normal-theory quantile factor for the P95 estimate (mean + 1.645 σ), the same estimate the postgres source reports. */
export const P95_FACTOR = 1.645;

/**
 * Normal interval of the change of the mean, or of the estimate mean + k·σ (k = P95_FACTOR for
 * the P95), with Var(mean) = σ²/n and Var(σ̂) ≈ σ²/(2n).
 */
export function momentChange(before: MomentSummary, after: MomentSummary, k: number, confidence: number): Change | null {
  if (before.calls <= 0 || after.calls <= 0) return null;
  const value = (m: MomentSummary) => m.mean + k * m.stddev;
  const variance = (m: MomentSummary) => ((m.stddev * m.stddev) / m.calls) * (1 + (k * k) / 2);
  const d = value(after) - value(before);
  const half = zFor(confidence) * Math.sqrt(variance(before) + variance(after));
  return { before: value(before), after: value(after), low: d - half, high: d + half };
}

/** Calls per request as a ratio of two event counts: the rate method with requests as the exposure. */
export function perRequestChange(
  before: { calls: number; requests: number },
  after: { calls: number; requests: number },
  confidence: number,
): Change | null {
  return rateChange({ events: before.calls, seconds: before.requests }, { events: after.calls, seconds: after.requests }, confidence);
}
