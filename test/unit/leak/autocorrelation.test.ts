import { describe, expect, it } from 'vitest';
import { detectLeak } from '../../../src/leak/detect-leak.js';
import { autocorrelationVarianceFactor } from '../../../src/leak/mann-kendall.js';

/** Deterministic uniform numbers in [0, 1) (a linear congruential generator): the tests do not flake. */
function uniform(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const MIB = 1_048_576;
const times = (n: number) => Float64Array.from({ length: n }, (_, i) => i * 1000);

describe('autocorrelationVarianceFactor (Hamed & Rao)', () => {
  it('is 1 for independent residuals and well above 1 for a slow wander', () => {
    const next = uniform(7);
    const n = 48;
    const t = times(n);
    const independent = Float64Array.from({ length: n }, () => next());
    expect(autocorrelationVarianceFactor(t, independent, 0, n, 0, new Float64Array(3 * n))).toBeLessThan(1.5);
    let level = 0;
    const wander = Float64Array.from({ length: n }, () => (level += next() - 0.5));
    expect(autocorrelationVarianceFactor(t, wander, 0, n, 0, new Float64Array(3 * n))).toBeGreaterThan(2);
  });

  it('is 1 for residuals all tied (a perfectly steady trend) and for too few points', () => {
    const steady = Float64Array.from({ length: 20 }, (_, i) => 1000 + 3 * i * 1000);
    expect(autocorrelationVarianceFactor(times(20), steady, 0, 20, 3, new Float64Array(60))).toBe(1);
    expect(autocorrelationVarianceFactor(times(3), Float64Array.of(1, 2, 3), 0, 3, 0, new Float64Array(9))).toBe(1);
  });
});

describe('detectLeak on a 10-minute window read every second', () => {
  it('a steady leak of 1 MiB/min under page noise is still a leak with the correction, at its rate', () => {
    const next = uniform(11);
    const n = 600;
    const leak = Float64Array.from({ length: n }, (_, i) => 72 * MIB + (i / 60) * MIB + Math.round(next() * 64) * 4096);
    const leaking = detectLeak(times(n), leak, { windowMs: 600_000, limitBytes: 128 * MIB, now: n * 1000 });
    expect(leaking.verdict).toBe('leak');
    expect((leaking.growthBytesPerHour ?? 0) / 60 / MIB).toBeCloseTo(1, 1);
    expect(leaking.confidence).toBeGreaterThan(0.999);
  });
});
