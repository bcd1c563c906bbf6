// The scrape source's window quantile against the real Prometheus: both scrape the same target
// every second, and vigil's quantileOverWindow must equal
// histogram_quantile(0.95, sum by (le) (rate(x_bucket[W]))) over the same window within 1 %.
//
// Alignment: observations arrive in one burst between two quiet stretches, and the window spans
// both, so every scrape of either side inside the window sees either the state before the burst
// or the state after it. Prometheus's rate() extrapolation then scales every bucket by the same
// factor (same sample times for all buckets of the target), which leaves the quantile unchanged;
// the histogram is primed so no bucket starts at zero (the zero clamp, which would make the
// extrapolation differ per bucket, cannot apply).
import { createServer, type Server } from 'node:http';
import { Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MlServingHandle, startMlServing } from '../../src/examples/ml-serving/start-ml-serving.js';
import { ScrapeSource } from '../../src/sources/scrape/scrape-source.js';
import { quantileOverWindow } from '../../src/sources/scrape/window-queries.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type PrometheusHandle, startPrometheus } from '../harness/launchers.js';
import { freePort, sleep, waitFor } from '../harness/services.js';

/** A target whose histogram the test fills with chosen values. */
class HistogramTarget {
  readonly registry = new Registry();
  readonly histogram = new Histogram({
    name: 'vt_work_duration_seconds',
    help: 'test histogram',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25],
    registers: [this.registry],
  });
  private readonly server: Server = createServer((_req, res) => {
    void this.registry.metrics().then((body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body));
  });
  port = 0;

  async listen(): Promise<void> {
    this.port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** vigil's side: the real scrape source sampling every second into a store. */
class VigilScraper {
  readonly store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 10_000 });
  private readonly source: ScrapeSource;
  private timer: NodeJS.Timeout | undefined;
  scrapes = 0;

  constructor(url: string) {
    this.source = new ScrapeSource('target', { url, timeout: 2000 });
  }

  start(): void {
    const tick = async () => {
      const result = await this.source.sample(AbortSignal.timeout(2000));
      for (const p of result.points) this.store.append(p);
      this.scrapes++;
    };
    void tick();
    this.timer = setInterval(() => void tick().catch(() => undefined), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.source.close();
  }
}

async function promQuantile(prom: PrometheusHandle, query: string, atMs: number): Promise<number> {
  const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(query)}&time=${atMs / 1000}`;
  const body = (await (await fetch(url)).json()) as { status: string; data: { result: Array<{ value: [number, string] }> } };
  expect(body.status).toBe('success');
  expect(body.data.result).toHaveLength(1);
  return Number(body.data.result[0]!.value[1]);
}

async function scrapedBy(prom: PrometheusHandle, port: number): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${prom.url}/api/v1/targets`);
      const body = (await res.json()) as { data: { activeTargets: Array<{ scrapeUrl: string; health: string }> } };
      return body.data.activeTargets.some((t) => t.scrapeUrl.includes(`:${port}/`) && t.health === 'up');
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `prometheus scraping 127.0.0.1:${port}` },
  );
}

/**
 * Quiet stretch, burst, quiet stretch; then both quantiles over a window that starts in the first
 * stretch. Returns [vigil, prometheus].
 */
async function compare(
  prom: PrometheusHandle,
  scraper: VigilScraper,
  metric: string,
  selector: string,
  burst: () => Promise<void>,
): Promise<[number, number]> {
  // Whole seconds keep the PromQL range and the store window identical.
  const windowStart = Math.ceil(Date.now() / 1000) * 1000;
  await sleep(windowStart - Date.now() + 3_500); // >= 3 samples of the "before" state on each side
  await burst();
  await sleep(4_500); // >= 3 samples of the "after" state on each side
  const at = Math.floor(Date.now() / 1000) * 1000 - 500; // both have ingested their scrapes up to here
  const windowS = Math.round((at - windowStart) / 1000);
  const from = at - windowS * 1000;
  const vigil = quantileOverWindow(scraper.store, 'target', selector, 0.95, from, at);
  expect(vigil.value).not.toBeNull();
  const prometheus = await promQuantile(
    prom,
    `histogram_quantile(0.95, sum by (le) (rate(${metric}_bucket${selector.slice(metric.length)}[${windowS}s])))`,
    at,
  );
  return [vigil.value!, prometheus];
}

