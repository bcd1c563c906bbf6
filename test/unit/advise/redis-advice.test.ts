import { describe, expect, it } from 'vitest';
import { adviseRedis, isApplicable, type RedisFacts } from '../../../src/advise/redis-advice.js';
import { redisScript } from '../../../src/advise/redis-script.js';
import { shellQuote } from '../../../src/advise/shell-script.js';

const MiB = 2 ** 20;
const facts = (over: Partial<RedisFacts> = {}): RedisFacts => ({
  maxmemory: 100 * MiB,
  policy: 'allkeys-lfu',
  usedMemory: 50 * MiB,
  keys: 1000,
  period: { seconds: 10, hits: 900, misses: 100, evictions: 0, expirations: 5, oomErrors: 0 },
  sample: [
    { key: 'ml:decide:v1:a', ttl: 300, bytes: 700, freq: 5 },
    { key: 'ml:decide:v1:b', ttl: 120, bytes: 700, freq: 1 },
  ],
  ...over,
});

const ids = (f: RedisFacts) => adviseRedis(f).recommendations.map((r) => r.id);

describe('Redis advice rules', () => {
  it('a bounded LFU cache whose keys expire needs nothing', () => {
    const advice = adviseRedis(facts());
    expect(advice.recommendations).toEqual([]);
    expect(advice.hitRatio).toBe(0.9);
    expect(advice.ttlSeconds).toEqual({ count: 2, p50: 300, p90: 300, max: 300 });
  });

  it('unbounded: proposes maxmemory of 1.5 × used, at least 64 MiB, in whole MiB', () => {
    const r = adviseRedis(facts({ maxmemory: 0, usedMemory: 100 * MiB + 1 })).recommendations[0]!;
    expect(r.id).toBe('bound-memory');
    expect(r.commands).toEqual([['CONFIG', 'SET', 'maxmemory', String(151 * MiB)]]);
    expect(adviseRedis(facts({ maxmemory: 0, usedMemory: MiB })).recommendations[0]!.commands[0]![3]).toBe(String(64 * MiB));
  });

  it('noeviction: recommends allkeys-lfu and says how many writes failed', () => {
    const r = adviseRedis(facts({ policy: 'noeviction', period: { ...facts().period, oomErrors: 42 } })).recommendations;
    expect(r.map((x) => x.id)).toEqual(['evict-lfu']);
    expect(r[0]!.reason).toMatch(/noeviction: at the bound every write fails \(42 OOM errors in the period\)/);
    expect(r[0]!.commands).toEqual([['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu']]);
  });

  it('volatile policy with keys without TTL: LFU over all keys, and TTLs copied from the keys that have one', () => {
    const f = facts({ policy: 'volatile-lru', sample: [...facts().sample, { key: 'session:1', ttl: -1, bytes: 1000, freq: null }] });
    expect(ids(f)).toEqual(['evict-lfu', 'expire-keys']);
    const expire = adviseRedis(f).recommendations[1]!;
    expect(expire.commands).toEqual([['EXPIRE', 'session:1', '300']]);
    expect(expire.reason).toMatch(/^1 of 3 sampled keys \(33\.3 %, 0\.0 MiB\) have no TTL; about 333 of 1000 keys/);
  });

  it('evictions with a poor hit ratio at the bound: raise maxmemory', () => {
    const f = facts({ usedMemory: 99 * MiB, period: { ...facts().period, hits: 300, misses: 700, evictions: 5000 } });
    expect(ids(f)).toEqual(['raise-memory']);
    expect(adviseRedis(f).recommendations[0]!.commands).toEqual([['CONFIG', 'SET', 'maxmemory', String(200 * MiB)]]);
  });
});

describe('what --apply may run', () => {
  it('only the advisor own commands; never FLUSHALL, DEL, other CONFIG SETs; REWRITE only when asked', () => {
    expect(isApplicable(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'], false)).toBe(true);
    expect(isApplicable(['EXPIRE', 'k', '60'], false)).toBe(true);
    expect(isApplicable(['EXPIRE', 'k', '-1'], false)).toBe(false);
    expect(isApplicable(['FLUSHALL'], true)).toBe(false);
    expect(isApplicable(['DEL', 'k'], true)).toBe(false);
    expect(isApplicable(['CONFIG', 'SET', 'requirepass', 'x'], true)).toBe(false);
    expect(isApplicable(['CONFIG', 'SET', 'dir', '/tmp'], true)).toBe(false);
    expect(isApplicable(['CONFIG', 'REWRITE'], false)).toBe(false);
    expect(isApplicable(['CONFIG', 'REWRITE'], true)).toBe(true);
  });
});

describe('the script', () => {
  it('quotes keys for the shell and comments every block', () => {
    expect(shellQuote("it's a key")).toBe(`'it'\\''s a key'`);
    expect(shellQuote('ml:decide:v1:a')).toBe('ml:decide:v1:a');
    const f = facts({ policy: 'noeviction', sample: [{ key: "odd key'$(rm)", ttl: -1, bytes: 10, freq: null }] });
    const script = redisScript(adviseRedis(f), { target: 'redis://127.0.0.1:6379', generatedAt: '2026-12-01T00:00:00Z', rewrite: false });
    expect(script).toContain(`$REDIS_CLI EXPIRE 'odd key'\\''$(rm)' 3600`);
    expect(script).toMatch(/# 1\. set maxmemory-policy to allkeys-lfu\n# {4}why: maxmemory-policy is noeviction/);
    expect(script).not.toContain('$REDIS_CLI CONFIG REWRITE');
  });
});
