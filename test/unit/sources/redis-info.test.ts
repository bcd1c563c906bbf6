import { describe, expect, it } from 'vitest';
import { parseRedisInfo } from '../../../src/sources/redis/info-parser.js';
import { redisInfoToPoints, restartBaseline } from '../../../src/sources/redis/redis-points.js';

const INFO = [
  '# Server',
  'redis_version:7.0.15',
  'run_id:4f0c2b1f6e0d3a9c8b7a6f5e4d3c2b1a09f8e7d6',
  '',
  '# Clients',
  'connected_clients:3',
  '',
  '# Memory',
  'used_memory:1048576',
  'used_memory_human:1.00M',
  '',
  '# Stats',
  'keyspace_hits:80',
  'keyspace_misses:20',
  'evicted_keys:0',
  '',
  '# Keyspace',
  'db0:keys=12,expires=1,avg_ttl=0',
  'db3:keys=2,expires=0,avg_ttl=0',
  '',
].join('\r\n');

describe('redis INFO', () => {
  it('becomes raw points labelled with source and run_id', () => {
    const points = redisInfoToPoints('cache', parseRedisInfo(INFO), 1000);
    const byMetric = Object.fromEntries(points.filter((p) => p.metric !== 'redis_db_keys').map((p) => [p.metric, p.value]));
    expect(byMetric).toEqual({
      redis_keyspace_hits_total: 80,
      redis_keyspace_misses_total: 20,
      redis_used_memory_bytes: 1048576,
      redis_connected_clients: 3,
      redis_evicted_keys_total: 0,
    });
    for (const p of points) {
      expect(p.labels.source).toBe('cache');
      expect(p.labels.run_id).toBe('4f0c2b1f6e0d3a9c8b7a6f5e4d3c2b1a09f8e7d6');
      expect(p.t).toBe(1000);
    }
    const dbs = points.filter((p) => p.metric === 'redis_db_keys').map((p) => [p.labels.db, p.value]);
    expect(dbs).toEqual([
      ['db0', 12],
      ['db3', 2],
    ]);
  });

  it('skips fields that are missing or not numbers', () => {
    const points = redisInfoToPoints('x', parseRedisInfo('run_id:abc\r\nkeyspace_hits:oops\r\n'), 1);
    expect(points).toEqual([]);
  });
});

describe('redis restart baseline', () => {
  it('puts zero counters at the server start, never before the previous sample', () => {
    const info = parseRedisInfo('run_id:new\r\nuptime_in_seconds:10\r\n');
    const points = restartBaseline('cache', info, 100_000, 50_000);
    expect(points.map((p) => [p.metric, p.t, p.value])).toEqual([
      ['redis_keyspace_hits_total', 89_000, 0],
      ['redis_keyspace_misses_total', 89_000, 0],
      ['redis_evicted_keys_total', 89_000, 0],
    ]);
    expect(points[0]!.labels).toEqual({ source: 'cache', run_id: 'new' });
    // uptime longer than the gap: the baseline sits just after the previous sample
    expect(restartBaseline('cache', parseRedisInfo('run_id:n\r\nuptime_in_seconds:999\r\n'), 100_000, 95_000)[0]!.t).toBe(95_001);
  });
});
