// `vigil advise redis` on a real, badly set-up prediction cache: a small maxmemory with the
// `noeviction` policy, filled with session keys that never expire. New answers cannot be stored
// (every SET fails with OOM), so a repeated-task workload keeps missing. The advisor must
// recommend the fix and change nothing; with --apply it fixes it, and the hit ratio that vigil's
// own Redis source measures must rise. Own redis-server: the test changes its config.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adviseRedisCommand } from '../../src/cli/advise-redis.js';
import { seededRandom } from '../../src/compare/random.js';
import { redisHitRatio } from '../../src/sources/redis/hit-ratio.js';
import { RedisSource } from '../../src/sources/redis/redis-source.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type RedisHandle, startRedis } from '../harness/launchers.js';

const TASKS = 4000;
const ANSWER = 'x'.repeat(600);

/** Zipf(1) over task ids: a few tasks are asked again and again, most rarely (a prediction cache's traffic). */
function zipfPicker(seed: number): () => number {
  const weights = Array.from({ length: TASKS }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  const cumulative = weights.map((w) => (acc += w / total));
  const random = seededRandom(seed);
  return () => {
    const u = random.uniform();
    let lo = 0;
    let hi = TASKS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Read-through cache traffic: GET; on a miss compute and SET with a TTL (a refused write is only a lost answer). */
async function cacheTraffic(client: Redis, requests: number, seed: number): Promise<void> {
  const pick = zipfPicker(seed);
  for (let i = 0; i < requests; i += 50) {
    const ids = Array.from({ length: 50 }, pick);
    const answers = await Promise.all(ids.map((id) => client.get(`ml:decide:v1:${id}`)));
    await Promise.all(
      ids.map((id, j) => (answers[j] === null ? client.set(`ml:decide:v1:${id}`, ANSWER, 'EX', 600).catch(() => 'OOM') : 'hit')),
    );
  }
}

/** The hit ratio over one traffic run, as vigil's Redis source measures it. */
async function measuredHitRatio(url: string, traffic: () => Promise<void>): Promise<number> {
  const source = new RedisSource('cache', { url, timeout: 5_000 });
  const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 100 });
  try {
    const sample = async () => {
      for (const p of (await source.sample(AbortSignal.timeout(10_000))).points) store.append(p);
      await new Promise((r) => setTimeout(r, 5));
    };
    await sample();
    const from = Date.now() - 1;
    await traffic();
    await sample();
    return redisHitRatio(store, 'cache', from - 1000, Date.now())!.ratio;
  } finally {
    await source.close();
  }
}

describe('vigil advise redis', () => {
  let redis: RedisHandle;
  let client: Redis;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-advise-redis-'));

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    await client.config('SET', 'maxmemory', String(8 * 2 ** 20));
    await client.config('SET', 'maxmemory-policy', 'noeviction');
    // Sessions someone stored without a TTL fill the instance to its bound.
    for (let i = 0; ; i += 100) {
      const batch = client.pipeline();
      for (let j = 0; j < 100; j++) batch.set(`session:${i + j}`, 'y'.repeat(1000));
      const replies = (await batch.exec()) ?? [];
      if (replies.some(([err]) => err)) break;
    }
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('recommends the fix, changes nothing without --apply, and the measured hit ratio rises after --apply', async () => {
    await cacheTraffic(client, 2000, 1); // warm-up: whatever fits is cached
    const before = await measuredHitRatio(redis.url, () => cacheTraffic(client, 6000, 2));

    const out = join(dir, 'redis-ml-cache-config.sh');
    const log = console.log;
    const lines: string[] = [];
    console.log = (t: string) => lines.push(t);
    try {
      const [code] = await Promise.all([
        adviseRedisCommand({ url: redis.url, source: 'default', period: '3s', keys: '20000', out }),
        cacheTraffic(client, 3000, 3),
      ]);
      expect(code).toBe(0);
    } finally {
      console.log = log;
    }
    const script = readFileSync(out, 'utf8');
    expect(script).toMatch(/^#!\/bin\/sh\n/);
    expect(script).toContain('$REDIS_CLI CONFIG SET maxmemory-policy allkeys-lfu');
    expect(script).toMatch(/why: maxmemory-policy is noeviction: at the bound every write fails \(\d+ OOM errors in the period\)/);
    expect(script).toMatch(/\$REDIS_CLI EXPIRE session:\d+ 3600/);
    expect(script).not.toMatch(/FLUSH|CONFIG REWRITE\n/);
    expect(lines.join('\n')).toMatch(/nothing was changed/);
    // Nothing changed without --apply.
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await client.ttl('session:0')).toBe(-1);

    console.log = (t: string) => lines.push(t);
    try {
      expect(await adviseRedisCommand({ url: redis.url, source: 'default', period: '1s', keys: '20000', out, apply: true })).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines.some((l) => l === 'running: CONFIG SET maxmemory-policy allkeys-lfu')).toBe(true);
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lfu']);

    await cacheTraffic(client, 2000, 1);
    const after = await measuredHitRatio(redis.url, () => cacheTraffic(client, 6000, 2));
    console.log(`hit ratio measured by vigil: before ${before.toFixed(3)}, after ${after.toFixed(3)}`);
    expect(after).toBeGreaterThan(before + 0.2);
  });
});
