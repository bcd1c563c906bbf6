/**
 * O(n) reduction of a raw memory series to per-bucket floors. The window (now - windowMs, now] is
 * cut into equal buckets aligned on `now`; each bucket keeps its minimum (the post-GC floor, which a
 * leak raises and a sawtooth does not), the time of that minimum, its maximum and its point count.
 * Buckets holding far fewer points than is typical (the window's ragged edges, a sampling gap) are
 * dropped: a minimum over a few points of a sawtooth is not a floor.
 */
export interface BucketFloors {
  /** Usable buckets, in time order, in `time/floor/peak[0..count)`. */
  count: number;
  /** Unix ms of each bucket's minimum. */
  time: Float64Array;
  floor: Float64Array;
  peak: Float64Array;
  /** Unix ms where each bucket begins, and how many raw points it holds. */
  start: Float64Array;
  pointCount: Int32Array;
  /** Raw points inside the window, the first and last point's time and the span between them. */
  points: number;
  firstT: number;
  lastT: number;
  spanMs: number;
}

/** Buckets with fewer points than this share of the median bucket's count are not floors. */
const SPARSE_BUCKET_SHARE = 0.5;

export class BucketFloorReducer {
  private size = 0;
  private count = new Int32Array(0);
  private time = new Float64Array(0);
  private floor = new Float64Array(0);
  private peak = new Float64Array(0);
  private start = new Float64Array(0);
  private pointCount = new Int32Array(0);
  private sortScratch = new Float64Array(0);

  /** `t` must be ascending (the store keeps series in time order). Non-finite values are skipped. */
  reduce(t: Float64Array, v: Float64Array, now: number, windowMs: number, bucketCount: number): BucketFloors {
    this.ensure(bucketCount);
    const start = now - windowMs;
    const width = windowMs / bucketCount;
    const { count, time, floor, peak } = this;
    count.fill(0, 0, bucketCount);
    let points = 0;
    let firstT = Number.NaN;
    let lastT = Number.NaN;
    // Walk bucket by bucket over the sorted times: one comparison per point, no division.
    let i = firstAfter(t, start);
    for (let b = 0; b < bucketCount && i < t.length; b++) {
      const end = b === bucketCount - 1 ? now : start + (b + 1) * width;
      let c = 0;
      let lo = Infinity;
      let hi = -Infinity;
      let loT = 0;
      // The last bucket closes at `now` inclusive; the others are half-open [start, end).
      for (; i < t.length; i++) {
        const ti = t[i]!;
        if (ti >= end && (ti > now || b < bucketCount - 1)) break;
        const vi = v[i]!;
        if (!(vi - vi === 0)) continue; // NaN or infinite
        if (points === 0) firstT = ti;
        lastT = ti;
        points++;
        c++;
        if (vi < lo) {
          lo = vi;
          loT = ti;
        }
        if (vi > hi) hi = vi;
      }
      count[b] = c;
      floor[b] = lo;
      peak[b] = hi;
      time[b] = loT;
    }
    let nonEmpty = 0;
    for (let b = 0; b < bucketCount; b++) if (count[b]! > 0) this.sortScratch[nonEmpty++] = count[b]!;
    const typical = nonEmpty > 0 ? this.sortScratch.subarray(0, nonEmpty).sort()[nonEmpty >> 1]! : 0;
    let kept = 0;
    for (let b = 0; b < bucketCount; b++) {
      const c = count[b]!;
      if (c === 0 || c < SPARSE_BUCKET_SHARE * typical) continue;
      time[kept] = time[b]!;
      floor[kept] = floor[b]!;
      peak[kept] = peak[b]!;
      this.start[kept] = start + b * width;
      this.pointCount[kept] = c;
      kept++;
    }
    return {
      count: kept,
      time,
      floor,
      peak,
      start: this.start,
      pointCount: this.pointCount,
      points,
      firstT,
      lastT,
      spanMs: points > 1 ? lastT - firstT : 0,
    };
  }

  private ensure(bucketCount: number): void {
    if (this.size >= bucketCount) return;
    this.size = bucketCount;
    this.count = new Int32Array(bucketCount);
    this.time = new Float64Array(bucketCount);
    this.floor = new Float64Array(bucketCount);
    this.peak = new Float64Array(bucketCount);
    this.start = new Float64Array(bucketCount);
    this.pointCount = new Int32Array(bucketCount);
    this.sortScratch = new Float64Array(bucketCount);
  }
}

/** Index of the first element of ascending `t` strictly greater than `x` (binary search). */
function firstAfter(t: Float64Array, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
