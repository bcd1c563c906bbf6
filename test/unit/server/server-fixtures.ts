import { deepFreeze } from '../../../src/core/freeze.js';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import type { Snapshot } from '../../../src/snapshot/snapshot-schema.js';
import { configWith, container, fill, MIN, NOW, newStore, S } from '../evaluate/evaluate-fixtures.js';

/** A healthy ml-services snapshot: probes up, P95 42 ms, containers in bounds, cache 90 %. */
export function healthySnapshot(): Snapshot {
  return healthyFixture().snapshot;
}

/** The healthy snapshot and the store it was evaluated from (the history API reads the store). */
export function healthyFixture(): { snapshot: Snapshot; store: ReturnType<typeof newStore> } {
  const config = configWith([
    {
      name: 'decide-latency-p95',
      indicator: { latency: { histogram: 'http_request_duration_seconds{route="/decide"}', quantile: 0.95 } },
      threshold: { max: '50ms' },
    },
    { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%' },
    { name: 'serving-memory', indicator: { containerMemory: { containers: 'ml-serving*' } }, threshold: { max: '2GB' } },
    { name: 'serving-cpu', indicator: { containerCpu: { containers: 'ml-serving*' } }, threshold: { max: '60%' } },
    { name: 'cache', indicator: { redisHitRatio: {} }, threshold: { min: '80%' } },
    { name: 'leak', indicator: { memoryLeak: { containers: 'ml-serving*' } } },
  ]);
  const store = newStore();
  fill(
    store,
    'promql_value',
    { source: 'default', service: 'ml-services', objective: 'decide-latency-p95', part: 'value', window: '5m' },
    NOW - MIN,
    NOW,
    15 * S,
    () => 0.042,
  );
  fill(store, 'probe_success', { source: 'default', url: 'http://127.0.0.1:8095/health' }, NOW - 10 * MIN, NOW, 15 * S, () => 1);
  fill(store, 'container_memory_working_set_bytes', container('ml-serving-1'), NOW - MIN, NOW, 15 * S, () => 300e6);
  fill(store, 'container_cpu_usage_ratio', container('ml-serving-1'), NOW - MIN, NOW, 15 * S, () => 0.125);
  fill(store, 'redis_keyspace_hits_total', { source: 'default', run_id: 'r' }, NOW - MIN, NOW, 15 * S, (_t, i) => i * 90);
  fill(store, 'redis_keyspace_misses_total', { source: 'default', run_id: 'r' }, NOW - MIN, NOW, 15 * S, (_t, i) => i * 10);
  const health = [
    {
      kind: 'redis' as const,
      name: 'default',
      up: false,
      lastSuccess: NOW - 30 * S,
      lastError: 'connect ECONNREFUSED redis://:hunter2secret@127.0.0.1:6379',
      consecutiveFailures: 2,
      lastDurationMs: 3,
    },
    { kind: 'docker' as const, name: 'default', up: true, lastSuccess: NOW, lastError: null, consecutiveFailures: 0, lastDurationMs: 1000 },
    { kind: 'postgres' as const, name: 'other', up: true, lastSuccess: NOW, lastError: null, consecutiveFailures: 0, lastDurationMs: 4 },
  ];
  return { snapshot: deepFreeze(evaluate(config, store, NOW, { sources: health })), store };
}
