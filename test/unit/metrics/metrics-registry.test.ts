import { describe, expect, it } from 'vitest';
import { cachedGauge } from '../../../src/metrics/cached-metric.js';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.js';
import type { SourceHealth } from '../../../src/sources/source.js';
import { SampleStore } from '../../../src/store/sample-store.js';

interface Exposed {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/** A small parser of the Prometheus text format, enough to check what a scraper would read. */
function parseExposition(text: string): Exposed {
  const out: Exposed = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      out.help.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      out.type.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    }
    out.samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function filledStore(now: number): SampleStore {
  const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
  // label_team: a Docker label copied for containerLabels selection; /metrics leaves it out (fixed label set).
  const ml = {
    source: 'default',
    container: 'ml-serving-1',
    container_id: 'abcdef012345',
    started_at: '2026-11-26T10:00:00.000Z',
    label_team: 'ml',
  };
  const gone = { source: 'default', container: 'ml-serving-old', container_id: '0123456789ab', started_at: '2026-11-26T09:00:00.000Z' };
  store.appendRaw('container_memory_working_set_bytes', ml, now - 15_000, 1_000_000);
  store.appendRaw('container_memory_working_set_bytes', ml, now, 1_500_000);
  store.appendRaw('container_memory_limit_bytes', ml, now, 2 * 2 ** 30);
  store.appendRaw('container_cpu_usage_ratio', ml, now, 0.42);
  store.appendRaw('container_memory_working_set_bytes', gone, now, 999);
  store.markEnded('container_memory_working_set_bytes', gone);

  // A Redis restart: the old run_id's series is stale, only the new one is exported.
  store.appendRaw('redis_keyspace_hits_total', { source: 'cache', run_id: 'old' }, now - 60_000, 500);
  store.appendRaw('redis_keyspace_hits_total', { source: 'cache', run_id: 'new' }, now, 80);
  store.appendRaw('redis_keyspace_misses_total', { source: 'cache', run_id: 'new' }, now, 20);
  store.appendRaw('redis_used_memory_bytes', { source: 'cache', run_id: 'new' }, now, 1_048_576);
  store.appendRaw('redis_db_keys', { source: 'cache', run_id: 'new', db: 'db0' }, now, 12);

  const stmt = { source: 'default', dbid: '5', userid: '10', queryid: '-77', database: 'app', selector: '%ml_learning%|' };
  store.appendRaw('postgres_statement_calls_total', stmt, now, 200);
  store.appendRaw('postgres_statement_exec_seconds_total', stmt, now, 0.5);
  store.appendRaw('postgres_statement_exec_seconds_sq_total', stmt, now, 0.002);
  store.appendRaw('postgres_statement_max_seconds', stmt, now, 0.02);

  store.appendRaw('probe_success', { source: 'default', url: 'http://127.0.0.1:8095/health' }, now, 1);
  store.appendRaw('probe_duration_seconds', { source: 'default', url: 'http://127.0.0.1:8095/health' }, now, 0.0123);
  store.appendRaw(
    'promql_value',
    { source: 'default', service: 'ml-services', objective: 'decide-latency-p95', part: 'value', window: '5m' },
    now,
    0.041,
  );
  // a scrape source's own series are not re-exported
  store.appendRaw('scrape:http_requests_total', { source: 'app', code: '200' }, now, 5);
  return store;
}

const HEALTH: SourceHealth[] = [
  { kind: 'redis', name: 'cache', up: true, lastSuccess: 1_700_000_000_000, lastError: null, consecutiveFailures: 0, lastDurationMs: 3 },
  {
    kind: 'postgres',
    name: 'default',
    up: false,
    lastSuccess: null,
    lastError: 'ECONNREFUSED',
    consecutiveFailures: 4,
    lastDurationMs: 12,
  },
];

describe('/metrics exporter', () => {
  it('exports every sampled figure with its store labels, base units and cached-value HELP', async () => {
    const now = Date.now();
    const store = filledStore(now);
    const metrics = createMetricsRegistry({ store, health: () => HEALTH });
    const exposed = parseExposition(await metrics.metrics());
    const value = (name: string, labels: Record<string, string> = {}) => {
      const found = exposed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      return found.map((s) => s.value);
    };

    expect(value('vigil_container_memory_working_set_bytes')).toEqual([1_500_000]);
    expect(exposed.samples.find((s) => s.name === 'vigil_container_memory_working_set_bytes')!.labels).toEqual({
      source: 'default',
      container: 'ml-serving-1',
      container_id: 'abcdef012345',
      started_at: '2026-11-26T10:00:00.000Z',
    });
    expect(value('vigil_container_memory_limit_bytes')).toEqual([2 * 2 ** 30]);
    expect(value('vigil_container_cpu_usage_ratio')).toEqual([0.42]);

    expect(value('vigil_redis_keyspace_hits_total')).toEqual([80]);
    expect(value('vigil_redis_keyspace_hits_total', { run_id: 'new', source: 'cache' })).toEqual([80]);
    expect(value('vigil_redis_keyspace_misses_total')).toEqual([20]);
    expect(value('vigil_redis_used_memory_bytes')).toEqual([1_048_576]);
    expect(value('vigil_redis_db_keys', { db: 'db0' })).toEqual([12]);
    expect(exposed.type.get('vigil_redis_keyspace_hits_total')).toBe('counter');
    expect(exposed.type.get('vigil_redis_used_memory_bytes')).toBe('gauge');

    expect(value('vigil_postgres_statement_calls_total', { queryid: '-77', selector: '%ml_learning%|' })).toEqual([200]);
    expect(value('vigil_postgres_statement_mean_seconds')).toEqual([0.0025]);
    expect(value('vigil_postgres_statement_max_seconds')).toEqual([0.02]);

    expect(value('vigil_probe_success', { url: 'http://127.0.0.1:8095/health' })).toEqual([1]);
    expect(value('vigil_probe_duration_seconds')).toEqual([0.0123]);
    expect(value('vigil_promql_value', { objective: 'decide-latency-p95', part: 'value', window: '5m' })).toEqual([0.041]);

    for (const name of ['vigil_container_cpu_usage_ratio', 'vigil_redis_keyspace_hits_total', 'vigil_probe_success']) {
      expect(exposed.help.get(name)).toMatch(/Cached from the last sample at the source's schedule\./);
    }
    expect(exposed.samples.some((s) => s.name.includes('http_requests_total'))).toBe(false);
    // base units only: nothing in milliseconds or percent
    expect(exposed.samples.some((s) => /_(ms|milliseconds|percent)\b/.test(s.name))).toBe(false);
  });

  it('drops series whose container ended or whose source stopped reporting them', async () => {
    const now = Date.now();
    const exposed = parseExposition(await createMetricsRegistry({ store: filledStore(now), health: () => [] }).metrics());
    const containers = exposed.samples.filter((s) => s.name === 'vigil_container_memory_working_set_bytes').map((s) => s.labels.container);
    expect(containers).toEqual(['ml-serving-1']);
    const runIds = exposed.samples.filter((s) => s.name === 'vigil_redis_keyspace_hits_total').map((s) => s.labels.run_id);
    expect(runIds).toEqual(['new']);
  });

  it('drops a series between scrapes once it ends', async () => {
    const now = Date.now();
    const store = filledStore(now);
    const metrics = createMetricsRegistry({ store, health: () => [], defaultMetrics: false });
    const labels = {
      source: 'default',
      container: 'ml-serving-1',
      container_id: 'abcdef012345',
      started_at: '2026-11-26T10:00:00.000Z',
      label_team: 'ml',
    };
    expect((await metrics.metrics()).includes('container="ml-serving-1"')).toBe(true);
    for (const m of ['container_memory_working_set_bytes', 'container_memory_limit_bytes', 'container_cpu_usage_ratio']) {
      store.markEnded(m, labels);
    }
    expect((await metrics.metrics()).includes('container="ml-serving-1"')).toBe(false);
  });

  it('exports source health, the store size and default process metrics', async () => {
    const store = filledStore(Date.now());
    const exposed = parseExposition(await createMetricsRegistry({ store, health: () => HEALTH }).metrics());
    const get = (name: string, source?: string) =>
      exposed.samples.filter((s) => s.name === name && (source === undefined || s.labels.source === source)).map((s) => s.value);
    expect(get('vigil_source_up', 'cache')).toEqual([1]);
    expect(get('vigil_source_up', 'default')).toEqual([0]);
    expect(exposed.samples.find((s) => s.name === 'vigil_source_up' && s.labels.source === 'default')!.labels).toEqual({
      kind: 'postgres',
      source: 'default',
    });
    expect(get('vigil_source_last_success_timestamp_seconds', 'cache')).toEqual([1_700_000_000]);
    expect(get('vigil_source_last_success_timestamp_seconds', 'default')).toEqual([]); // never succeeded
    expect(get('vigil_source_consecutive_failures', 'default')).toEqual([4]);
    expect(get('vigil_source_sample_duration_seconds', 'cache')).toEqual([0.003]);
    expect(get('vigil_store_series')).toEqual([store.seriesCount]);
    expect(get('vigil_store_memory_bytes')).toEqual([store.memoryBytes()]);
    expect(get('vigil_store_memory_bytes')[0]).toBeGreaterThan(0);
    expect(exposed.type.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(exposed.type.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });

  it('lets other parts register their own cached metrics on the same registry', async () => {
    const store = new SampleStore({ retentionMs: 60_000, maxPointsPerSeries: 100 });
    let budget = 0.25;
    const metrics = createMetricsRegistry({ store, health: () => [], defaultMetrics: false }).register((registry) =>
      cachedGauge(registry, {
        name: 'vigil_objective_error_budget_remaining_ratio',
        help: 'test',
        labelNames: ['service', 'objective'],
        read: () => [{ labels: { service: 'ml', objective: 'a' }, value: budget }],
      }),
    );
    expect(parseExposition(await metrics.metrics()).samples.find((s) => s.name.startsWith('vigil_objective'))?.value).toBe(0.25);
    budget = 0.2;
    expect(parseExposition(await metrics.metrics()).samples.find((s) => s.name.startsWith('vigil_objective'))?.value).toBe(0.2);
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });
});
