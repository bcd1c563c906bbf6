import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bootstrapHistograms,
  bootstrapValues,
  momentChange,
  proportionChange,
  quantileSorted,
  rateChange,
  wilson,
  zFor,
} from '../../../src/compare/intervals.js';
import { seededRandom } from '../../../src/compare/random.js';

const boot = (seed: number, replicates = 400) => ({ random: seededRandom(seed), replicates, confidence: 0.95 });

describe('normal quantile', () => {
  it('gives the textbook two-sided values', () => {
    expect(zFor(0.95)).toBeCloseTo(1.959964, 5);
    expect(zFor(0.99)).toBeCloseTo(2.575829, 5);
    expect(zFor(0.9)).toBeCloseTo(1.644854, 5);
  });
});

describe('quantileSorted (type 7)', () => {
  it('interpolates between order statistics like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48, 10);
    expect(Number.isNaN(quantileSorted([], 0.5))).toBe(true);
  });
});

describe('Wilson interval', () => {
  it('matches a published example (Newcombe 1998: 81 of 263 → 0.2553 to 0.3662)', () => {
    const [low, high] = wilson(81, 263, zFor(0.95));
    expect(low).toBeCloseTo(0.2553, 3);
    expect(high).toBeCloseTo(0.3662, 3);
  });

  it('stays inside [0, 1] and holds the observed share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const k = Math.round(share * n);
        const [low, high] = wilson(k, n, 1.96);
        return low >= 0 && high <= 1 && low <= k / n + 1e-12 && high >= k / n - 1e-12;
      }),
    );
  });
});

describe('Newcombe difference of proportions', () => {
  it('matches Newcombe 1998 example (56/70 vs 48/80: 0.0524 to 0.3339)', () => {
    // p1 − p2 there; ours is after − before, so after = 56/70 and before = 48/80.
    const c = proportionChange({ successes: 48, trials: 80 }, { successes: 56, trials: 70 }, 0.95)!;
    expect(c.low).toBeCloseTo(0.0524, 3);
    expect(c.high).toBeCloseTo(0.3339, 3);
  });

  it('always contains the observed difference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n1, n2, s1, s2) => {
          const c = proportionChange({ successes: Math.round(s1 * n1), trials: n1 }, { successes: Math.round(s2 * n2), trials: n2 }, 0.95)!;
          const d = c.after - c.before;
          return c.low <= d + 1e-12 && c.high >= d - 1e-12 && c.low >= -1 && c.high <= 1;
        },
      ),
    );
  });
});

describe('rate change', () => {
  it('brackets the difference of two rates and excludes 0 for a clear change', () => {
    const same = rateChange({ events: 1000, seconds: 10 }, { events: 1000, seconds: 10 }, 0.95)!;
    expect(same.low).toBeLessThan(0);
    expect(same.high).toBeGreaterThan(0);
    const up = rateChange({ events: 1000, seconds: 10 }, { events: 1500, seconds: 10 }, 0.95)!;
    expect(up.after - up.before).toBeCloseTo(50, 10);
    expect(up.low).toBeGreaterThan(0);
    expect(up.high).toBeGreaterThan(50);
  });
});

describe('moment change (pg_stat_statements)', () => {
  it('uses the standard error of the mean', () => {
    const c = momentChange({ calls: 100, mean: 0.01, stddev: 0.002 }, { calls: 100, mean: 0.01, stddev: 0.002 }, 0, 0.95)!;
    const se = Math.sqrt(2 * (0.002 ** 2 / 100));
    expect(c.high).toBeCloseTo(1.959964 * se, 6);
    expect(c.low).toBeCloseTo(-1.959964 * se, 6);
  });
});

describe('bootstrap', () => {
  it('is reproducible from its seed', () => {
    const r = seededRandom(3);
    const a = Array.from({ length: 300 }, () => r.uniform());
    const b = Array.from({ length: 300 }, () => r.uniform());
    const first = bootstrapValues(a, b, { type: 'quantile', q: 0.95 }, boot(9));
    const second = bootstrapValues(a, b, { type: 'quantile', q: 0.95 }, boot(9));
    expect(first).toEqual(second);
    const other = bootstrapValues(a, b, { type: 'quantile', q: 0.95 }, boot(10));
    expect(other).not.toEqual(first);
  });

  it('gives a zero-width interval for constant data and a positive one for a shifted sample', () => {
    const flat = bootstrapValues([5, 5, 5], [5, 5, 5], { type: 'mean' }, boot(1))!;
    expect([flat.low, flat.high]).toEqual([0, 0]);
    const r = seededRandom(4);
    const a = Array.from({ length: 500 }, () => r.normal());
    const b = a.map((x) => x + 1);
    const shifted = bootstrapValues(a, b, { type: 'quantile', q: 0.5 }, boot(2))!;
    expect(shifted.after - shifted.before).toBeCloseTo(1, 10);
    expect(shifted.low).toBeGreaterThan(0.5);
    expect(shifted.high).toBeLessThan(1.5);
  });

  it('resamples histograms: a doubled latency shows up as a positive interval', () => {
    const before = [0.01, 0.02, 0.05, 0.1, Infinity].map((upperBound, i) => ({ upperBound, count: [100, 500, 900, 990, 1000][i]! }));
    const after = [0.01, 0.02, 0.05, 0.1, Infinity].map((upperBound, i) => ({ upperBound, count: [10, 100, 500, 900, 1000][i]! }));
    const c = bootstrapHistograms(before, after, 0.95, boot(5))!;
    expect(c.after).toBeGreaterThan(c.before);
    expect(c.low).toBeGreaterThan(0);
    expect(
      bootstrapHistograms(
        before,
        [
          { upperBound: Infinity, count: 0 },
          { upperBound: 0.1, count: 0 },
        ],
        0.95,
        boot(5),
      ),
    ).toBeNull();
  });
});
