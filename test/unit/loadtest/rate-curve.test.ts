import { describe, expect, it } from 'vitest';
import {
  expectedRequests,
  type Phase,
  phaseRateAt,
  phaseRequests,
  rateAt,
  slices,
  totalDurationMs,
} from '../../../src/loadtest/rate-curve.js';

const phases: Phase[] = [
  { name: 'ramp', durationMs: 60_000, shape: { kind: 'ramp', from: 0, to: 100 } },
  { name: 'wave', durationMs: 120_000, shape: { kind: 'wave', min: 100, max: 300, periodMs: 120_000 } },
  { name: 'burst', durationMs: 60_000, shape: { kind: 'burst', base: 50, peak: 500, everyMs: 20_000, lengthMs: 5_000 } },
  { name: 'flat', durationMs: 30_000, shape: { kind: 'constant', rate: 200 } },
];

describe('rate curves', () => {
  it('gives the rate at a moment of each shape', () => {
    expect(rateAt(phases, 0)).toBe(0);
    expect(rateAt(phases, 30_000)).toBe(50); // half-way up the ramp
    expect(rateAt(phases, 60_000)).toBe(100); // wave starts at its minimum
    expect(rateAt(phases, 60_000 + 60_000)).toBeCloseTo(300, 9); // wave peaks mid-period
    expect(rateAt(phases, 60_000 + 30_000)).toBeCloseTo(200, 9); // a quarter period: the middle
    expect(rateAt(phases, 180_000 + 2_000)).toBe(500); // inside a burst
    expect(rateAt(phases, 180_000 + 7_000)).toBe(50); // between bursts
    expect(rateAt(phases, 180_000 + 21_000)).toBe(500); // next burst
    expect(rateAt(phases, 250_000)).toBe(200);
    expect(rateAt(phases, 270_000)).toBe(0); // after the end
    expect(totalDurationMs(phases)).toBe(270_000);
  });

  it('integrates each shape exactly (hand-computed request counts)', () => {
    // ramp 0 -> 100 over 60 s: mean 50 req/s -> 3000.
    expect(phaseRequests(phases[0]!.shape, 0, 60_000, 60_000)).toBeCloseTo(3000, 9);
    // wave over one whole period: the mean (200) x 120 s = 24 000.
    expect(phaseRequests(phases[1]!.shape, 0, 120_000, 120_000)).toBeCloseTo(24_000, 6);
    // burst: 3 periods x (5 s x 500 + 15 s x 50) = 3 x 3250 = 9750.
    expect(phaseRequests(phases[2]!.shape, 0, 60_000, 60_000)).toBeCloseTo(9750, 9);
    expect(phaseRequests(phases[3]!.shape, 0, 30_000, 30_000)).toBe(6000);
    expect(expectedRequests(phases)).toBeCloseTo(3000 + 24_000 + 9750 + 6000, 6);
    // First half of a wave period: mean 200 too (symmetric), 60 s -> 12 000.
    expect(phaseRequests(phases[1]!.shape, 0, 60_000, 120_000)).toBeCloseTo(12_000, 6);
    // First quarter: ∫ 200 - 100 cos: 200*30 - (100/(2π/120))*sin(π/2) = 6000 - 1909.86.
    expect(phaseRequests(phases[1]!.shape, 0, 30_000, 120_000)).toBeCloseTo(6000 - 6000 / Math.PI, 6);
  });

  it('cuts slices that keep the total, never straddle phases, and cut at burst edges', () => {
    const cut = slices(phases, 10_000);
    const total = cut.reduce((sum, s) => sum + (s.rate * s.durationMs) / 1000, 0);
    expect(total).toBeCloseTo(expectedRequests(phases), 6);
    expect(cut[0]).toEqual({ phase: 'ramp', startMs: 0, durationMs: 10_000, rate: expect.closeTo(100 / 12, 9) });
    // Slices are contiguous and cover the run.
    let t = 0;
    for (const s of cut) {
      expect(s.startMs).toBe(t);
      t += s.durationMs;
    }
    expect(t).toBe(270_000);
    // Burst phase: 0-5 s at 500, 5-10 s at 50, 10-20 s at 50, 20-25 s at 500 ...
    const burst = cut.filter((s) => s.phase === 'burst').slice(0, 4);
    expect(burst.map((s) => [s.startMs - 180_000, s.durationMs, s.rate])).toEqual([
      [0, 5000, 500],
      [5000, 5000, 50],
      [10_000, 10_000, 50],
      [20_000, 5000, 500],
    ]);
    expect(() => slices(phases, 0)).toThrow(RangeError);
  });

  it('ramps down as well as up and handles a zero-length ramp', () => {
    expect(phaseRateAt({ kind: 'ramp', from: 400, to: 50 }, 30_000, 60_000)).toBe(225);
    expect(phaseRateAt({ kind: 'ramp', from: 400, to: 50 }, 0, 0)).toBe(50);
  });
});
