import { describe, expect, it } from 'vitest';
import { statementLatency, statementLatencyOverWindow } from '../../../src/sources/postgres/statement-latency.js';
import { statementRowsToPoints } from '../../../src/sources/postgres/statements-query.js';
import { SampleStore } from '../../../src/store/sample-store.js';

const selector = { match: '%ml%', database: null };

/** Cumulative view rows for one statement built from individual execution times (ms). */
function row(queryid: string, runsMs: number[], maxMs = Math.max(0, ...runsMs)) {
  const calls = runsMs.length;
  const total = runsMs.reduce((a, b) => a + b, 0);
  const sumsq = runsMs.reduce((a, b) => a + b * b, 0);
  return { dbid: '1', userid: '10', queryid, database: 'app', calls, total_ms: total, sumsq_ms2: sumsq, max_ms: maxMs };
}

function sample(store: SampleStore, t: number, rows: ReturnType<typeof row>[]): void {
  for (const p of statementRowsToPoints('pg', selector, rows, t)) store.append(p);
}

function allSeries(store: SampleStore) {
  return [...store.all()];
}

describe('statementLatencyOverWindow', () => {
  it('computes the window mean and normal-approximation P95 from deltas', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    const before = [100, 100, 100]; // lifetime history outside the window's deltas
    const inWindow = [2, 4, 4, 4, 5, 5, 7, 9]; // mean 5, population sd 2
    sample(store, 0, [row('q1', before)]);
    sample(store, 15_000, [row('q1', [...before, ...inWindow.slice(0, 3)])]);
    sample(store, 30_000, [row('q1', [...before, ...inWindow])]);
    const r = statementLatencyOverWindow(allSeries(store), 0, 30_000)!;
    expect(r.calls).toBe(8);
    expect(r.meanSeconds).toBeCloseTo(0.005, 12);
    expect(r.stddevSeconds).toBeCloseTo(0.002, 9);
    expect(r.p95Seconds).toBeCloseTo(0.005 + 1.645 * 0.002, 9);
    // lifetime max (100 ms from before the window): the view has no per-window maximum
    expect(r.maxSeconds).toBeCloseTo(0.1, 12);
    expect(r.statements).toBe(1);
  });

  it('pools several statements of one selector', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    sample(store, 0, [row('a', []), row('b', [])]);
    sample(store, 15_000, [row('a', [1, 1]), row('b', [3, 3])]);
    const r = statementLatencyOverWindow(allSeries(store), 0, 15_000)!;
    expect(r.calls).toBe(4);
    expect(r.meanSeconds).toBeCloseTo(0.002, 12);
    expect(r.stddevSeconds).toBeCloseTo(0.001, 9);
    expect(r.maxSeconds).toBeCloseTo(0.003, 12);
  });

  it('survives pg_stat_statements_reset(), even when calls after it exceed calls before', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    sample(store, 0, [row('q', [10, 10])]);
    sample(store, 15_000, [row('q', [10, 10, 10])]); // +1 call of 10 ms
    // reset, then 5 calls of 1 ms: calls went 3 -> 5 (looks like +2), time went 30 -> 5, max 10 -> 1
    sample(store, 30_000, [row('q', [1, 1, 1, 1, 1])]);
    const r = statementLatencyOverWindow(allSeries(store), 0, 30_000)!;
    expect(r.calls).toBe(6);
    expect(r.meanSeconds).toBeCloseTo(15 / 6 / 1000, 12);
    expect(r.meanSeconds).toBeGreaterThan(0);
  });

  it('survives eviction: a statement that vanished counts until it went', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    sample(store, 0, [row('old', [4]), row('new', [])]);
    sample(store, 15_000, [row('old', [4, 4]), row('new', [])]);
    sample(store, 30_000, [row('new', [2])]); // 'old' evicted
    const r = statementLatencyOverWindow(allSeries(store), 0, 30_000)!;
    expect(r.calls).toBe(2);
    expect(r.meanSeconds).toBeCloseTo(0.003, 12);
  });

  it('is null when nothing ran in the window', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    sample(store, 0, [row('q', [5])]);
    sample(store, 15_000, [row('q', [5])]);
    expect(statementLatencyOverWindow(allSeries(store), 0, 15_000)).toBeNull();
    expect(statementLatencyOverWindow([], 0, 15_000)).toBeNull();
  });
});

describe('statementLatency', () => {
  it('reads the statements of one objective selector from the store', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    const other = { match: '%other%', database: 'app' };
    sample(store, 0, [row('q', [])]);
    sample(store, 1000, [row('q', [4, 6])]);
    for (const p of statementRowsToPoints('pg', other, [row('z', [])], 0)) store.append(p);
    for (const p of statementRowsToPoints('pg', other, [row('z', [100])], 1000)) store.append(p);
    expect(statementLatency(store, 'pg', { match: '%ml%' }, 0, 1000)?.meanSeconds).toBeCloseTo(0.005, 12);
    expect(statementLatency(store, 'pg', other, 0, 1000)?.meanSeconds).toBeCloseTo(0.1, 12);
    expect(statementLatency(store, 'elsewhere', { match: '%ml%' }, 0, 1000)).toBeNull();
  });
});
