import type { z } from 'zod';
import type { distributionSchema, recommendationSchema, redisAdviceSchema, redisFactsSchema, sampledKeySchema } from './advice-schema.js';
/**
 * Recommendations for a Redis instance used as a prediction cache, from facts an advisor sampled
 * (INFO, CONFIG GET, counter deltas over a period, a SCAN sample of keys). Pure: facts in,
 * recommendations out; each recommendation carries its reason (the facts that triggered it) and
 * the exact commands that carry it out, which the script writer and `--apply` both use.
 *
 * Why these rules, for a cache of model answers (recomputable, read-heavy, a hot set):
 *  - the instance must be bounded (`maxmemory`), or the cache grows until the host swaps or the
 *    OOM killer ends it;
 *  - at the bound it must evict, not refuse writes: under `noeviction` a full cache answers every
 *    SET with an OOM error, so new answers are never stored and the hit ratio decays;
 *  - it should evict by frequency (`allkeys-lfu`): a prediction cache has a hot set of repeated
 *    tasks; LFU keeps it where LRU lets a burst of one-off tasks push it out. `allkeys-*` rather
 *    than `volatile-*`, because keys without a TTL are otherwise never evicted;
 *  - every key needs a TTL: an answer of an old model version, or of a task never asked again,
 *    should expire rather than occupy memory until evicted;
 *  - evictions while the cache still misses often mean the bound is too small for the hot set.
 */

export type SampledKey = z.infer<typeof sampledKeySchema>;

export type RedisFacts = z.infer<typeof redisFactsSchema>;

export type Recommendation = z.infer<typeof recommendationSchema>;

export type Distribution = z.infer<typeof distributionSchema>;

export type RedisAdvice = z.infer<typeof redisAdviceSchema>;

export interface AdviceOptions {
  /** TTL for keys that have none, when the sample shows no TTL in use to copy. */
  readonly defaultTtlSeconds: number;
  /** maxmemory to propose when there is none and the sample cannot size one. */
  readonly minMaxmemoryBytes: number;
  /** At most this many EXPIRE commands (one per sampled key without TTL). */
  readonly maxExpireCommands: number;
}

export const DEFAULT_ADVICE_OPTIONS: AdviceOptions = { defaultTtlSeconds: 3600, minMaxmemoryBytes: 64 * 2 ** 20, maxExpireCommands: 1000 };

/** Parameters `--apply` may set: the cache's bound and eviction, nothing about persistence or security. */
export const APPLICABLE_CONFIG = new Set(['maxmemory', 'maxmemory-policy', 'maxmemory-samples', 'lfu-log-factor', 'lfu-decay-time']);

function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, p50: null, p90: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1]! };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

/** Rounds up to a whole MiB, so the setting reads well. */
const wholeMib = (bytes: number) => Math.ceil(bytes / 2 ** 20) * 2 ** 20;

