import { BucketFloorReducer, type BucketFloors } from './bucket-floors.js';
import type { LeakChecks, LeakOptions, LeakThresholds, LeakVerdict, LeakVerdictKind } from './leak-verdict.js';
import { autocorrelationVarianceFactor, type MannKendallResult, mannKendall } from './mann-kendall.js';
import { normalUpperTail } from './normal-distribution.js';
import { median, theilSenSlope } from './theil-sen.js';

/** Defaults of the detector's thresholds; docs/leak-detection.md says why each is what it is. */
export const DEFAULT_LEAK_THRESHOLDS: Readonly<LeakThresholds> = Object.freeze({
  bucketCount: 48,
  minBuckets: 12,
  minCoverage: 0.25,
  fullCoverage: 0.5,
  alpha: 0.01,
  minGrowthShareOfLimit: 0.05,
  minGrowthShareOfFloor: 0.1,
  recentShare: 1 / 3,
  persistenceRatio: 0.5,
  stepSpanShare: 0.125,
  maxStepShare: 0.35,
  steadyRatio: 0.7,
});

const MS_PER_HOUR = 3_600_000;

/**
 * Scratch space shared by calls (the detector is synchronous, so one set suffices): a full pass
 * over a thousand series then allocates almost nothing.
 */
const reducer = new BucketFloorReducer();
let pairScratch = new Float64Array(0);
let valueScratch = new Float64Array(0);
let rankScratch = new Float64Array(0);

/**
 * Judges whether one container's memory series leaks, over `(now - windowMs, now]`.
 *
 * 1. Reduce the raw points to bucket floors (each bucket's minimum: what is left after a GC).
 * 2. Trend of the floors: Theil–Sen slope (median of pairwise slopes), robust to odd buckets.
 * 3. Significance: one-sided Mann–Kendall test for an upward trend, tie-corrected.
 * 4. Materiality: the trend over a whole window is a real share of the limit (or of the floor).
 * 5. Persistence: the recent part of the window still grows (a leak that stopped is not a leak) and
 *    the growth is not concentrated in one short rise (a one-time step, a cache warming up).
 * `leak` needs 3, 4 and 5 on data covering enough of the window; one of them alone is `suspected`.
 */
export function detectLeak(t: Float64Array, v: Float64Array, options: LeakOptions): LeakVerdict {
  const th = resolveThresholds(options);
  const { windowMs, now } = options;
  const floors = reducer.reduce(t, v, now, windowMs, th.bucketCount);
  if (!enoughData(floors, 0, th, windowMs)) {
    return {
      verdict: 'insufficient_data',
      growthBytesPerHour: null,
      confidence: 0,
      growthShareOfLimit: null,
      exhaustionEtaSeconds: null,
      points: floors.points,
      spanMs: floors.spanMs,
    };
  }
  ensureScratch(floors.count);
  // A one-time step makes the window's trend meaningless: judge what follows the step instead
  // (a leak after a cache warmed up is still a leak; a flat floor after it is not). Bounded: each
  // pass starts strictly later.
  let from = 0;
  let trend = analyse(floors, from, th, options);
  for (let pass = 0; pass < MAX_STEP_SPLITS && trend.stepEnd !== null; pass++) {
    if (!enoughData(floors, trend.stepEnd, th, windowMs)) break;
    from = trend.stepEnd;
    trend = analyse(floors, from, th, options);
  }
  return trend.verdict;
}

/** At most this many steps are cut off the start of the window before giving up on it. */
const MAX_STEP_SPLITS = 3;

function enoughData(f: BucketFloors, from: number, th: LeakThresholds, windowMs: number): boolean {
  return f.count - from >= Math.max(th.minBuckets, 3) && segmentSpan(f, from) >= th.minCoverage * windowMs;
}

/** Span of the raw points from bucket `from` on. */
function segmentSpan(f: BucketFloors, from: number): number {
  return from === 0 ? f.spanMs : f.lastT - Math.max(f.firstT, f.start[from]!);
}

