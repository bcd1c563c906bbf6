/**
 * The baseline the detector is compared with: an ordinary least-squares slope over the raw points
 * of the window, as PromQL's `deriv()` and `predict_linear()` compute it. A leak is called when the
 * slope is positive and either the line reaches the limit within one more window
 * (`predict_linear(mem[24h], 24h) > limit`) or the slope x window reaches the same materiality
 * threshold the detector uses. It gets the same minimum-coverage rule as the detector, so the two
 * start judging at the same time.
 */
export interface LeastSquaresOptions {
  windowMs: number;
  now: number;
  limitBytes: number;
  minGrowthShareOfLimit: number;
  minCoverage: number;
}

export function leastSquaresSlope(t: Float64Array, v: Float64Array, from: number, to: number): { slope: number; intercept: number } {
  const n = to - from;
  // Centre x on the first point: unix ms squared would lose precision.
  const x0 = t[from]!;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < to; i++) {
    const x = t[i]! - x0;
    const y = v[i]!;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const den = n * sxx - sx * sx;
  const slope = den === 0 ? 0 : (n * sxy - sx * sy) / den;
  return { slope, intercept: (sy - slope * sx) / n - slope * x0 };
}

export function leastSquaresLeak(t: Float64Array, v: Float64Array, o: LeastSquaresOptions): boolean {
  const start = o.now - o.windowMs;
  let from = 0;
  while (from < t.length && t[from]! <= start) from++;
  let to = from;
  while (to < t.length && t[to]! <= o.now) to++;
  if (to - from < 2 || t[to - 1]! - t[from]! < o.minCoverage * o.windowMs) return false;
  const { slope, intercept } = leastSquaresSlope(t, v, from, to);
  if (!(slope > 0)) return false;
  const predicted = intercept + slope * (o.now + o.windowMs);
  return predicted > o.limitBytes || slope * o.windowMs >= o.minGrowthShareOfLimit * o.limitBytes;
}
