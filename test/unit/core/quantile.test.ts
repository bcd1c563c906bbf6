import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileOverTime } from '../../../src/core/quantile.js';

describe('quantileOverTime (Prometheus quantile_over_time definition)', () => {
  it('interpolates between the neighbours of rank q·(n−1)', () => {
    expect(quantileOverTime(0.5, [4, 1, 3, 2])).toBe(2.5);
    // 21 samples: rank 0.95·20 = 19, exactly the 20th smallest.
    expect(
      quantileOverTime(
        0.95,
        Array.from({ length: 21 }, (_, i) => i),
      ),
    ).toBe(19);
    // 10 samples: rank 8.55, between 8 and 9.
    expect(quantileOverTime(0.95, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])).toBeCloseTo(8.55, 12);
    expect(quantileOverTime(0.95, [0.25])).toBe(0.25);
    expect(quantileOverTime(0.95, [])).toBeNull();
  });

  it('lies within the samples, grows with q, and ignores their order', () => {
    const samples = fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(samples, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const qLo = quantileOverTime(lo, xs)!;
        const qHi = quantileOverTime(hi, xs)!;
        expect(qLo).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-9);
        expect(qHi).toBeLessThanOrEqual(Math.max(...xs) + 1e-9);
        expect(qHi).toBeGreaterThanOrEqual(qLo - 1e-9);
        expect(quantileOverTime(hi, [...xs].reverse())).toBe(qHi);
      }),
    );
  });
});
