// The example ML-serving service against the harness Redis: predictions are cached with a TTL
// under a key that carries the model version; a repeated task is a hit and answers faster; a new
// model version stops reading the old answers. Also the optional PostgreSQL feature reads.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MlServingHandle, startMlServing } from '../../src/examples/ml-serving/start-ml-serving.js';
import { testServices } from '../harness/services.js';

const DECIDE = '/api/documentation-keeper/decide';

interface Decision {
  decision: string;
  probability: number;
  cache_hit: boolean;
  model_version: string;
  response_time_ms: number;
  inference_time_ms: number;
}

async function decide(base: string, task: string): Promise<Decision> {
  const res = await fetch(`${base}${DECIDE}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Decision;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('ml-serving with Redis', () => {
  let service: MlServingHandle;
  let redis: Redis;
  const prefix = `run-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    const { url } = testServices().redis;
    service = await startMlServing({ port: 0, redisUrl: url, cacheTtlSeconds: 120, defaultMetrics: false });
    redis = new Redis(url);
  });

  afterAll(async () => {
    await service?.close();
    await redis?.quit();
  });

  it('misses, then hits for the same task, and the hit is faster', async () => {
    expect(service.cacheKind).toBe('redis');
    const misses: number[] = [];
    const hits: number[] = [];
    let version = '';
    for (let i = 0; i < 25; i++) {
      const task = `${prefix} add a public endpoint for report ${i}`;
      const first = await decide(service.url, task);
      const second = await decide(service.url, task);
      expect(first.cache_hit).toBe(false);
      expect(second.cache_hit).toBe(true);
      expect(second.decision).toBe(first.decision);
      expect(second.probability).toBe(first.probability);
      expect(second.inference_time_ms).toBe(0);
      misses.push(first.response_time_ms);
      hits.push(second.response_time_ms);
      version = first.model_version;
    }
    // A miss does the inference and writes the answer back to Redis before replying; a hit is one GET.
    expect(median(hits)).toBeLessThan(median(misses));

    // The answer really lives in Redis, under the model version, with a TTL.
    const keys = await redis.keys(`ml:decide:${version}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(25);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('a model version change invalidates cached answers', async () => {
    const task = `${prefix} rename the CLI flag --output`;
    const before = await decide(service.url, task);
    expect((await decide(service.url, task)).cache_hit).toBe(true);
    const res = await fetch(`${service.url}/admin/model/retrain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { model_version: next, previous_version: prev } = (await res.json()) as { model_version: string; previous_version: string };
    expect(prev).toBe(before.model_version);
    expect(next).not.toBe(prev);
    const after = await decide(service.url, task);
    expect(after.cache_hit).toBe(false);
    expect(after.model_version).toBe(next);
    expect((await decide(service.url, task)).cache_hit).toBe(true);
  });

  it('refuses to start when the configured Redis is not reachable', async () => {
    await expect(startMlServing({ port: 0, redisUrl: 'redis://127.0.0.1:1', defaultMetrics: false })).rejects.toThrow(
      /Redis at redis:\/\/127.0.0.1:1 is not reachable/,
    );
  });
});

describe('ml-serving with PostgreSQL feature reads', () => {
  let service: MlServingHandle;

  beforeAll(async () => {
    service = await startMlServing({ port: 0, postgresUrl: testServices().postgres.connectionString, defaultMetrics: false });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('reads token priors from ml_learning_token_priors on a miss', async () => {
    const client = new pg.Client({ connectionString: testServices().postgres.connectionString });
    await client.connect();
    try {
      // A strong prior on a made-up token flips the decision: the read is real.
      const token = `zzprior${process.pid}`;
      const plain = await decide(service.url, `fix flaky internal unit test ${token}`);
      expect(plain.decision).toBe('no-docs');
      await client.query(
        'INSERT INTO ml_learning_token_priors (token, logit) VALUES ($1, 50) ON CONFLICT (token) DO UPDATE SET logit = 50',
        [token],
      );
      const boosted = await decide(service.url, `fix flaky internal unit test ${token} again`);
      expect(boosted.decision).toBe('needs-docs');
      const stats = await client.query<{ calls: string }>(
        "SELECT sum(calls)::text AS calls FROM pg_stat_statements WHERE query LIKE '%ml_learning_token_priors%' AND query LIKE 'SELECT%'",
      );
      expect(Number(stats.rows[0]?.calls ?? 0)).toBeGreaterThanOrEqual(2);
    } finally {
      await client.end();
    }
  });
});
