// Faults under the real scheduler: Redis, PostgreSQL and Prometheus are stopped mid-run (one at a
// time, each an instance of this test's own so other tests are not disturbed). Each must be
// marked down at the next tick while the other sources keep sampling, come back up after its
// restart, and nothing may escape as an unhandled rejection or uncaught exception.
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../src/config/config.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { PostgresSource } from '../../src/sources/postgres/postgres-source.js';
import { ProbeSource } from '../../src/sources/probe/probe-source.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import { RedisSource } from '../../src/sources/redis/redis-source.js';
import { Scheduler } from '../../src/sources/scheduler.js';
import type { SourceHealth } from '../../src/sources/source.js';
import { SampleStore } from '../../src/store/sample-store.js';
import {
  type PostgresHandle,
  type PrometheusHandle,
  type RedisHandle,
  type ServiceControl,
  startPostgres,
  startPrometheus,
  startRedis,
} from '../harness/launchers.js';
import { freePort, sleep, waitFor } from '../harness/services.js';

const INTERVAL_MS = 1_000;
const SCHEDULE = '*/1 * * * * *';
const TIMEOUT_MS = 2_000;
/** The scheduler's jitter is at most 10 % of the interval. */
const JITTER_MS = 100;

const slo: LoadedSloFile = {
  path: 'slo/ml.yaml',
  slo: sloFileSchema.parse({
    apiVersion: 'vigil/v1',
    kind: 'ServiceLevels',
    service: 'ml-services',
    objectives: [
      { name: 'ml-query-latency', indicator: { postgresQueryLatency: { match: '%ml_learning%' } }, threshold: { max: '10ms' } },
      { name: 'prometheus-up', indicator: { promql: { query: 'max(up)' } }, threshold: { min: 1 } },
      { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%' },
    ],
  }),
};

describe('source faults under the scheduler', () => {
  let redis: RedisHandle;
  let postgres: PostgresHandle;
  let prometheus: PrometheusHandle;
  let http: Server;
  let scheduler: Scheduler;
  const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 10_000 });
  const escaped: unknown[] = [];
  const onRejection = (reason: unknown): void => void escaped.push(reason);
  const onException = (err: unknown): void => void escaped.push(err);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    [redis, postgres, prometheus] = await Promise.all([startRedis(), startPostgres(), startPrometheus()]);
    http = createServer((_req, res) => res.writeHead(200).end('ok'));
    const port = await freePort();
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));

    const timeout = TIMEOUT_MS;
    scheduler = new Scheduler({ store, stopTimeoutMs: 5_000 });
    const schedule = { schedule: SCHEDULE, timeoutMs: TIMEOUT_MS, maxBackoffMs: 2 * INTERVAL_MS };
    scheduler.add(new RedisSource('cache', { url: redis.url, timeout }), schedule);
    scheduler.add(new PostgresSource('default', { connectionString: postgres.connectionString, timeout }, [slo]), schedule);
    scheduler.add(new PrometheusSource('default', { url: prometheus.url, timeout }, [slo], SHIPPED_WINDOW_SETS), schedule);
    scheduler.add(new ProbeSource('default', { baseUrl: `http://127.0.0.1:${port}`, timeout }, [slo]), schedule);
    scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.close();
    await Promise.allSettled([redis?.stop(), postgres?.stop(), prometheus?.stop()]);
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });

  const health = (kind: string): SourceHealth => scheduler.health().find((h) => h.kind === kind)!;

  async function faultAndRecover(kind: 'redis' | 'postgres' | 'prometheus', service: ServiceControl): Promise<void> {
    await waitFor(() => scheduler.health().every((h) => h.up), { timeoutMs: 30_000, what: 'every source up' });

    await service.halt();
    const haltedAt = Date.now();
    await waitFor(() => !health(kind).up, { timeoutMs: 10_000, intervalMs: 20, what: `${kind} marked down` });
    const detectMs = Date.now() - haltedAt;
    // Down at the next tick: one interval, the jitter, and slack for a loaded 2-core machine.
    expect(detectMs).toBeLessThanOrEqual(INTERVAL_MS + JITTER_MS + 900);
    expect(health(kind).lastError).toBeTruthy();

    // The others keep sampling while it is down.
    await sleep(2 * INTERVAL_MS + JITTER_MS);
    for (const h of scheduler.health()) {
      if (h.kind === kind) continue;
      expect(h.up, `${h.kind} should stay up while ${kind} is down`).toBe(true);
      expect(h.lastSuccess!).toBeGreaterThan(haltedAt);
    }
    expect(health(kind).up).toBe(false);

    await service.restart();
    const restartedAt = Date.now();
    await waitFor(() => health(kind).up, { timeoutMs: 20_000, intervalMs: 50, what: `${kind} back up` });
    const recoverMs = Date.now() - restartedAt;
    // Backoff is capped at two intervals here.
    expect(recoverMs).toBeLessThanOrEqual(2 * INTERVAL_MS + INTERVAL_MS + JITTER_MS + 900);
    console.log(`${kind}: down after ${detectMs} ms, up ${recoverMs} ms after its restart`);
  }

  it('Redis stopped and restarted, without a reconnect storm', async () => {
    await faultAndRecover('redis', redis);
    // After recovery the source holds one connection: no new connections while it samples.
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      const received = async () => Number(/total_connections_received:(\d+)/.exec(await client.info('stats'))![1]);
      const before = await received();
      await sleep(3 * INTERVAL_MS);
      expect(await received()).toBe(before);
    } finally {
      client.disconnect();
    }
    expect(store.select('redis_keyspace_hits_total').length).toBe(2); // a new run_id after the restart
  });

  it('PostgreSQL stopped and restarted', async () => {
    await faultAndRecover('postgres', postgres);
  });

  it('Prometheus stopped and restarted', async () => {
    await faultAndRecover('prometheus', prometheus);
    const values = store.select('promql_value', (l) => l.objective === 'prometheus-up');
    expect(values).toHaveLength(1);
    const last = values[0]!.buffer;
    expect(last.timeAt(last.length - 1)).toBeGreaterThan(Date.now() - 5_000);
  });

  it('let nothing escape as an unhandled rejection or uncaught exception', async () => {
    await sleep(500);
    expect(escaped).toEqual([]);
  });
});