describe('scrape source P95 vs Prometheus histogram_quantile', () => {
  let prom: PrometheusHandle;
  const target = new HistogramTarget();
  let service: MlServingHandle;
  let targetScraper: VigilScraper;
  let serviceScraper: VigilScraper;

  beforeAll(async () => {
    await target.listen();
    service = await startMlServing({ port: 0, defaultMetrics: false });
    prom = await startPrometheus({ interval: '1s', targets: [{ targets: [`127.0.0.1:${target.port}`, `127.0.0.1:${service.port}`] }] });
    // Prime: every bucket of the test histogram starts far above zero.
    for (let i = 0; i < 2000; i++) target.histogram.observe({ route: '/decide' }, 0.0001);
    for (let i = 0; i < 200; i++) {
      await fetch(`${service.url}/api/documentation-keeper/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: `prime task ${i}` }),
      });
    }
    targetScraper = new VigilScraper(`http://127.0.0.1:${target.port}/metrics`);
    serviceScraper = new VigilScraper(`${service.url}/metrics`);
    targetScraper.start();
    serviceScraper.start();
    await Promise.all([scrapedBy(prom, target.port), scrapedBy(prom, service.port)]);
  });

  afterAll(async () => {
    await targetScraper?.stop();
    await serviceScraper?.stop();
    await prom?.stop();
    await service?.close();
    await target.close();
  });

  it('agrees on a histogram filled with known values (within 1 %)', async () => {
    const [vigil, prometheus] = await compare(
      prom,
      targetScraper,
      'vt_work_duration_seconds',
      'vt_work_duration_seconds{route="/decide"}',
      async () => {
        // 500 values spread from 1 ms to ~121 ms (quadratically), most of them in the 1-100 ms buckets.
        for (let i = 0; i < 500; i++) target.histogram.observe({ route: '/decide' }, 0.001 + (i / 499) ** 2 * 0.12);
      },
    );
    // Hand check of the expected figure: 475th of 500 (rank 475) lies in (0.1, 0.25]:
    // values <= 0.1 are those with (i/499)^2 <= 0.99/1.2 -> i <= 453.2 -> 454 of them.
    // p95 = 0.1 + 0.15 * (475 - 454) / (500 - 454) = 0.16848 (up to bucket counting, checked exactly below).
    expect(vigil).toBeCloseTo(0.1 + (0.15 * (475 - 454)) / 46, 6);
    expect(Math.abs(vigil - prometheus) / prometheus).toBeLessThan(0.01);
  });

  it('agrees on the example service under real traffic (within 1 %)', async () => {
    const route = '/api/documentation-keeper/decide';
    const selector = `http_request_duration_seconds{route="${route}",code="200"}`;
    const [vigil, prometheus] = await compare(prom, serviceScraper, 'http_request_duration_seconds', selector, async () => {
      const tasks = Array.from({ length: 300 }, (_, i) => `burst task ${i % 120} for the comparison`);
      // 10 at a time: real, varied latencies (misses, hits, some queueing).
      for (let i = 0; i < tasks.length; i += 10) {
        await Promise.all(
          tasks.slice(i, i + 10).map((task) =>
            fetch(`${service.url}${route}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ task }),
            }).then((r) => r.text()),
          ),
        );
      }
    });
    expect(vigil).toBeGreaterThan(0);
    expect(Math.abs(vigil - prometheus) / prometheus).toBeLessThan(0.01);
  });
});
