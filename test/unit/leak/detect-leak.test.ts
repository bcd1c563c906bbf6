import { describe, expect, it } from 'vitest';
import { DEFAULT_LEAK_THRESHOLDS, detectLeak } from '../../../src/leak/detect-leak.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const GiB = 2 ** 30;
const START = Date.UTC(2026, 0, 1);

/** A series sampled every minute for `hours`, value = f(hours since start). */
function series(hours: number, f: (h: number, i: number) => number): { t: Float64Array; v: Float64Array } {
  const n = Math.round((hours * HOUR) / MIN);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = START + i * MIN;
    v[i] = f((i * MIN) / HOUR, i);
  }
  return { t, v };
}

const opts = (now: number, limitBytes: number | null = GiB) => ({ windowMs: 24 * HOUR, now, limitBytes });
/** A deterministic sawtooth in [0, 1) with a 10-minute period. */
const saw = (i: number) => (i % 10) / 10;

describe('detectLeak', () => {
  it('reports every field for a linear leak of 1 % of the limit per hour under a sawtooth', () => {
    const rate = 0.01 * GiB;
    const { t, v } = series(24, (h, i) => 0.2 * GiB + rate * h + 0.1 * GiB * saw(i));
    const now = t[t.length - 1]!;
    const r = detectLeak(t, v, opts(now));
    expect(r.verdict).toBe('leak');
    expect(r.growthBytesPerHour!).toBeCloseTo(rate, -4); // within ~10 kB/h of 10.7 MB/h
    expect(r.growthShareOfLimit!).toBeCloseTo(0.24, 3);
    expect(r.confidence).toBeGreaterThan(0.9999);
    // Floor at 24 h ~ 0.2 + 0.24 = 0.44 GiB, peaks 0.09 GiB above: (1 - 0.53) / 0.01 = 47 h.
    expect(r.exhaustionEtaSeconds! / 3600).toBeGreaterThan(45);
    expect(r.exhaustionEtaSeconds! / 3600).toBeLessThan(49);
    expect(r.points).toBe(t.length);
    expect(r.spanMs).toBe(now - t[0]!);
    expect(r.checks).toEqual({ significant: true, material: true, persistent: true, partial: false, steady: true });
  });

  it('flat sawtooth: ok, no ETA worth the name', () => {
    const { t, v } = series(24, (_h, i) => 0.3 * GiB + 0.3 * GiB * saw(i));
    const r = detectLeak(t, v, opts(t[t.length - 1]!));
    expect(r.verdict).toBe('ok');
    expect(Math.abs(r.growthBytesPerHour!)).toBeLessThan(1e-6 * GiB);
    expect(r.exhaustionEtaSeconds).toBeNull();
  });

  it('insufficient_data: empty, too short a span, too few buckets', () => {
    const empty = detectLeak(new Float64Array(0), new Float64Array(0), opts(START));
    expect(empty).toMatchObject({
      verdict: 'insufficient_data',
      growthBytesPerHour: null,
      growthShareOfLimit: null,
      exhaustionEtaSeconds: null,
      points: 0,
      spanMs: 0,
    });
    const short = series(5, (h) => GiB * (0.1 + 0.05 * h)); // 5 h < 25 % of 24 h
    expect(detectLeak(short.t, short.v, opts(short.t[short.t.length - 1]!)).verdict).toBe('insufficient_data');
    // 24 h span but only a handful of samples: too few buckets hold data.
    const sparse = {
      t: Float64Array.from([0, 6, 12, 18, 24].map((h) => START + h * HOUR)),
      v: Float64Array.from([1, 2, 3, 4, 5].map((x) => x * 1e8)),
    };
    expect(detectLeak(sparse.t, sparse.v, opts(START + 24 * HOUR)).verdict).toBe('insufficient_data');
  });

  it('partial data (8 h of a 24 h window): a steady leak is called; a warm-up still slowing down is not, even near the limit', () => {
    const slow = series(8, (h, i) => GiB * (0.2 + 0.01 * h + 0.05 * saw(i)));
    const rs = detectLeak(slow.t, slow.v, opts(slow.t[slow.t.length - 1]!));
    expect(rs.checks?.partial).toBe(true);
    expect(rs.checks?.steady).toBe(true);
    expect(rs.verdict).toBe('leak');
    const fast = series(8, (h, i) => GiB * (0.2 + 0.06 * h + 0.05 * saw(i)));
    const rf = detectLeak(fast.t, fast.v, opts(fast.t[fast.t.length - 1]!));
    expect(rf.verdict).toBe('leak');
    expect(rf.exhaustionEtaSeconds! * 1000).toBeLessThan(24 * HOUR);
    // A cache filling towards 90 % of the limit with a 3 h time constant: steep, material, but slowing down.
    const warm = series(8, (h, i) => GiB * (0.2 + 0.7 * (1 - Math.exp(-h / 3)) + 0.02 * saw(i)));
    const rw = detectLeak(warm.t, warm.v, opts(warm.t[warm.t.length - 1]!));
    expect(rw.checks?.steady).toBe(false);
    expect(rw.verdict).toBe('suspected');
  });

  it('ignores points after now and outside the window, and non-finite values', () => {
    const { t, v } = series(48, (h, i) => (h < 24 ? GiB * (0.3 + 0.05 * saw(i)) : GiB * (0.3 + 0.03 * (h - 24))));
    v[100] = Number.NaN;
    const flatDay = detectLeak(t, v, opts(START + 24 * HOUR));
    expect(flatDay.verdict).toBe('ok');
    expect(flatDay.points).toBe(24 * 60 - 1); // (start, start + 24 h] holds 1440 samples, one NaN
    const leakingDay = detectLeak(t, v, opts(t[t.length - 1]!));
    expect(leakingDay.verdict).toBe('leak');
  });

  it('without a limit, materiality is a share of the starting floor', () => {
    // +0.2 %/h of a 1 GiB floor: 4.8 % over 24 h < 10 % default; 0.6 %/h: 14 % >= 10 %.
    const small = series(24, (h, i) => GiB * (1 + 0.002 * h + 0.05 * saw(i)));
    const r1 = detectLeak(small.t, small.v, opts(small.t[small.t.length - 1]!, null));
    expect(r1.growthShareOfLimit).toBeNull();
    expect(r1.exhaustionEtaSeconds).toBeNull();
    expect(r1.checks?.material).toBe(false);
    expect(r1.verdict).toBe('suspected'); // significant but not material
    const large = series(24, (h, i) => GiB * (1 + 0.006 * h + 0.05 * saw(i)));
    expect(detectLeak(large.t, large.v, opts(large.t[large.t.length - 1]!, null)).verdict).toBe('leak');
  });

  it('named thresholds override the defaults', () => {
    const { t, v } = series(24, (h, i) => GiB * (0.2 + 0.001 * h + 0.05 * saw(i))); // 2.4 % over 24 h
    const now = t[t.length - 1]!;
    expect(detectLeak(t, v, opts(now)).verdict).toBe('suspected');
    expect(detectLeak(t, v, { ...opts(now), minGrowthShareOfLimit: 0.02 }).verdict).toBe('leak');
    expect(DEFAULT_LEAK_THRESHOLDS.minGrowthShareOfLimit).toBe(0.05);
  });

  it('a step then flat is not a leak; a leak after a step still is', () => {
    const step = series(24, (h, i) => GiB * (0.2 + (h > 12 ? 0.3 : 0) + 0.05 * saw(i)));
    const rs = detectLeak(step.t, step.v, opts(step.t[step.t.length - 1]!));
    expect(rs.verdict).not.toBe('leak');
    const stepThenLeak = series(24, (h, i) => GiB * (0.2 + (h > 2 ? 0.3 : 0) + 0.01 * h + 0.05 * saw(i)));
    expect(detectLeak(stepThenLeak.t, stepThenLeak.v, opts(stepThenLeak.t[stepThenLeak.t.length - 1]!)).verdict).toBe('leak');
  });

  it('a leak that stopped (flat for the last 12 h) is not a leak', () => {
    const { t, v } = series(24, (h, i) => GiB * (0.2 + 0.02 * Math.min(h, 12) + 0.05 * saw(i)));
    const r = detectLeak(t, v, opts(t[t.length - 1]!));
    expect(r.verdict).toBe('suspected');
    expect(r.checks?.persistent).toBe(false);
  });

  it('is deterministic across calls (shared scratch buffers do not leak state)', () => {
    const a = series(24, (h, i) => GiB * (0.2 + 0.01 * h + 0.1 * saw(i)));
    const b = series(30, (_h, i) => GiB * (0.4 + 0.2 * saw(i)));
    const first = detectLeak(a.t, a.v, opts(a.t[a.t.length - 1]!));
    detectLeak(b.t, b.v, { ...opts(b.t[b.t.length - 1]!), bucketCount: 96 });
    expect(detectLeak(a.t, a.v, opts(a.t[a.t.length - 1]!))).toEqual(first);
  });
});
