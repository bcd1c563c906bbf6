// The Docker Engine goes away mid-run: the docker source is marked down within one interval
// while another source (a real Redis) keeps sampling, comes back up after the engine restarts,
// and nothing ends as an unhandled rejection. Uses its OWN engine, so other tests are undisturbed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSourceSchema, redisSourceSchema } from '../../src/config/daemon-schema.js';
import { DOCKER_METRICS, DockerSource } from '../../src/sources/docker/docker-source.js';
import { RedisSource } from '../../src/sources/redis/redis-source.js';
import { Scheduler } from '../../src/sources/scheduler.js';
import type { SourceHealth } from '../../src/sources/source.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type DockerHandle, startDocker, waitFor } from '../harness/launchers.js';
import { runContainer, testServices } from '../harness/services.js';

const INTERVAL_MS = 2_000;
const SCHEDULE = '*/2 * * * * *';

let engine: DockerHandle;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  engine = await startDocker();
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await engine?.stop();
});

describe('docker source when the engine stops and restarts', () => {
  it('is down within one interval while redis keeps sampling, then comes back', async () => {
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    const name = `vdf-${process.pid}`;
    await runContainer(engine, { name, cmd: ['sleep', '3600'] });
    const docker = new DockerSource({
      name: 'own',
      config: dockerSourceSchema.parse({ socketPath: engine.socketPath }),
      selectors: [{ containers: name }],
    });
    const redis = new RedisSource('cache', redisSourceSchema.parse({ url: testServices().redis.url, timeout: '2s' }));
    const scheduler = new Scheduler({ store });
    // Backoff capped at two intervals, so "back up" is observed within seconds.
    scheduler.add(docker, { schedule: SCHEDULE, timeoutMs: 5_000, maxBackoffMs: 2 * INTERVAL_MS });
    scheduler.add(redis, { schedule: SCHEDULE, timeoutMs: 5_000 });
    const health = (n: string): SourceHealth => scheduler.health().find((h) => h.name === n)!;
    scheduler.start();
    try {
      await waitFor(() => health('own').up && health('cache').up, { timeoutMs: 15_000, what: 'both sources up' });
      expect(store.select(DOCKER_METRICS.workingSet, (l) => l.container === name)).toHaveLength(1);

      await engine.halt();
      const haltedAt = Date.now();
      const redisBefore = health('cache').lastSuccess!;
      await waitFor(() => !health('own').up, { timeoutMs: 10_000, what: 'docker marked down' });
      const downAfter = Date.now() - haltedAt;
      // One interval, plus the jitter (≤ 10 %) and a little slack for a loaded machine.
      expect(downAfter).toBeLessThanOrEqual(INTERVAL_MS * 1.1 + 500);
      const down = health('own');
      expect(down.lastError).toMatch(/ENOENT|ECONNREFUSED|socket hang up|ECONNRESET/);
      expect(down.consecutiveFailures).toBeGreaterThanOrEqual(1);
      expect(down.lastSuccess).not.toBeNull();

      // Redis keeps sampling through the outage.
      await waitFor(() => health('cache').lastSuccess! > redisBefore + INTERVAL_MS, { timeoutMs: 10_000, what: 'redis sampling on' });
      expect(health('cache')).toMatchObject({ up: true, consecutiveFailures: 0 });
      expect(health('own').up).toBe(false);

      await engine.restart();
      const restartedAt = Date.now();
      await waitFor(() => health('own').up, { timeoutMs: 20_000, what: 'docker back up' });
      expect(Date.now() - restartedAt).toBeLessThan(3 * INTERVAL_MS + 5_000);
      expect(health('own')).toMatchObject({ up: true, lastError: null, consecutiveFailures: 0 });
      expect(health('cache').up).toBe(true);
    } finally {
      await scheduler.close();
    }
    expect(unhandled).toEqual([]);
  });
});
