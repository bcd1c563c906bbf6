import { describe, expect, it } from 'vitest';
import { histogramQuantile, parseLe } from '../../../src/sources/scrape/histogram-quantile.js';

const inf = Number.POSITIVE_INFINITY;
const b = (upperBound: number, count: number) => ({ upperBound, count });

describe('histogramQuantile (Prometheus histogram_quantile rules)', () => {
  it('interpolates linearly inside the bucket holding the rank', () => {
    // 100 observations: 50 <= 0.01, 40 in (0.01, 0.05], 10 in (0.05, 0.1].
    // q=0.95: rank 95, in the third bucket: 0.05 + 0.05 * (95-90)/10 = 0.075.
    const buckets = [b(0.01, 50), b(0.05, 90), b(0.1, 100), b(inf, 100)];
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.075, 12);
    // q=0.5: rank 50 reaches the first bucket exactly: 0 + 0.01 * 50/50 = 0.01.
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01, 12);
    // q=0.7: rank 70 in the second: 0.01 + 0.04 * (70-50)/40 = 0.03.
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.03, 12);
  });

  it('treats the lowest bucket as starting at 0 when its bound is positive', () => {
    // 10 observations, rank 0.25*10 = 2.5, in the first bucket (0, 0.2] holding 8: 0.2 * 2.5/8 = 0.0625.
    expect(histogramQuantile(0.25, [b(0.2, 8), b(1, 10), b(inf, 10)])).toBeCloseTo(0.0625, 12);
  });

  it('returns the lowest upper bound when it is <= 0', () => {
    expect(histogramQuantile(0.1, [b(-1, 5), b(0, 8), b(inf, 10)])).toBe(-1);
  });

  it('returns the highest finite bound when the rank falls in +Inf', () => {
    // 10 of 100 above 0.1: q=0.95 -> rank 95 > 90.
    expect(histogramQuantile(0.95, [b(0.05, 50), b(0.1, 90), b(inf, 100)])).toBe(0.1);
  });

  it('needs the +Inf bucket, two buckets and observations', () => {
    expect(histogramQuantile(0.5, [b(0.1, 5), b(1, 10)])).toBeNaN();
    expect(histogramQuantile(0.5, [b(inf, 10)])).toBeNaN();
    expect(histogramQuantile(0.5, [b(0.1, 0), b(inf, 0)])).toBeNaN();
    expect(histogramQuantile(0.5, [])).toBeNaN();
  });

  it('handles q outside [0, 1] and NaN as Prometheus does', () => {
    const buckets = [b(0.1, 5), b(inf, 10)];
    expect(histogramQuantile(-0.1, buckets)).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(1.1, buckets)).toBe(inf);
    expect(histogramQuantile(Number.NaN, buckets)).toBeNaN();
  });

  it('sorts, merges equal bounds and forces counts to be monotonic', () => {
    // Unsorted; two series for le=0.1 summed (3+3=6); le=0.5 dipping below 0.1 is raised to 6.
    const buckets = [b(inf, 10), b(0.5, 5), b(0.1, 3), b(0.1, 3), b(1, 10)];
    // total 10, q=0.5 -> rank 5: first bucket (0,0.1] holds 6 -> 0.1 * 5/6.
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1 * (5 / 6), 12);
    // q=0.7 -> rank 7: 0.5 bucket (count 6, raised) is below; 1 bucket: 0.5 + 0.5 * (7-6)/4 = 0.625.
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.625, 12);
  });

  it('parses le values', () => {
    expect(parseLe('+Inf')).toBe(inf);
    expect(parseLe('0.005')).toBe(0.005);
    expect(parseLe('5e-3')).toBe(0.005);
    expect(parseLe('x')).toBeNaN();
    expect(parseLe(undefined)).toBeNaN();
  });
});
