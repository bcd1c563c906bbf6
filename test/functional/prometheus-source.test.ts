// The Prometheus source against a real Prometheus scraping a tiny exporter started here. The
// test runs its own Prometheus (the launcher's file_sd file is per instance), so replacing the
// targets cannot disturb other test files.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../src/config/config.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import { type PrometheusHandle, startPrometheus } from '../harness/launchers.js';
import { freePort, waitFor } from '../harness/services.js';

/**
 * Each scrape adds 10 observations between 25 ms and 50 ms to the histogram and 9 good and
 * 1 failed request to the counter, so: median = 25 + (50-25)/2 = 37.5 ms by Prometheus's linear
 * interpolation, error ratio = 0.1, whatever the scrape timing.
 */
class TestExporter {
  private scrapes = 0;
  readonly server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    this.scrapes++;
    const n = this.scrapes * 10;
    const body = [
      '# TYPE vigil_test_queue_depth gauge',
      'vigil_test_queue_depth 42',
      '# TYPE vigil_test_request_duration_seconds histogram',
      'vigil_test_request_duration_seconds_bucket{route="/decide",le="0.01"} 0',
      'vigil_test_request_duration_seconds_bucket{route="/decide",le="0.025"} 0',
      `vigil_test_request_duration_seconds_bucket{route="/decide",le="0.05"} ${n}`,
      `vigil_test_request_duration_seconds_bucket{route="/decide",le="0.1"} ${n}`,
      `vigil_test_request_duration_seconds_bucket{route="/decide",le="+Inf"} ${n}`,
      `vigil_test_request_duration_seconds_sum{route="/decide"} ${n * 0.0375}`,
      `vigil_test_request_duration_seconds_count{route="/decide"} ${n}`,
      '# TYPE vigil_test_requests_total counter',
      `vigil_test_requests_total{code="200"} ${this.scrapes * 9}`,
      `vigil_test_requests_total{code="500"} ${this.scrapes}`,
      '',
    ].join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });

  async listen(): Promise<number> {
    const port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function sloFile(objectives: unknown[]): LoadedSloFile {
  return {
    path: 'slo/ml.yaml',
    slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'ml-services', objectives }),
  };
}

const objectives = [
  {
    name: 'decide-latency-p50',
    indicator: { latency: { histogram: 'vigil_test_request_duration_seconds{route="/decide"}', quantile: 0.5 } },
    threshold: { max: '50ms' },
    window: '1m',
  },
  {
    name: 'decide-availability',
    indicator: {
      ratio: {
        errors: 'sum(rate(vigil_test_requests_total{code=~"5.."}[{{window}}]))',
        total: 'sum(rate(vigil_test_requests_total[{{window}}]))',
      },
    },
    target: '99.9%',
  },
  { name: 'queue-depth', indicator: { promql: { query: 'max(vigil_test_queue_depth)' } }, threshold: { max: 100 } },
  { name: 'broken-query', indicator: { promql: { query: 'sum(rate(vigil_test_requests_total[5m])' } }, threshold: { max: 1 } },
];

