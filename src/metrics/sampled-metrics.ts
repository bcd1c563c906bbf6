import type { Registry } from 'prom-client';
import type { SampleStore } from '../store/sample-store.js';
import { type CachedSample, cachedCounter, cachedGauge } from './cached-metric.js';
import { latestValues } from './latest-values.js';

const CACHED = "Cached from the last sample at the source's schedule.";

const DOCKER_LABELS = ['source', 'container', 'container_id', 'started_at'] as const;
const REDIS_LABELS = ['source', 'run_id'] as const;
const POSTGRES_LABELS = ['source', 'dbid', 'userid', 'queryid', 'database', 'selector'] as const;
const PROBE_LABELS = ['source', 'url'] as const;
const PROMQL_LABELS = ['source', 'service', 'objective', 'part', 'window'] as const;

/** One store series exported as `vigil_<store name>`: the store names are the contract. */
interface SampledMetric {
  readonly store: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly labelNames: readonly string[];
}

export const SAMPLED_METRICS: readonly SampledMetric[] = [
  {
    store: 'container_memory_working_set_bytes',
    type: 'gauge',
    labelNames: DOCKER_LABELS,
    help: 'Container memory working set (usage minus inactive file cache), as docker stats shows it.',
  },
  { store: 'container_memory_limit_bytes', type: 'gauge', labelNames: DOCKER_LABELS, help: 'Container memory limit.' },
  {
    store: 'container_cpu_usage_ratio',
    type: 'gauge',
    labelNames: DOCKER_LABELS,
    help: 'Container CPU usage; 1 = one full core (docker stats CPU % / 100).',
  },
  {
    store: 'redis_keyspace_hits_total',
    type: 'counter',
    labelNames: REDIS_LABELS,
    help: 'Redis keyspace hits (INFO stats keyspace_hits).',
  },
  {
    store: 'redis_keyspace_misses_total',
    type: 'counter',
    labelNames: REDIS_LABELS,
    help: 'Redis keyspace misses (INFO stats keyspace_misses).',
  },
  { store: 'redis_used_memory_bytes', type: 'gauge', labelNames: REDIS_LABELS, help: 'Redis used_memory.' },
  { store: 'redis_connected_clients', type: 'gauge', labelNames: REDIS_LABELS, help: 'Redis connected clients.' },
  { store: 'redis_evicted_keys_total', type: 'counter', labelNames: REDIS_LABELS, help: 'Redis keys evicted for maxmemory.' },
  { store: 'redis_db_keys', type: 'gauge', labelNames: [...REDIS_LABELS, 'db'], help: 'Redis keys per database.' },
  {
    store: 'postgres_statement_calls_total',
    type: 'counter',
    labelNames: POSTGRES_LABELS,
    help: 'Executions of a statement (pg_stat_statements calls).',
  },
  {
    store: 'postgres_statement_exec_seconds_total',
    type: 'counter',
    labelNames: POSTGRES_LABELS,
    help: 'Total execution time of a statement (pg_stat_statements total_exec_time).',
  },
  {
    store: 'postgres_statement_max_seconds',
    type: 'gauge',
    labelNames: POSTGRES_LABELS,
    help: 'Longest execution of a statement since the last pg_stat_statements reset.',
  },
  {
    store: 'probe_success',
    type: 'gauge',
    labelNames: PROBE_LABELS,
    help: '1 when the last HTTP probe got an expected status in time, else 0.',
  },
  {
    store: 'probe_duration_seconds',
    type: 'gauge',
    labelNames: PROBE_LABELS,
    help: 'Duration of the last HTTP probe, until its body arrived or it failed.',
  },
  {
    store: 'promql_value',
    type: 'gauge',
    labelNames: PROMQL_LABELS,
    help: 'Result of an objective\'s PromQL (part="ratio": error ratio over `window`; part="value": quantile or raw query).',
  },
];

function samples(store: SampleStore, metric: string, toleranceMs: number): CachedSample[] {
  return latestValues(store, metric, toleranceMs).map((v) => ({ labels: v.labels, value: v.value }));
}

/** Registers every sampled figure of the store, read at scrape time. */
export function registerSampledMetrics(registry: Registry, store: SampleStore, toleranceMs: number): void {
  for (const m of SAMPLED_METRICS) {
    const spec = {
      name: `vigil_${m.store}`,
      help: `${m.help} ${CACHED}`,
      labelNames: m.labelNames,
      read: () => samples(store, m.store, toleranceMs),
    };
    if (m.type === 'counter') cachedCounter(registry, spec);
    else cachedGauge(registry, spec);
  }

  // Lifetime mean per statement (total time / calls): the figure DBAs know from the view.
  cachedGauge(registry, {
    name: 'vigil_postgres_statement_mean_seconds',
    help: `Mean execution time of a statement since the last pg_stat_statements reset. ${CACHED}`,
    labelNames: POSTGRES_LABELS,
    read: () => {
      const out: CachedSample[] = [];
      const totals = new Map(
        latestValues(store, 'postgres_statement_exec_seconds_total', toleranceMs).map((v) => [labelKey(v.labels), v.value]),
      );
      for (const calls of latestValues(store, 'postgres_statement_calls_total', toleranceMs)) {
        const total = totals.get(labelKey(calls.labels));
        if (total !== undefined && calls.value > 0) out.push({ labels: calls.labels, value: total / calls.value });
      }
      return out;
    },
  });
}

function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}
