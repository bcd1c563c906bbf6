// /metrics end to end: real sources sampled by the real scheduler, the exporter's text scraped by
// a real Prometheus, and the values Prometheus stored compared with what the systems reported.
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PrometheusDriver } from 'prometheus-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../src/config/config.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/metrics/metrics-registry.js';
import { PostgresSource } from '../../src/sources/postgres/postgres-source.js';
import { ProbeSource } from '../../src/sources/probe/probe-source.js';
import { RedisSource } from '../../src/sources/redis/redis-source.js';
import { Scheduler } from '../../src/sources/scheduler.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type PrometheusHandle, type RedisHandle, startPrometheus, startRedis } from '../harness/launchers.js';
import { freePort, testServices, waitFor } from '../harness/services.js';

const database = `vigil_metrics_${process.pid}`;

function urlFor(base: string, db: string): string {
  const url = new URL(base);
  url.pathname = `/${db}`;
  return url.toString();
}

describe('/metrics exporter with real sources', () => {
  let redis: RedisHandle;
  let prometheus: PrometheusHandle;
  let server: Server;
  let scheduler: Scheduler;
  let metrics: MetricsRegistry;
  let admin: pg.Client;
  let probeUrl: string;
  const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });

  beforeAll(async () => {
    const shared = testServices();
    // Own Redis: keyspace counters are server-wide, other tests would change them.
    redis = await startRedis();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.set('k', 'v');
    for (let i = 0; i < 7; i++) await client.get('k');
    for (let i = 0; i < 3; i++) await client.get(`missing-${i}`);
    client.disconnect();

    admin = new pg.Client({ connectionString: shared.postgres.connectionString });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const app = new pg.Client({ connectionString: urlFor(shared.postgres.connectionString, database) });
    await app.connect();
    await app.query('CREATE TABLE ml_learning_features (id int PRIMARY KEY, score float8)');
    await app.query('INSERT INTO ml_learning_features SELECT g, g / 10.0 FROM generate_series(1, 100) g');
    for (let i = 1; i <= 25; i++) await app.query('SELECT score FROM ml_learning_features WHERE id = $1', [i]);
    await app.end();

    server = createServer(async (req, res) => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
      } else if (req.url === '/health') res.writeHead(200).end('ok');
      else res.writeHead(404).end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    probeUrl = `http://127.0.0.1:${port}/health`;

    const slo: LoadedSloFile = {
      path: 'slo/ml.yaml',
      slo: sloFileSchema.parse({
        apiVersion: 'vigil/v1',
        kind: 'ServiceLevels',
        service: 'ml-services',
        objectives: [
          {
            name: 'ml-query-latency',
            indicator: { postgresQueryLatency: { match: '%FROM ml_learning_features WHERE id%', database } },
            threshold: { max: '10ms' },
          },
          { name: 'uptime', indicator: { probe: { url: probeUrl } }, target: '99.9%' },
        ],
      }),
    };
    scheduler = new Scheduler({ store });
    const schedule = { schedule: '*/1 * * * * *', timeoutMs: 5_000 };
    scheduler.add(new RedisSource('cache', { url: redis.url, timeout: 5_000 }), schedule);
    scheduler.add(new PostgresSource('default', { connectionString: shared.postgres.connectionString, timeout: 5_000 }, [slo]), schedule);
    scheduler.add(new ProbeSource('default', { timeout: 5_000 }, [slo]), schedule);
    metrics = createMetricsRegistry({ store, health: () => scheduler.health() });
    scheduler.start();
    prometheus = await startPrometheus({ targets: [{ targets: [`127.0.0.1:${port}`], labels: { job_role: 'vigil' } }] });
  });

  afterAll(async () => {
    await scheduler?.close();
    await prometheus?.stop();
    await redis?.stop();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('a real Prometheus scrapes the sampled figures and source health with their values', async () => {
    const driver = new PrometheusDriver({ endpoint: prometheus.url, baseURL: '/api/v1' });
    const one = async (query: string): Promise<number | undefined> => {
      const r = await driver.instantQuery(query);
      return r.result.length === 1 ? Number(r.result[0].value.value) : undefined;
    };
    // Sources sample on their own schedule and Prometheus scrapes on its own: wait until one scrape
    // holds a sample of every source.
    await waitFor(
      async () =>
        (await one('vigil_probe_success')) === 1 &&
        (await one('vigil_redis_keyspace_hits_total{source="cache"}')) !== undefined &&
        (await one(`vigil_postgres_statement_calls_total{database="${database}"}`)) !== undefined,
      { timeoutMs: 60_000, intervalMs: 500, what: 'every source in a scrape' },
    );

    expect(await one('vigil_redis_keyspace_hits_total{source="cache"}')).toBe(7);
    expect(await one('vigil_redis_keyspace_misses_total{source="cache"}')).toBe(3);
    expect(await one(`vigil_redis_db_keys{db="db0"}`)).toBe(1);
    expect(await one(`vigil_postgres_statement_calls_total{database="${database}"}`)).toBe(25);
    const mean = (await one(`vigil_postgres_statement_mean_seconds{database="${database}"}`))!;
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(0.1);
    expect(await one(`vigil_probe_duration_seconds{url="${probeUrl}"}`)).toBeGreaterThan(0);
    for (const kind of ['redis', 'postgres', 'probe']) {
      expect(await one(`vigil_source_up{kind="${kind}"}`)).toBe(1);
      expect(await one(`vigil_source_consecutive_failures{kind="${kind}"}`)).toBe(0);
      const last = (await one(`vigil_source_last_success_timestamp_seconds{kind="${kind}"}`))!;
      expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(30);
    }
    expect(await one('vigil_store_series')).toBeGreaterThan(10);
    expect(await one('vigil_store_memory_bytes')).toBeGreaterThan(0);
    expect(await one('process_resident_memory_bytes{job_role="vigil"}')).toBeGreaterThan(0);
  });

  it('shows a stopped source as down while its last values stay cached', async () => {
    await redis.halt();
    await waitFor(() => scheduler.health().some((h) => h.kind === 'redis' && !h.up), { timeoutMs: 10_000, what: 'redis down' });
    const text = await metrics.metrics();
    expect(text).toMatch(/^vigil_source_up\{kind="redis",source="cache"\} 0$/m);
    expect(text).toMatch(/^vigil_source_consecutive_failures\{kind="redis",source="cache"\} [1-9]\d*$/m);
    expect(text).toMatch(/^vigil_redis_keyspace_hits_total\{source="cache",run_id="[0-9a-f]{40}"\} 7$/m);
  });
});
