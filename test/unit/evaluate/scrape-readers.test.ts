import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { configWith, NOW, newStore, S } from './evaluate-fixtures.js';

describe('scrape-backed latency and ratio', () => {
  const config = configWith(
    [
      {
        name: 'p95',
        indicator: { latency: { source: 'app', histogram: 'http_request_duration_seconds{route="/decide"}' } },
        threshold: { max: '50ms' },
      },
      {
        name: 'avail',
        indicator: {
          ratio: {
            source: 'app',
            errors: 'sum(rate(http_requests_total{code="500"}[{{window}}]))',
            total: 'sum(rate(http_requests_total[{{window}}]))',
          },
        },
        target: '99%',
      },
    ],
    { sources: { scrape: { app: { url: 'http://127.0.0.1:8095/metrics' } } } },
  );

  it('computes the quantile from bucket increases and the ratio from counter increases', () => {
    const store = newStore();
    const bucket = (le: string) => ({ source: 'app', route: '/decide', le });
    // 100 requests in the window: 90 under 10 ms, 10 between 10 and 100 ms.
    for (const [le, before, after] of [
      ['0.01', 0, 90],
      ['0.1', 0, 100],
      ['+Inf', 0, 100],
    ] as const) {
      store.appendRaw('scrape:http_request_duration_seconds_bucket', bucket(le), NOW - 60 * S, before);
      store.appendRaw('scrape:http_request_duration_seconds_bucket', bucket(le), NOW - 1 * S, after);
    }
    store.appendRaw('scrape:http_requests_total', { source: 'app', code: '200' }, NOW - 60 * S, 0);
    store.appendRaw('scrape:http_requests_total', { source: 'app', code: '200' }, NOW - 1 * S, 198);
    store.appendRaw('scrape:http_requests_total', { source: 'app', code: '500' }, NOW - 60 * S, 0);
    store.appendRaw('scrape:http_requests_total', { source: 'app', code: '500' }, NOW - 1 * S, 2);
    const svc = evaluate(config, store, NOW).services[0]!;
    const p95 = svc.objectives[0]!;
    expect(p95.source).toEqual({ kind: 'scrape', name: 'app' });
    // histogram_quantile: rank 95 falls in (0.01, 0.1] at 5/10 of the bucket.
    expect(p95.value!.value).toBeCloseTo(0.055, 6);
    expect(p95.status).toBe('breach');
    const avail = svc.objectives[1]!;
    expect(avail.value!.value).toBeCloseTo(0.99);
    expect(avail.burnRates[0]!.rate).toBeCloseTo(1);
    expect(svc.summary.response_time_p95).toBeCloseTo(55);
    expect(svc.summary.uptime_percentage).toBeCloseTo(99);
  });
});
