import type { Point } from '../../store/point.js';
import { infoNumber, type RedisInfo } from './info-parser.js';

/** Store series names the Redis source writes (the contract with the evaluator and /metrics). */
export const REDIS_METRICS = {
  hits: 'redis_keyspace_hits_total',
  misses: 'redis_keyspace_misses_total',
  usedMemory: 'redis_used_memory_bytes',
  connectedClients: 'redis_connected_clients',
  evictedKeys: 'redis_evicted_keys_total',
  dbKeys: 'redis_db_keys',
} as const;

const FIELD_METRICS: ReadonlyArray<[field: string, metric: string]> = [
  ['keyspace_hits', REDIS_METRICS.hits],
  ['keyspace_misses', REDIS_METRICS.misses],
  ['used_memory', REDIS_METRICS.usedMemory],
  ['connected_clients', REDIS_METRICS.connectedClients],
  ['evicted_keys', REDIS_METRICS.evictedKeys],
];

/**
 * Points from one INFO reply. Counters stay raw; every series carries `run_id`, so a server
 * restart starts new series instead of looking like a counter that went backwards.
 */
export function redisInfoToPoints(source: string, info: RedisInfo, t: number): Point[] {
  const runId = info.fields.get('run_id') ?? '';
  const labels = { source, run_id: runId };
  const points: Point[] = [];
  for (const [field, metric] of FIELD_METRICS) {
    const value = infoNumber(info, field);
    if (value !== undefined) points.push({ metric, labels, t, value });
  }
  for (const [db, keys] of info.dbKeys) {
    points.push({ metric: REDIS_METRICS.dbKeys, labels: { source, run_id: runId, db }, t, value: keys });
  }
  return points;
}

const COUNTERS = [REDIS_METRICS.hits, REDIS_METRICS.misses, REDIS_METRICS.evictedKeys];

/**
 * After a server restart (a new run_id) the counters started from zero when the server started.
 * Zero points at that moment (never before the previous sample) let the window functions count
 * the traffic between the restart and the first sample of the new run instead of losing it.
 */
export function restartBaseline(source: string, info: RedisInfo, t: number, previousSampleT: number): Point[] {
  const uptime = infoNumber(info, 'uptime_in_seconds');
  const runId = info.fields.get('run_id') ?? '';
  if (uptime === undefined) return [];
  // uptime is whole seconds (rounded down): one more second is surely before the start.
  const startedAt = Math.max(previousSampleT + 1, t - (uptime + 1) * 1000);
  if (startedAt >= t) return [];
  return COUNTERS.map((metric) => ({ metric, labels: { source, run_id: runId }, t: startedAt, value: 0 }));
}
