import { describe, expect, it } from 'vitest';
import { quantileOverWindow, queryOverWindow, ratioOverWindow } from '../../../src/sources/scrape/window-queries.js';
import { SampleStore } from '../../../src/store/sample-store.js';

const route = '/api/documentation-keeper/decide';

/** Appends one scrape of a histogram with cumulative counts per le (and a second route as noise). */
function scrape(store: SampleStore, t: number, counts: Record<string, number>, source = 'ml') {
  for (const [le, value] of Object.entries(counts)) {
    store.append({ metric: 'scrape:lat_seconds_bucket', labels: { source, route, le }, t, value });
    store.append({ metric: 'scrape:lat_seconds_bucket', labels: { source, route: '/other', le }, t, value: value * 100 });
  }
}

function newStore() {
  return new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
}

describe('quantileOverWindow', () => {
  it('uses bucket increases over (from, to], not lifetime totals', () => {
    const store = newStore();
    // Lifetime before the window: everything slow (in the +Inf bucket), which must not count.
    scrape(store, 1_000, { '0.01': 0, '0.05': 0, '0.1': 0, '+Inf': 1000 });
    scrape(store, 10_000, { '0.01': 0, '0.05': 0, '0.1': 0, '+Inf': 1000 });
    // In the window: 50 <= 10ms, 40 in (10, 50], 10 in (50, 100]  -> p95 = 75 ms (hand-computed).
    scrape(store, 20_000, { '0.01': 50, '0.05': 90, '0.1': 100, '+Inf': 1100 });
    const result = quantileOverWindow(store, 'ml', `lat_seconds{route="${route}"}`, 0.95, 9_999, 20_000);
    expect(result.value).toBeCloseTo(0.075, 12);
    expect(result.observations).toBe(100);
    expect(result.series).toBe(4);
    expect(result.newestT).toBe(20_000);
  });

  it('excludes the point at `from` like a PromQL range selector', () => {
    const store = newStore();
    scrape(store, 10_000, { '0.01': 0, '0.1': 0, '+Inf': 0 });
    scrape(store, 15_000, { '0.01': 10, '0.1': 10, '+Inf': 10 });
    scrape(store, 20_000, { '0.01': 10, '0.1': 20, '+Inf': 20 });
    // (10s, 20s]: only the 15s->20s rise: 10 in (0.01, 0.1] -> p50 = 0.01 + 0.09 * 5/10.
    expect(quantileOverWindow(store, 'ml', `lat_seconds{route="${route}"}`, 0.5, 10_000, 20_000).value).toBeCloseTo(0.055, 12);
  });

  it('survives a counter reset (the target restarted)', () => {
    const store = newStore();
    scrape(store, 10_000, { '0.01': 80, '0.1': 100, '+Inf': 100 });
    scrape(store, 15_000, { '0.01': 90, '0.1': 110, '+Inf': 110 }); // +10 <= 10ms, +0 slow... +10 total
    scrape(store, 20_000, { '0.01': 0, '0.1': 10, '+Inf': 10 }); // restart: 10 new, all in (0.01, 0.1]
    // Increases: le 0.01 = 10 + 0 = 10; le 0.1 = 10 + 10 = 20; +Inf = 20. p75: rank 15 in (0.01, 0.1]:
    // 0.01 + 0.09 * (15-10)/10 = 0.055.
    expect(quantileOverWindow(store, 'ml', `lat_seconds{route="${route}"}`, 0.75, 9_000, 20_000).value).toBeCloseTo(0.055, 12);
  });

  it('sums matching series per le, and answers null without data', () => {
    const store = newStore();
    scrape(store, 10_000, { '0.01': 0, '0.1': 0, '+Inf': 0 });
    scrape(store, 20_000, { '0.01': 1, '0.1': 2, '+Inf': 2 });
    // Both routes: le 0.01 = 1 + 100, le 0.1 = 2 + 200: p50 rank 101 of 202 -> 0.01 * 101/101 = 0.01.
    expect(quantileOverWindow(store, 'ml', 'lat_seconds', 0.5, 0, 20_000).value).toBeCloseTo(0.01, 12);
    expect(quantileOverWindow(store, 'other-source', 'lat_seconds', 0.5, 0, 20_000).value).toBeNull();
    expect(quantileOverWindow(store, 'ml', 'lat_seconds', 0.5, 15_000, 20_000).value).toBeNull();
  });
});