/**
 * The recent part's slope rests on at least this many buckets: a Theil–Sen slope of 3 or 4 floors
 * swings with one odd bucket, which on short data (a quarter of the window) fails real leaks.
 */
const MIN_RECENT_BUCKETS = 6;
/** A one-time step rises at least this many times what the steady trend rises over the same span. */
const STEP_OVER_STEADY = 2.5;

interface Trend {
  verdict: LeakVerdict;
  /** Bucket index where a detected one-time step ends, or null when the growth is not one step. */
  stepEnd: number | null;
}

/** All the tests over buckets `[from, count)`. */
function analyse(f: BucketFloors, from: number, th: LeakThresholds, o: LeakOptions): Trend {
  const { time, floor } = f;
  const n = f.count;
  const m = n - from;
  const limit = o.limitBytes !== null && o.limitBytes > 0 ? o.limitBytes : null;
  const spanMs = segmentSpan(f, from);

  const slope = theilSenSlope(time, floor, from, n, pairScratch); // bytes per ms
  const mk = mannKendall(floor, from, n, valueScratch);
  const pIncreasing = mk.s > 0 ? correctedPIncreasing(mk, time, floor, from, n, slope) : mk.pIncreasing;
  const growthOverWindow = slope * o.windowMs;

  const recentFrom = Math.min(n - MIN_RECENT_BUCKETS, from + Math.floor(m * (1 - th.recentShare)));
  // Starting floor (materiality without a limit): median of an early part as long as the recent one.
  const earlyCount = n - recentFrom;
  for (let i = 0; i < earlyCount; i++) valueScratch[i] = floor[from + i]!;
  const startingFloor = median(valueScratch, earlyCount);

  const material =
    limit !== null ? growthOverWindow >= th.minGrowthShareOfLimit * limit : growthOverWindow >= th.minGrowthShareOfFloor * startingFloor;
  const significant = slope > 0 && pIncreasing <= th.alpha;
  const recentSlope = theilSenSlope(time, floor, recentFrom, n, pairScratch);
  const stillGrowing = slope > 0 && recentSlope >= th.persistenceRatio * slope;
  const stepSpan = Math.max(1, Math.round(th.stepSpanShare * m));
  const rise = largestRise(floor, from, n, stepSpan);
  const trendGrowth = slope * (time[n - 1]! - time[from]!);
  // Only material growth needs explaining: splitting at a noise wiggle would just move the window.
  // On short data a few buckets are a large share of it: a steady trend alone rises stepSpan/(m-1)
  // of its growth over any stepSpan buckets, so a step must clearly exceed that too.
  const stepShare = Math.max(th.maxStepShare, STEP_OVER_STEADY * (stepSpan / Math.max(1, m - 1)));
  const oneStep = material && slope > 0 && rise.amount > stepShare * trendGrowth;
  // Steady growth: the later half of the data grows about as fast as the earlier half (a warm-up slows down).
  const mid = from + Math.floor(m / 2);
  const earlySlope = theilSenSlope(time, floor, from, mid, pairScratch);
  const lateSlope = theilSenSlope(time, floor, mid, n, pairScratch);
  const checks: LeakChecks = {
    significant,
    material,
    persistent: stillGrowing && !oneStep,
    partial: spanMs < th.fullCoverage * o.windowMs,
    steady: slope > 0 && lateSlope >= th.steadyRatio * earlySlope,
  };
  const eta = slope > 0 && limit !== null ? exhaustionEtaSeconds(f, from, slope, o.now, limit) : null;
  let points = 0;
  for (let i = from; i < n; i++) points += f.pointCount[i]!;
  return {
    verdict: {
      verdict: decide(checks),
      growthBytesPerHour: slope * MS_PER_HOUR,
      confidence: 1 - pIncreasing,
      growthShareOfLimit: limit !== null ? growthOverWindow / limit : null,
      exhaustionEtaSeconds: eta,
      points: from === 0 ? f.points : points,
      spanMs,
      checks,
    },
    stepEnd: oneStep ? rise.end : null,
  };
}

