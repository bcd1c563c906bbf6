import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentiles } from '../../../src/loadtest/latency-recorder.js';
import { histogramPercentile, LATENCY_BUCKETS, MAX_POINTS, Timeline } from '../../../src/loadtest/timeline.js';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0); // on a whole second

describe('the per-second timeline', () => {
  it('reads percentiles from its histogram within ±2.1 % of the exact ones', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.05, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 400 }), (latencies) => {
        const t = new Timeline();
        for (const v of latencies) t.answered(T0 + 10, v, 200);
        const s = t.series(T0, true);
        const [p50, p95, p99] = percentiles(latencies, [0.5, 0.95, 0.99]);
        for (const [got, exact] of [
          [s.p50_ms[0], p50],
          [s.p95_ms[0], p95],
          [s.p99_ms[0], p99],
        ] as const) {
          expect(Math.abs(got! - exact!) / exact!).toBeLessThanOrEqual(0.021);
        }
      }),
    );
  });

  it('counts asks when due, answers and errors when they came, per second from the start; empty seconds are zeros', () => {
    const t = new Timeline();
    for (let i = 0; i < 10; i++) t.asked(T0 + i * 100); // 10 in second 0
    for (let i = 0; i < 4; i++) t.answered(T0 + 1000 + i * 200, 5, 200);
    t.answered(T0 + 1900, 7, 503);
    t.failed(T0 + 3999);
    const s = t.series(T0, true);
    expect(s.at_seconds).toEqual([0, 1, 2, 3]);
    // The last event cuts the last second at 3.999 s: its rate is per second of what the run covered.
    expect(s.asked_per_second).toEqual([10, 0, 0, 0]);
    expect(s.answered_per_second).toEqual([0, 5, 0, 0]);
    expect(s.errors_per_second).toEqual([0, 1, 0, 1.001]); // 1 in the 0.999 s covered
    expect(s.p50_ms[0]).toBeNull();
    expect(s.p99_ms[1]).toBeCloseTo(7, 0);
    expect(s.p50_ms[2]).toBeNull();
  });

  it("takes a cut edge second's rate over the part the run covered", () => {
    const t = new Timeline();
    for (let i = 0; i < 50; i++) t.asked(T0 + 500 + i * 10); // 50 requests in the second half of second 0
    for (let i = 0; i < 100; i++) t.asked(T0 + 1000 + i * 10);
    const s = t.series(T0, true);
    expect(s.asked_per_second![0]).toBe(100); // 50 in the 0.5 s from the first ask
    expect(s.asked_per_second![1]).toBeCloseTo(100 / 0.99, 1); // cut at the last ask, 1.99 s
  });

  it('senders in other threads and consecutive parts add up by time (as one sender would have counted)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.double({ min: 0.1, max: 5000, noNaN: true }), fc.boolean()), {
          maxLength: 300,
        }),
        (events) => {
          const one = new Timeline();
          const parts = [new Timeline(), new Timeline(), new Timeline()];
          events.forEach(([at, ms, ok], i) => {
            for (const t of [one, parts[i % 3]!]) {
              t.asked(T0 + at);
              if (ok) t.answered(T0 + at + ms, ms, 200);
              else t.failed(T0 + at + ms);
            }
          });
          const merged = Timeline.combine(parts.map((p) => Timeline.fromData(structuredClone(p.toData()))));
          expect(merged.series(T0, true)).toEqual(one.series(T0, true));
        },
      ),
    );
  });

  it('stays bounded over a day: buckets double in length past the cap, every count kept', () => {
    const t = new Timeline();
    const day = 86_400;
    for (let s = 0; s < day; s += 7) {
      t.asked(T0 + s * 1000);
      t.answered(T0 + s * 1000 + 3, 3, s % 700 === 0 ? 500 : 200);
    }
    expect(t.size).toBeLessThanOrEqual(MAX_POINTS);
    expect(t.step).toBe(64); // 1 s doubled until 86 400 s fit in 1800 buckets
    const series = t.series(T0, true);
    expect(series.step_seconds).toBe(64);
    expect(series.at_seconds.length).toBeLessThanOrEqual(MAX_POINTS);
    const points = t.toData().points.map(([, p]) => p);
    expect(points.reduce((n, p) => n + p.answered, 0)).toBe(Math.ceil(day / 7));
    expect(points.reduce((n, p) => n + p.asked, 0)).toBe(Math.ceil(day / 7));
    expect(points.reduce((n, p) => n + p.errors, 0)).toBe(Math.ceil(day / 700));
  });

  it('a bucket holds a fixed-size histogram, not the latencies', () => {
    const t = new Timeline();
    for (let i = 0; i < 100_000; i++) t.answered(T0 + 5, (i % 1000) + 1, 200);
    const [, point] = t.toData().points[0]!;
    expect(point.latency?.length).toBe(LATENCY_BUCKETS);
    expect(point.answered).toBe(100_000);
    expect(Math.abs(histogramPercentile(point.latency, point.answered, 0.5)! / 500 - 1)).toBeLessThan(0.021);
  });

  it('has no asked column in the closed model, and nothing at all when nothing happened', () => {
    const t = new Timeline();
    expect(t.series(T0, true).at_seconds).toEqual([]);
    t.answered(T0 + 1, 1, 200);
    expect(t.series(T0, false).asked_per_second).toBeNull();
  });
});
