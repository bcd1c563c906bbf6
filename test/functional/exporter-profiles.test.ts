// The redis_exporter and postgres_exporter metric profiles against the real exporters (Debian's
// prometheus-redis-exporter and prometheus-postgres-exporter 0.11 with the shipped query file),
// scraped every second by a real Prometheus, compared with vigil's own Redis and PostgreSQL
// sources on the same servers and the same traffic.
//
// Three readings of one figure must agree: vigil's own source (its reader over the samples it
// took), the generated rule's expression evaluated by Prometheus, and the daemon's Prometheus
// source asking the same Prometheus with the same profile.
//
// Alignment: the traffic runs twice, once before the measured window (so every series exists and
// has a non-zero first sample in it) and once inside it, between quiet stretches. Both series of a
// ratio are scraped at the same instants, so Prometheus's increase() extrapolation scales the
// numerator and the denominator by the same factor and leaves the ratio unchanged.
// Stated tolerance: hit ratio within 0.001 absolute, mean statement latency within 1 % relative
// (the figures come from the same counters; only float formatting may differ).
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../src/config/config.js';
import { objectiveSchema, sloFileSchema } from '../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { PostgresLatencyReader } from '../../src/evaluate/readers/postgres-latency-reader.js';
import { RedisHitRatioReader } from '../../src/evaluate/readers/redis-hit-ratio-reader.js';
import { indicatorQuery, type ThresholdQuery } from '../../src/generate/indicator-queries.js';
import { PostgresSource } from '../../src/sources/postgres/postgres-source.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import { RedisSource } from '../../src/sources/redis/redis-source.js';
import type { Source } from '../../src/sources/source.js';
import { SampleStore } from '../../src/store/sample-store.js';
import {
  type ExporterHandle,
  type PostgresHandle,
  type PrometheusHandle,
  type RedisHandle,
  startPostgres,
  startPostgresExporter,
  startPrometheus,
  startRedis,
  startRedisExporter,
} from '../harness/launchers.js';
import { sleep, waitFor } from '../harness/services.js';

/** The window every reading covers: long enough for the quiet stretches around the traffic. */
const WINDOW_S = 12;
const MATCH = '%vt_orders%';

let redis: RedisHandle;
let postgres: PostgresHandle;
let redisExporter: ExporterHandle;
let postgresExporter: ExporterHandle;
let prometheus: PrometheusHandle;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  [redisExporter, postgresExporter] = await Promise.all([startRedisExporter(redis.url), startPostgresExporter(postgres.connectionString)]);
  prometheus = await startPrometheus({
    scrapeConfigs: [
      { job_name: 'redis', static_configs: [{ targets: [redisExporter.target] }] },
      { job_name: 'postgres', static_configs: [{ targets: [postgresExporter.target] }] },
    ],
  });
}, 120_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), redisExporter?.stop(), postgresExporter?.stop()]);
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** Samples into the store; returns the time just before, so a window starting there holds the sample. */
async function sampleInto(source: Source, store: SampleStore): Promise<number> {
  const before = Date.now();
  const result = await source.sample(AbortSignal.timeout(10_000));
  for (const p of result.points) store.append(p);
  await sleep(5);
  return before;
}

/** One value of an instant query at `atMs`. */
async function promValue(query: string, atMs: number): Promise<number> {
  const body = new URLSearchParams({ query, time: String(atMs / 1000) });
  const res = await fetch(`${prometheus.url}/api/v1/query`, { method: 'POST', body });
  const json = (await res.json()) as { status: string; error?: string; data: { result: Array<{ value: [number, string] }> } };
  expect(json.status, json.error).toBe('success');
  expect(json.data.result, query).toHaveLength(1);
  return Number(json.data.result[0]!.value[1]);
}

