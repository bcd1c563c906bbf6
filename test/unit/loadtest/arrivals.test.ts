import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivalOffsets, WeightedPicker } from '../../../src/loadtest/arrivals.js';
import type { Slice } from '../../../src/loadtest/rate-curve.js';

const constant = (rate: number, durationMs: number): Slice[] => [{ phase: 'c', startMs: 0, durationMs, rate }];

describe('arrivalOffsets', () => {
  it('spaces uniform arrivals 1/rate apart, half a gap into the run', () => {
    expect([...arrivalOffsets(constant(10, 1000), 'uniform')]).toEqual(
      [50, 150, 250, 350, 450, 550, 650, 750, 850, 950].map((v) => expect.closeTo(v, 9)),
    );
  });

  it('follows a rate change between slices without a gap or a burst', () => {
    const slices: Slice[] = [
      { phase: 'a', startMs: 0, durationMs: 1000, rate: 2 },
      { phase: 'b', startMs: 1000, durationMs: 1000, rate: 4 },
    ];
    expect([...arrivalOffsets(slices, 'uniform')]).toEqual([250, 750, 1125, 1375, 1625, 1875].map((v) => expect.closeTo(v, 9)));
  });

  it("sends the curve's integral: uniform exactly (to rounding), Poisson within a few standard deviations", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ rate: fc.integer({ min: 0, max: 500 }), durationMs: fc.integer({ min: 100, max: 5000 }) }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (parts, seed) => {
          let start = 0;
          const slices = parts.map((p, i) => {
            const s = { phase: `p${i}`, startMs: start, durationMs: p.durationMs, rate: p.rate };
            start += p.durationMs;
            return s;
          });
          const expected = slices.reduce((n, s) => n + (s.rate * s.durationMs) / 1000, 0);
          const uniform = [...arrivalOffsets(slices, 'uniform')];
          expect(Math.abs(uniform.length - expected)).toBeLessThanOrEqual(1);
          const poisson = [...arrivalOffsets(slices, 'poisson', seed)];
          expect(Math.abs(poisson.length - expected)).toBeLessThanOrEqual(6 * Math.sqrt(expected) + 2);
          for (const times of [uniform, poisson]) {
            const ordered = times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0));
            const inRun = times.every((t) => t >= 0 && t <= start);
            expect(ordered && inRun).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives Poisson gaps with the mean 1/rate and a coefficient of variation near 1; the same seed, the same schedule', () => {
    const times = [...arrivalOffsets(constant(1000, 60_000), 'poisson', 7)];
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
    expect([...arrivalOffsets(constant(50, 2000), 'poisson', 3)]).toEqual([...arrivalOffsets(constant(50, 2000), 'poisson', 3)]);
  });
});

describe('WeightedPicker', () => {
  it('keeps every kind within one pick of its exact share, at every point of the run', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 500 }),
        (weights, n) => {
          const picker = new WeightedPicker(weights.map((weight, id) => ({ weight, id })));
          const total = weights.reduce((a, b) => a + b, 0);
          const counts = weights.map(() => 0);
          let worst = 0;
          for (let i = 1; i <= n; i++) {
            const { id } = picker.next();
            counts[id] = (counts[id] ?? 0) + 1;
            weights.forEach((w, k) => (worst = Math.max(worst, Math.abs((counts[k] ?? 0) - (i * w) / total))));
          }
          expect(worst).toBeLessThan(weights.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses no items or weights without a positive sum', () => {
    expect(() => new WeightedPicker([])).toThrow(RangeError);
    expect(() => new WeightedPicker([{ weight: 0 }])).toThrow(RangeError);
  });
});
