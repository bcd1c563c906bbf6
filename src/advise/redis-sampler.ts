import { Redis } from 'ioredis';
import { infoNumber, parseRedisInfo, type RedisInfo } from '../sources/redis/info-parser.js';
import type { RedisFacts, SampledKey } from './redis-advice.js';

/**
 * The I/O half of `vigil advise redis`: reads what the rules in redis-advice.ts need, and changes
 * nothing. INFO twice, `periodMs` apart (hits, misses, evictions, expirations and OOM errors are
 * counters: only their deltas say what the cache is doing now); CONFIG GET for the bound and the
 * policy; SCAN (never KEYS, which blocks the server) for up to `maxKeys` keys, each with TTL,
 * MEMORY USAGE and, under an LFU policy, OBJECT FREQ, pipelined per SCAN batch.
 */

export interface SampleOptions {
  periodMs: number;
  maxKeys: number;
  signal?: AbortSignal;
}

export function redisClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 10_000,
    retryStrategy: () => null,
    connectionName: 'vigil-advise',
  });
  client.on('error', () => undefined);
  return client;
}

function counters(info: RedisInfo) {
  const oom = /count=(\d+)/.exec(info.fields.get('errorstat_OOM') ?? '');
  return {
    hits: infoNumber(info, 'keyspace_hits') ?? 0,
    misses: infoNumber(info, 'keyspace_misses') ?? 0,
    evictions: infoNumber(info, 'evicted_keys') ?? 0,
    expirations: infoNumber(info, 'expired_keys') ?? 0,
    // INFO errorstats lists an error only once it happened (Redis 6.2 and later).
    oom: oom ? Number(oom[1]) : 0,
    runId: info.fields.get('run_id') ?? '',
  };
}

async function configValue(client: Redis, name: string): Promise<string> {
  const reply = (await client.call('CONFIG', 'GET', name)) as string[];
  return reply[1] ?? '';
}

async function sampleKeys(client: Redis, maxKeys: number, lfu: boolean): Promise<SampledKey[]> {
  const out: SampledKey[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 500);
    cursor = next;
    const batch = keys.slice(0, maxKeys - out.length);
    if (batch.length === 0) continue;
    const pipeline = client.pipeline();
    for (const key of batch) {
      pipeline.ttl(key);
      pipeline.call('MEMORY', 'USAGE', key);
      if (lfu) pipeline.call('OBJECT', 'FREQ', key);
    }
    const replies = (await pipeline.exec()) ?? [];
    const per = lfu ? 3 : 2;
    batch.forEach((key, i) => {
      const [ttlErr, ttl] = replies[i * per] ?? [];
      // A key that expired between SCAN and TTL (-2) is no longer there.
      if (ttlErr || ttl === -2) return;
      const bytes = replies[i * per + 1]?.[1];
      const freq = lfu ? replies[i * per + 2]?.[1] : null;
      out.push({ key, ttl: Number(ttl), bytes: typeof bytes === 'number' ? bytes : null, freq: typeof freq === 'number' ? freq : null });
    });
  } while (cursor !== '0' && out.length < maxKeys);
  return out;
}

export async function sampleRedis(client: Redis, options: SampleOptions): Promise<RedisFacts> {
  if (client.status === 'wait') await client.connect();
  const first = parseRedisInfo(await client.info('all'));
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.periodMs);
    options.signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const second = parseRedisInfo(await client.info('all'));
  const seconds = (Date.now() - started) / 1000;
  const a = counters(first);
  const b = counters(second);
  // A restart in between (a new run_id) started every counter again from 0.
  const delta = (x: number, y: number) => (a.runId === b.runId ? Math.max(0, y - x) : y);
  const policy = await configValue(client, 'maxmemory-policy');
  return {
    maxmemory: Number(await configValue(client, 'maxmemory')),
    policy,
    usedMemory: infoNumber(second, 'used_memory') ?? 0,
    keys: Number(await client.dbsize()),
    period: {
      seconds,
      hits: delta(a.hits, b.hits),
      misses: delta(a.misses, b.misses),
      evictions: delta(a.evictions, b.evictions),
      expirations: delta(a.expirations, b.expirations),
      oomErrors: delta(a.oom, b.oom),
    },
    sample: await sampleKeys(client, options.maxKeys, policy.endsWith('-lfu')),
  };
}