/** Waits until Prometheus has scraped `job` `n` more times (scrape samples are counted by up). */
async function scrapesPass(job: string, n: number): Promise<void> {
  const count = async () => {
    const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(`count_over_time(up{job="${job}"}[10m])`)}`);
    const json = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    return Number(json.data.result[0]?.value[1] ?? 0);
  };
  const start = await count();
  await waitFor(async () => (await count()) >= start + n, { timeoutMs: 30_000, intervalMs: 250, what: `${n} scrapes of ${job}` });
}

/** The Prometheus source's stored answer for the objective (the daemon's reading with the profile). */
async function daemonReading(objective: Record<string, unknown>): Promise<number> {
  const file: LoadedSloFile = {
    path: 'slo/shop.yaml',
    slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'shop', objectives: [objective] }),
  };
  const source = new PrometheusSource('default', { url: prometheus.url, timeout: 10_000 } as never, [file], SHIPPED_WINDOW_SETS);
  const result = await source.sample(AbortSignal.timeout(15_000));
  expect(source.queryErrors()).toEqual([]);
  expect(result.points).toHaveLength(1);
  return result.points[0]!.value;
}

/** Runs `traffic`, waits for quiet scrapes on both sides of it, and returns the window's end. */
async function measuredBurst(job: string, traffic: () => Promise<void>): Promise<void> {
  await traffic();
  // The warm-up burst's series now exist; let the window's start fall after their first scrape.
  await sleep(WINDOW_S * 1000 - 4_000);
  await scrapesPass(job, 2);
}

describe('redis_exporter profile', () => {
  it("the generated rule and the daemon read the same hit ratio as vigil's Redis source", async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const traffic = async () => {
      for (let i = 0; i < 90; i++) expect(await client.get('present')).toBe('yes');
      for (let i = 0; i < 30; i++) expect(await client.get(`absent-${i}`)).toBeNull();
    };
    const vigil = new RedisSource('cache', { url: redis.url, timeout: 5_000 });
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      await client.set('present', 'yes');
      await measuredBurst('redis', traffic);
      const t0 = await sampleInto(vigil, store);
      await traffic();
      await sampleInto(vigil, store);
      const t1 = Date.now();
      await scrapesPass('redis', 3);

      const own = new RedisHitRatioReader({ store, now: t1, windowMs: t1 - t0, staleAfterMs: 60_000 }, { source: 'cache' }).current();
      expect(own.value, JSON.stringify(own)).toBeCloseTo(0.75, 12);

      const input = {
        name: 'hit-ratio',
        indicator: { redisHitRatio: { metrics: 'redis_exporter', seriesMatch: { job: 'redis' } } },
        threshold: { min: '50%' },
        window: `${WINDOW_S}s`,
      };
      const objective = objectiveSchema.parse(input);
      const query = indicatorQuery(objective) as ThresholdQuery;
      const rule = await promValue(query.value(WINDOW_S * 1000), Date.now());
      expect(Math.abs(rule - own.value!)).toBeLessThanOrEqual(0.001);
      expect(Math.abs((await daemonReading(input)) - own.value!)).toBeLessThanOrEqual(0.001);
    } finally {
      client.disconnect();
      await vigil.close();
    }
  }, 90_000);
});

describe('postgres_exporter profile (0.11 with the shipped pg_stat_statements query file)', () => {
  it("the exporter writes the 0.13+ collector's series names and labels", async () => {
    const text = await (await fetch(`${postgresExporter.url}/metrics`)).text();
    for (const name of ['calls_total', 'seconds_total', 'rows_total', 'block_read_seconds_total', 'block_write_seconds_total']) {
      const line = text.split('\n').find((l) => l.startsWith(`pg_stat_statements_${name}{`));
      expect(line, name).toBeDefined();
      expect(line).toMatch(/datname="[^"]+"/);
      expect(line).toMatch(/queryid="-?\d+"/);
      expect(line).toMatch(/user="postgres"/);
      expect(text).toContain(`# TYPE pg_stat_statements_${name} counter`);
    }
    expect(text).toMatch(/^pg_stat_statements_query_id\{[^}]*query="[^"]*",[^}]*queryid="-?\d+"[^}]*\} 1$/m);
  });

  it("the generated rule and the daemon read the same mean statement latency as vigil's PostgreSQL source", async () => {
    const app = new pg.Client({ connectionString: postgres.connectionString });
    await app.connect();
    await app.query('CREATE TABLE vt_orders (id int PRIMARY KEY, total numeric)');
    await app.query('INSERT INTO vt_orders SELECT g, g * 1.5 FROM generate_series(1, 2000) g');
    // Two statements the objective selects (different costs) and one it must not.
    const traffic = async () => {
      for (let i = 0; i < 20; i++) {
        await app.query('SELECT pg_sleep($1::float8), count(*) FROM vt_orders WHERE id > $2', [0.002 + (i % 4) * 0.001, i]);
        await app.query('SELECT sum(total) FROM vt_orders WHERE id < $1', [i * 50]);
        await app.query('SELECT pg_sleep(0.02)');
      }
    };
    const indicator = { match: MATCH, database: 'postgres', statistic: 'mean' as const };
    const file: LoadedSloFile = {
      path: 'slo/shop.yaml',
      slo: sloFileSchema.parse({
        apiVersion: 'vigil/v1',
        kind: 'ServiceLevels',
        service: 'shop',
        objectives: [{ name: 'orders', indicator: { postgresQueryLatency: indicator }, threshold: { max: '1s' } }],
      }),
    };
    const vigil = new PostgresSource('default', { connectionString: postgres.connectionString, timeout: 10_000 }, [file]);
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      await measuredBurst('postgres', traffic);
      const t0 = await sampleInto(vigil, store);
      await traffic();
      await sampleInto(vigil, store);
      const t1 = Date.now();
      await scrapesPass('postgres', 3);

      const own = new PostgresLatencyReader(
        { store, now: t1, windowMs: t1 - t0, staleAfterMs: 60_000 },
        { source: 'default', ...indicator },
      ).current();
      // pg_sleep of 2..5 ms in one statement and a fast sum in the other: a mean between.
      expect(own.value, JSON.stringify(own)).toBeGreaterThan(0.001);
      expect(own.value).toBeLessThan(0.02);

      const input = {
        name: 'orders',
        indicator: { postgresQueryLatency: { ...indicator, metrics: 'postgres_exporter', seriesMatch: { job: 'postgres' } } },
        threshold: { max: '1s' },
        window: `${WINDOW_S}s`,
      };
      const objective = objectiveSchema.parse(input);
      const query = indicatorQuery(objective) as ThresholdQuery;
      const rule = await promValue(query.value(WINDOW_S * 1000), Date.now());
      expect(Math.abs(rule - own.value!) / own.value!).toBeLessThanOrEqual(0.01);
      expect(Math.abs((await daemonReading(input)) - own.value!) / own.value!).toBeLessThanOrEqual(0.01);
    } finally {
      await vigil.close();
      await app.end();
    }
  }, 90_000);
});