describe('Prometheus source', () => {
  const exporter = new TestExporter();
  let prometheus: PrometheusHandle;

  beforeAll(async () => {
    const port = await exporter.listen();
    prometheus = await startPrometheus({ targets: [{ targets: [`127.0.0.1:${port}`], labels: { service: 'ml-test' } }] });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter.close();
  });

  it('returns the values the exporter exposed, and a bad query names its objective without hiding the others', async () => {
    const source = new PrometheusSource('default', { url: prometheus.url, timeout: 10_000 }, [sloFile(objectives)], SHIPPED_WINDOW_SETS);
    // Until Prometheus has scraped twice there is no rate: wait for the latency value.
    const points = await waitFor(
      async () => {
        const r = await source.sample(AbortSignal.timeout(15_000));
        const has = (objective: string, window: string) =>
          r.points.some((p) => p.labels.objective === objective && p.labels.window === window);
        return has('decide-latency-p50', '1m') && has('decide-availability', '5m') ? r.points : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'rates in Prometheus' },
    );
    const value = (objective: string, window: string) =>
      points.find((p) => p.labels.objective === objective && p.labels.window === window)?.value;

    expect(value('decide-latency-p50', '1m')).toBeCloseTo(0.0375, 9);
    expect(value('queue-depth', '')).toBe(42);
    expect(value('decide-availability', '5m')).toBeCloseTo(0.1, 9);
    expect(value('decide-availability', '1h')).toBeCloseTo(0.1, 9);
    for (const p of points) {
      expect(p.metric).toBe('promql_value');
      expect(p.labels).toEqual({
        source: 'default',
        service: 'ml-services',
        objective: p.labels.objective,
        part: p.labels.objective === 'decide-availability' ? 'ratio' : 'value',
        window: p.labels.window,
      });
    }
    expect(points.some((p) => p.labels.objective === 'broken-query')).toBe(false);

    const errors = source.queryErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'VIGIL_ERR_PROMQL_QUERY', service: 'ml-services', objective: 'broken-query' });
    expect(errors[0]!.message).toContain('ml-services/broken-query');
    expect(errors[0]!.message).toMatch(/parse error/);
    await source.close();
  });

  it('reuses answers over long windows until they are due, still writing a point per sample', async () => {
    const source = new PrometheusSource('default', { url: prometheus.url, timeout: 10_000 }, [sloFile(objectives)], SHIPPED_WINDOW_SETS);
    // Prometheus's own live counter of query API requests (its /metrics, not its TSDB).
    const queryRequests = async (): Promise<number> => {
      const text = await (await fetch(`${prometheus.url}/metrics`)).text();
      let total = 0;
      for (const m of text.matchAll(/^prometheus_http_requests_total\{[^}]*handler="\/api\/v1\/query"[^}]*\} (\S+)$/gm))
        total += Number(m[1]);
      return total;
    };
    const ratioWindows = (points: readonly { labels: Record<string, string> }[]) =>
      points
        .filter((p) => p.labels.objective === 'decide-availability')
        .map((p) => p.labels.window)
        .sort();
    const first = await source.sample(AbortSignal.timeout(15_000));
    expect(ratioWindows(first.points)).toHaveLength(8);

    const before = await queryRequests();
    const second = await source.sample(AbortSignal.timeout(15_000));
    const asked = (await queryRequests()) - before;
    expect(ratioWindows(second.points)).toEqual(ratioWindows(first.points));
    expect(second.points.every((p) => p.t === second.points[0]!.t)).toBe(true);
    expect(second.points[0]!.t).toBeGreaterThan(first.points[0]!.t);
    // 11 queries in all; the 2h, 6h, 1d, 3d and period windows were reused.
    expect(source.objectiveQueries).toHaveLength(11);
    expect(asked).toBeGreaterThan(0);
    expect(asked).toBeLessThanOrEqual(11 - 5);
  });

  it('reads history with a range query', async () => {
    const source = new PrometheusSource('default', { url: prometheus.url, timeout: 10_000 }, [], SHIPPED_WINDOW_SETS);
    const now = Date.now();
    const series = await source.rangeQuery('max(vigil_test_queue_depth)', now - 20_000, now, 1);
    expect(series).toHaveLength(1);
    expect(series[0]!.v.length).toBeGreaterThanOrEqual(2);
    expect(new Set(series[0]!.v)).toEqual(new Set([42]));
    await expect(source.rangeQuery('max(', now - 20_000, now, 1)).rejects.toThrow(/prometheus default: range query "max\(": .*parse error/);
  });

  it('is up with no objectives when Prometheus answers, and down when nothing listens', async () => {
    const idle = new PrometheusSource('default', { url: prometheus.url, timeout: 5_000 }, [], SHIPPED_WINDOW_SETS);
    await expect(idle.sample(AbortSignal.timeout(10_000))).resolves.toEqual({ points: [] });
    const deadPort = await freePort();
    const dead = new PrometheusSource(
      'gone',
      { url: `http://127.0.0.1:${deadPort}`, timeout: 2_000 },
      [sloFile(objectives)],
      SHIPPED_WINDOW_SETS,
    );
    await expect(dead.sample(AbortSignal.timeout(10_000))).rejects.toThrow(/prometheus gone .*ECONNREFUSED/);
  });
});
