import { describe, expect, it } from 'vitest';
import { hitRatioOverWindow, redisHitRatio } from '../../../src/sources/redis/hit-ratio.js';
import { SampleStore } from '../../../src/store/sample-store.js';

function storeWith(rows: Array<[t: number, runId: string, hits: number, misses: number]>): SampleStore {
  const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
  for (const [t, runId, hits, misses] of rows) {
    const labels = { source: 'default', run_id: runId };
    store.appendRaw('redis_keyspace_hits_total', labels, t, hits);
    store.appendRaw('redis_keyspace_misses_total', labels, t, misses);
  }
  return store;
}

function all(store: SampleStore) {
  return [...store.select('redis_keyspace_hits_total'), ...store.select('redis_keyspace_misses_total')];
}

describe('hitRatioOverWindow', () => {
  it('uses deltas inside the window, not lifetime totals', () => {
    // Lifetime 1000 hits / 0 misses would read 100 %; the window saw 30 hits and 10 misses.
    const store = storeWith([
      [0, 'a', 1000, 0],
      [15_000, 'a', 1010, 5],
      [30_000, 'a', 1030, 10],
    ]);
    expect(hitRatioOverWindow(all(store), 0, 30_000)).toEqual({ ratio: 0.75, hits: 30, misses: 10 });
  });

  it('survives CONFIG RESETSTAT (counters drop to zero) without a negative or absurd ratio', () => {
    const store = storeWith([
      [0, 'a', 500, 500],
      [15_000, 'a', 600, 520],
      [30_000, 'a', 8, 2], // reset, then 8 hits and 2 misses
      [45_000, 'a', 16, 4],
    ]);
    const r = hitRatioOverWindow(all(store), 0, 45_000)!;
    expect(r.hits).toBe(100 + 8 + 8);
    expect(r.misses).toBe(20 + 2 + 2);
    expect(r.ratio).toBeCloseTo(116 / 140, 12);
  });

  it('adds the series of a restarted server (new run_id) instead of subtracting', () => {
    const store = storeWith([
      [0, 'a', 100, 100],
      [15_000, 'a', 190, 110],
      [30_000, 'b', 0, 0],
      [45_000, 'b', 9, 1],
    ]);
    expect(hitRatioOverWindow(all(store), 0, 45_000)).toEqual({ ratio: 99 / 110, hits: 99, misses: 11 });
  });

  it('is null without traffic in the window', () => {
    const store = storeWith([
      [0, 'a', 100, 100],
      [15_000, 'a', 100, 100],
    ]);
    expect(hitRatioOverWindow(all(store), 0, 15_000)).toBeNull();
    expect(hitRatioOverWindow(all(store), 20_000, 30_000)).toBeNull();
  });
});

describe('redisHitRatio', () => {
  it('reads one instance from the store and ignores the others', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    for (const [source, hits, misses] of [
      ['cache', 9, 1],
      ['sessions', 1, 9],
    ] as const) {
      const labels = { source, run_id: 'r' };
      store.appendRaw('redis_keyspace_hits_total', labels, 0, 0);
      store.appendRaw('redis_keyspace_misses_total', labels, 0, 0);
      store.appendRaw('redis_keyspace_hits_total', labels, 1000, hits);
      store.appendRaw('redis_keyspace_misses_total', labels, 1000, misses);
    }
    expect(redisHitRatio(store, 'cache', 0, 1000)?.ratio).toBe(0.9);
    expect(redisHitRatio(store, 'sessions', 0, 1000)?.ratio).toBe(0.1);
    expect(redisHitRatio(store, 'other', 0, 1000)).toBeNull();
  });
});
