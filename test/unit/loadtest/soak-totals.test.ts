import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentiles } from '../../../src/loadtest/latency-recorder.js';
import type { MergedLoad } from '../../../src/loadtest/load-workers.js';
import { SoakTotals } from '../../../src/loadtest/soak-totals.js';
import { Timeline } from '../../../src/loadtest/timeline.js';

/** One soak part: `latencies` answered 200 (and every tenth 503), from `firstAt` one a second apart. */
function part(latencies: number[], firstAt: number): MergedLoad {
  const r = new LatencyRecorder();
  latencies.forEach((ms, i) => r.record(ms, i % 10 === 9 ? 503 : 200, ms / 2));
  r.recordError();
  return {
    perKind: new Map([['decide', r]]),
    lateness: new Float64Array(0),
    loopDelayMs: { p99: 0, max: 0 },
    firstAnswerAt: firstAt,
    lastAnswerAt: firstAt + (latencies.length - 1) * 1000,
    timeline: new Timeline(),
    workerThreads: 0,
  };
}

const spread = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

describe('SoakTotals across a resume', () => {
  it("a resumed soak's totals count both runs exactly and take percentiles over both (the first run's to ±2 %)", () => {
    const first = spread(1000, 1, 10); // fast first run
    const second = spread(1000, 20, 40); // slower after the resume
    const before = new SoakTotals();
    before.add(part(first, 1_000_000));
    const file = before.toData(1010);
    expect(file.requested).toBe(1010);
    expect(file.answeringS).toBe(999);

    const resumed = new SoakTotals(file);
    resumed.add(part(second, 9_000_000)); // long after: the interruption is not answering time
    const load = resumed.asLoad();
    const all = LatencyRecorder.combine([...load.perKind.values()]);
    expect(all.responses).toBe(2000);
    expect(all.serverErrors).toBe(200);
    expect(all.connectionErrors).toBe(2);
    expect(all.statusCounts.get(503)).toBe(200);
    expect(load.answeringS).toBe(999 + 999);
    expect(resumed.requested(1000)).toBe(2010);

    const exact = percentiles([...first, ...second], [0.25, 0.5, 0.95]);
    const got = percentiles(all.latencies(), [0.25, 0.5, 0.95]);
    got.forEach((v, i) => {
      expect(Math.abs((v ?? 0) - (exact[i] ?? 0))).toBeLessThanOrEqual(0.021 * (exact[i] ?? 0));
    });
    // From-send latencies travel the same way.
    expect(percentiles(all.latenciesFromSend(), [0.25])[0]).toBeCloseTo((exact[0] ?? 0) / 2, 0);
  });

  it('a fresh soak reports its own answering span (no answeringS), as before', () => {
    const totals = new SoakTotals();
    totals.add(part(spread(10, 1, 2), 0));
    expect(totals.asLoad().answeringS).toBeUndefined();
  });
});

describe('LatencyRecorder.fromHistograms', () => {
  it('stands for more responses than its capacity with a proportional sample, the tail kept', () => {
    // 1 000 000 answers at ~1 ms, 10 at ~1 s, in a recorder that keeps 1 000.
    const r = LatencyRecorder.fromHistograms(
      {
        ok: 1_000_010,
        httpErrors: 0,
        serverErrors: 0,
        connectionErrors: 0,
        statusCounts: [[200, 1_000_010]],
        latency: [
          [118, 1_000_000],
          [294, 10],
        ],
        fromSend: [],
      },
      1000,
    );
    expect(r.responses).toBe(1_000_010);
    expect(r.latencies().length).toBe(998);
    const [p50, max] = percentiles(r.latencies(), [0.5, 1]);
    expect(p50).toBeCloseTo(1, 1);
    expect(max).toBeGreaterThan(900);
  });
});