export function adviseRedis(facts: RedisFacts, options: AdviceOptions = DEFAULT_ADVICE_OPTIONS): RedisAdvice {
  const lookups = facts.period.hits + facts.period.misses;
  const hitRatio = lookups > 0 ? facts.period.hits / lookups : null;
  const noTtl = facts.sample.filter((k) => k.ttl < 0);
  const withTtl = facts.sample.filter((k) => k.ttl >= 0);
  const sizes = facts.sample.flatMap((k) => (k.bytes === null ? [] : [k.bytes]));
  const advice = {
    hitRatio,
    withoutTtl: noTtl.length,
    ttlSeconds: distribution(withTtl.map((k) => k.ttl)),
    sizeBytes: distribution(sizes),
    freq: distribution(facts.sample.flatMap((k) => (k.freq === null ? [] : [k.freq]))),
  };
  const recommendations: Recommendation[] = [];
  const ratioText = hitRatio === null ? 'no lookups in the period' : `hit ratio ${pct(hitRatio)} over ${facts.period.seconds.toFixed(0)} s`;

  if (facts.maxmemory === 0) {
    const proposed = Math.max(options.minMaxmemoryBytes, wholeMib(facts.usedMemory * 1.5));
    recommendations.push({
      id: 'bound-memory',
      title: `set maxmemory to ${mib(proposed)}`,
      reason: `maxmemory is 0 (unbounded); ${mib(facts.usedMemory)} used by ${facts.keys} keys`,
      effect: 'the cache stays within a known size instead of growing until the host runs out of memory',
      commands: [['CONFIG', 'SET', 'maxmemory', String(proposed)]],
    });
  } else if (facts.period.evictions > 0 && hitRatio !== null && hitRatio < 0.8 && facts.usedMemory >= 0.9 * facts.maxmemory) {
    const proposed = wholeMib(facts.maxmemory * 2);
    recommendations.push({
      id: 'raise-memory',
      title: `raise maxmemory from ${mib(facts.maxmemory)} to ${mib(proposed)}`,
      reason: `${facts.period.evictions} evictions in ${facts.period.seconds.toFixed(0)} s at ${mib(facts.usedMemory)} of ${mib(facts.maxmemory)}, with ${ratioText}`,
      effect: 'fewer hot answers evicted before they are read again; check the host has the memory',
      commands: [['CONFIG', 'SET', 'maxmemory', String(proposed)]],
    });
  }

  const wantedPolicy = 'allkeys-lfu';
  if (facts.policy !== wantedPolicy && facts.policy !== 'allkeys-lru') {
    const why =
      facts.policy === 'noeviction'
        ? `maxmemory-policy is noeviction: at the bound every write fails${facts.period.oomErrors ? ` (${facts.period.oomErrors} OOM errors in the period)` : ''}, so new answers are never cached (${ratioText}, ${mib(facts.usedMemory)} of ${facts.maxmemory ? mib(facts.maxmemory) : 'unbounded'})`
        : facts.policy.startsWith('volatile-')
          ? `maxmemory-policy is ${facts.policy}: only keys with a TTL are evicted, and ${noTtl.length} of ${facts.sample.length} sampled keys have none`
          : `maxmemory-policy is ${facts.policy}`;
    recommendations.push({
      id: 'evict-lfu',
      title: `set maxmemory-policy to ${wantedPolicy}`,
      reason: why,
      effect: 'at the bound Redis evicts the least frequently used answers and keeps caching the hot set',
      commands: [['CONFIG', 'SET', 'maxmemory-policy', wantedPolicy]],
    });
  } else if (facts.policy === 'allkeys-lru' && hitRatio !== null && hitRatio < 0.8 && facts.period.evictions > 0) {
    recommendations.push({
      id: 'evict-lfu',
      title: `set maxmemory-policy to ${wantedPolicy}`,
      reason: `allkeys-lru with ${facts.period.evictions} evictions and ${ratioText}: recency lets one-off tasks push out repeated ones`,
      effect: 'evictions pick rarely read answers, so the repeated tasks stay cached',
      commands: [['CONFIG', 'SET', 'maxmemory-policy', wantedPolicy]],
    });
  }

  if (noTtl.length > 0) {
    const ttl = advice.ttlSeconds.p90 !== null && advice.ttlSeconds.p90 > 0 ? Math.ceil(advice.ttlSeconds.p90) : options.defaultTtlSeconds;
    const share = facts.sample.length ? noTtl.length / facts.sample.length : 0;
    const bytes = noTtl.reduce((s, k) => s + (k.bytes ?? 0), 0);
    const expire = noTtl.slice(0, options.maxExpireCommands);
    recommendations.push({
      id: 'expire-keys',
      title: `give ${expire.length} sampled keys without a TTL a TTL of ${ttl} s`,
      reason: `${noTtl.length} of ${facts.sample.length} sampled keys (${pct(share)}, ${mib(bytes)}) have no TTL; about ${Math.round(share * facts.keys)} of ${facts.keys} keys in all. ${withTtl.length ? `Keys with a TTL have up to ${advice.ttlSeconds.p90} s left (p90)` : 'No sampled key has a TTL'}`,
      effect: 'stale answers expire instead of holding memory; fix the writer too (SET ... EX), or new keys come without a TTL again',
      commands: expire.map((k) => ['EXPIRE', k.key, String(ttl)]),
    });
  }

  return { ...advice, recommendations };
}

/** Whether `--apply` may run a command: only what this advisor writes, never FLUSHALL and friends. */
export function isApplicable(command: readonly string[], allowRewrite: boolean): boolean {
  const [verb, sub, param] = command.map((c) => c.toUpperCase());
  if (verb === 'EXPIRE') return command.length === 3 && /^\d+$/.test(command[2]!);
  if (verb === 'CONFIG' && sub === 'SET') return param !== undefined && APPLICABLE_CONFIG.has(param.toLowerCase()) && command.length === 4;
  if (verb === 'CONFIG' && sub === 'REWRITE') return allowRewrite && command.length === 2;
  return false;
}
