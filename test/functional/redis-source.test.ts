// The Redis source against real redis-server instances. Keyspace hit/miss counters are
// server-wide, so the exact-ratio tests use their own instance: traffic from other test files on
// the shared one would change the figures.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hitRatioOverWindow } from '../../src/sources/redis/hit-ratio.js';
import { RedisSource } from '../../src/sources/redis/redis-source.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type RedisHandle, startRedis } from '../harness/launchers.js';
import { testServices } from '../harness/services.js';

const config = (url: string) => ({ url, timeout: 5_000 });

async function sampleInto(source: RedisSource, store: SampleStore): Promise<number> {
  const result = await source.sample(AbortSignal.timeout(10_000));
  for (const p of result.points) store.append(p);
  // Keep successive samples on distinct milliseconds (the store ignores a repeated timestamp).
  await new Promise((r) => setTimeout(r, 5));
  return result.points.at(-1)?.t ?? Number.NaN;
}

async function traffic(client: Redis, hits: number, misses: number): Promise<void> {
  for (let i = 0; i < hits; i++) expect(await client.get('present')).toBe('yes');
  for (let i = 0; i < misses; i++) expect(await client.get(`absent-${i}`)).toBeNull();
}

const hitsAndMisses = (store: SampleStore) => [
  ...store.select('redis_keyspace_hits_total'),
  ...store.select('redis_keyspace_misses_total'),
];

describe('Redis source (own instance)', () => {
  let redis: RedisHandle;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.set('present', 'yes');
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('a known number of hits and misses gives exactly that ratio', async () => {
    const source = new RedisSource('cache', config(redis.url));
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      const t0 = await sampleInto(source, store);
      await traffic(client, 30, 10);
      const t1 = await sampleInto(source, store);
      expect(hitRatioOverWindow(hitsAndMisses(store), t0, t1)).toEqual({ ratio: 0.75, hits: 30, misses: 10 });

      const labels = store.select('redis_keyspace_hits_total')[0]!.labels;
      expect(labels.source).toBe('cache');
      expect(labels.run_id).toMatch(/^[0-9a-f]{40}$/);
      const memory = store.select('redis_used_memory_bytes')[0]!;
      expect(memory.buffer.valueAt(0)).toBeGreaterThan(100_000);
      const clients = store.select('redis_connected_clients')[0]!;
      expect(clients.buffer.valueAt(0)).toBeGreaterThanOrEqual(2);
      const db0 = store.select('redis_db_keys', (l) => l.db === 'db0')[0]!;
      expect(db0.buffer.valueAt(db0.buffer.length - 1)).toBe(1);
    } finally {
      await source.close();
    }
  });

  it('CONFIG RESETSTAT between samples gives no negative or absurd ratio', async () => {
    const source = new RedisSource('cache', config(redis.url));
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      const t0 = await sampleInto(source, store);
      await traffic(client, 20, 20);
      await sampleInto(source, store);
      await client.config('RESETSTAT');
      await traffic(client, 8, 2);
      const t2 = await sampleInto(source, store);

      const hits = store.select('redis_keyspace_hits_total')[0]!;
      expect(hits.buffer.valueAt(hits.buffer.length - 1)).toBe(8); // the counter really went down
      const r = hitRatioOverWindow(hitsAndMisses(store), t0, t2)!;
      expect(r).toEqual({ ratio: 28 / 50, hits: 28, misses: 22 });
      expect(r.ratio).toBeGreaterThanOrEqual(0);
      expect(r.ratio).toBeLessThanOrEqual(1);
    } finally {
      await source.close();
    }
  });

  it('a server restart (new run_id) starts new series and still counts the traffic after it', async () => {
    const source = new RedisSource('cache', config(redis.url));
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      const t0 = await sampleInto(source, store);
      await traffic(client, 50, 0);
      await sampleInto(source, store);
      await redis.restart();
      await client.set('present', 'yes'); // ioredis reconnects the test client on its own
      await traffic(client, 6, 4);
      const t2 = await sampleInto(source, store);
      const runIds = new Set(store.select('redis_keyspace_hits_total').map((s) => s.labels.run_id));
      expect(runIds.size).toBe(2);
      expect(hitRatioOverWindow(hitsAndMisses(store), t0, t2)).toEqual({ ratio: 56 / 60, hits: 56, misses: 4 });
    } finally {
      await source.close();
    }
  });

  it('works as a least-privilege ACL user that may only run INFO, PING and CLIENT SETNAME', async () => {
    await client.call(
      'ACL',
      'SETUSER',
      'vigil',
      'on',
      '>vigil-secret',
      'resetkeys',
      'resetchannels',
      '-@all',
      '+info',
      '+ping',
      '+client|setname',
    );
    const source = new RedisSource('acl', config(`redis://vigil:vigil-secret@127.0.0.1:${redis.port}`));
    try {
      const result = await source.sample(AbortSignal.timeout(10_000));
      expect(result.points.some((p) => p.metric === 'redis_keyspace_hits_total')).toBe(true);
    } finally {
      await source.close();
      await client.call('ACL', 'DELUSER', 'vigil');
    }
  });

  it('takes the password from the URL', async () => {
    await client.config('SET', 'requirepass', 'p@ss word');
    const withPassword = new RedisSource('secured', config(`redis://:${encodeURIComponent('p@ss word')}@127.0.0.1:${redis.port}`));
    const without = new RedisSource('open', config(redis.url));
    try {
      const result = await withPassword.sample(AbortSignal.timeout(10_000));
      expect(result.points.length).toBeGreaterThan(5);
      await expect(without.sample(AbortSignal.timeout(10_000))).rejects.toThrow(/NOAUTH|auth/i);
    } finally {
      await withPassword.close();
      await without.close();
      await client.auth('p@ss word');
      await client.config('SET', 'requirepass', '');
    }
  });
});

describe('Redis source (shared instance)', () => {
  it('samples the harness Redis and fails fast, naming the source, when nothing listens', async () => {
    const { redis } = testServices();
    const source = new RedisSource('default', config(redis.url));
    const dead = new RedisSource('gone', { url: 'redis://127.0.0.1:1', timeout: 2_000 });
    try {
      const result = await source.sample(AbortSignal.timeout(10_000));
      expect(result.points.map((p) => p.metric)).toEqual(
        expect.arrayContaining(['redis_keyspace_hits_total', 'redis_keyspace_misses_total', 'redis_used_memory_bytes']),
      );
      const started = Date.now();
      await expect(dead.sample(AbortSignal.timeout(10_000))).rejects.toThrow(/redis gone \(redis:\/\/127\.0\.0\.1:1\).*ECONNREFUSED/);
      expect(Date.now() - started).toBeLessThan(2_500);
      // A second attempt connects again (no client left stuck in a reconnect loop).
      await expect(dead.sample(AbortSignal.timeout(10_000))).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await source.close();
      await dead.close();
    }
  });
});