/**
 * Seconds until the limit: where the floor is now (the Theil–Sen line through the median residual)
 * plus the usual GC headroom above it (median bucket peak - floor), since peaks hit the limit first.
 */
function exhaustionEtaSeconds(f: BucketFloors, from: number, slope: number, now: number, limit: number): number {
  const m = f.count - from;
  for (let i = 0; i < m; i++) valueScratch[i] = f.floor[from + i]! - slope * f.time[from + i]!;
  const floorNow = median(valueScratch, m) + slope * now;
  for (let i = 0; i < m; i++) valueScratch[i] = f.peak[from + i]! - f.floor[from + i]!;
  const peakNow = floorNow + median(valueScratch, m);
  return peakNow >= limit ? 0 : (limit - peakNow) / slope / 1000;
}

/**
 * The one-sided p-value of an upward trend with the variance of S widened for autocorrelated floors
 * (Hamed & Rao): floors that wander together are fewer independent observations than there are
 * floors. Only an upward S needs it (a downward one is far from significant either way).
 */
function correctedPIncreasing(
  mk: MannKendallResult,
  time: Float64Array,
  floor: Float64Array,
  from: number,
  to: number,
  slope: number,
): number {
  const inflation = autocorrelationVarianceFactor(time, floor, from, to, slope, rankScratch);
  return inflation > 1 ? normalUpperTail((mk.s - 1) / Math.sqrt(mk.variance * inflation)) : mk.pIncreasing;
}

function decide(c: LeakChecks): LeakVerdictKind {
  // A leak grows steadily; a warm-up still slowing down is not one, however early or late it is judged.
  if (c.significant && c.material && c.persistent && c.steady) return 'leak';
  return c.significant || c.material ? 'suspected' : 'ok';
}

/**
 * Largest rise of the floor over `span` consecutive buckets, on a median-of-3 smoothed floor so a
 * single odd bucket does not count as a step; also where that rise ends (a bucket index). Uses `valueScratch`.
 */
function largestRise(floor: Float64Array, from: number, to: number, span: number): { amount: number; end: number } {
  const smooth = valueScratch;
  for (let i = from; i < to; i++) {
    const a = floor[i > from ? i - 1 : i]!;
    const b = floor[i]!;
    const c = floor[i < to - 1 ? i + 1 : i]!;
    smooth[i - from] = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  let amount = -Infinity;
  let end = to;
  for (let i = 0; i + span < to - from; i++) {
    const rise = smooth[i + span]! - smooth[i]!;
    if (rise > amount) {
      amount = rise;
      end = from + i + span;
    }
  }
  return { amount, end };
}

function resolveThresholds(o: LeakOptions): LeakThresholds {
  const d = DEFAULT_LEAK_THRESHOLDS;
  return {
    bucketCount: o.bucketCount ?? d.bucketCount,
    minBuckets: o.minBuckets ?? d.minBuckets,
    minCoverage: o.minCoverage ?? d.minCoverage,
    fullCoverage: o.fullCoverage ?? d.fullCoverage,
    alpha: o.alpha ?? d.alpha,
    minGrowthShareOfLimit: o.minGrowthShareOfLimit ?? d.minGrowthShareOfLimit,
    minGrowthShareOfFloor: o.minGrowthShareOfFloor ?? d.minGrowthShareOfFloor,
    recentShare: o.recentShare ?? d.recentShare,
    persistenceRatio: o.persistenceRatio ?? d.persistenceRatio,
    stepSpanShare: o.stepSpanShare ?? d.stepSpanShare,
    maxStepShare: o.maxStepShare ?? d.maxStepShare,
    steadyRatio: o.steadyRatio ?? d.steadyRatio,
  };
}

function ensureScratch(n: number): void {
  const pairs = (n * (n - 1)) / 2;
  if (pairScratch.length < pairs) pairScratch = new Float64Array(pairs);
  if (valueScratch.length < n) valueScratch = new Float64Array(n);
  if (rankScratch.length < 3 * n) rankScratch = new Float64Array(3 * n);
}