describe('ratioOverWindow and queryOverWindow', () => {
  function requests(store: SampleStore, t: number, byCode: Record<string, number>) {
    for (const [code, value] of Object.entries(byCode)) {
      store.append({ metric: 'scrape:http_requests_total', labels: { source: 'ml', code }, t, value });
    }
  }

  it('computes errors/total from counter increases and rates per second', () => {
    const store = newStore();
    requests(store, 1, { '200': 100, '503': 5 });
    requests(store, 10_000, { '200': 1090, '503': 15 });
    const total = 'sum(rate(http_requests_total[{{window}}]))';
    const errors = 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))';
    expect(queryOverWindow(store, 'ml', total, 0, 10_000).value).toBeCloseTo(1000 / 10, 9);
    expect(queryOverWindow(store, 'ml', 'sum(increase(http_requests_total[{{window}}]))', 0, 10_000).value).toBe(1000);
    const ratio = ratioOverWindow(store, 'ml', { errors, total }, 0, 10_000);
    expect(ratio.errorRatio).toBeCloseTo(10 / 1000, 12);
    const good = ratioOverWindow(store, 'ml', { good: 'sum(rate(http_requests_total{code="200"}[{{window}}]))', total }, 0, 10_000);
    expect(good.errorRatio).toBeCloseTo(10 / 1000, 12);
  });

  it('counts no error series as zero errors, and no traffic as no data', () => {
    const store = newStore();
    requests(store, 1, { '200': 0 });
    requests(store, 10_000, { '200': 50 });
    const q = { errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(http_requests_total[{{window}}]))' };
    expect(ratioOverWindow(store, 'ml', q, 0, 10_000).errorRatio).toBe(0);
    requests(store, 20_000, { '200': 50 });
    expect(ratioOverWindow(store, 'ml', q, 10_000, 20_000).errorRatio).toBeNull();
  });
});

describe('selector lookups kept between reads', () => {
  // The store lookup of a parsed selector (metric names, index labels, predicate) is built once
  // per selector and source: a later read of the same text must still see series written since,
  // and a read for another source must not see the first source's series.
  it('same selector text: each source its own series, and series added later are read', () => {
    const store = newStore();
    const query = `sum(increase(req_total{route="${route}"}[{{window}}]))`;
    const count = (source: string, t: number, value: number, code = '200') =>
      store.append({ metric: 'scrape:req_total', labels: { source, route, code }, t, value });
    count('a', 10_000, 0);
    count('a', 20_000, 5);
    count('b', 10_000, 0);
    count('b', 20_000, 7);
    expect(queryOverWindow(store, 'a', query, 0, 20_000).value).toBe(5);
    expect(queryOverWindow(store, 'b', query, 0, 20_000).value).toBe(7);
    // A new series of source a (another code) after the lookup was built.
    count('a', 10_000, 0, '500');
    count('a', 20_000, 3, '500');
    expect(queryOverWindow(store, 'a', query, 0, 20_000).value).toBe(8);
    expect(queryOverWindow(store, 'b', query, 0, 20_000).value).toBe(7);
    // The histogram side of the same selector's metric name reads the `_bucket` series.
    scrape(store, 10_000, { '0.1': 0, '+Inf': 0 }, 'a');
    scrape(store, 20_000, { '0.1': 4, '+Inf': 4 }, 'a');
    expect(quantileOverWindow(store, 'a', `lat_seconds{route="${route}"}`, 0.5, 0, 20_000).observations).toBe(4);
    expect(quantileOverWindow(store, 'b', `lat_seconds{route="${route}"}`, 0.5, 0, 20_000).value).toBeNull();
  });
});
