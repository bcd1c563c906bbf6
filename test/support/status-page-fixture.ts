import type { ObjectiveResult, ObjectiveStatus, Snapshot } from '../../src/snapshot/snapshot-schema.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { recordSnapshot } from '../../src/ui/history-recorder.js';
import { objectiveResult } from './snapshot-builders.js';

/**
 * A status page's worth of data: services whose names, labels, descriptions, errors and
 * breakdown labels carry markup (as if an SLO file or a source answer held it), two hours of
 * recorded evaluations with a breach interval in the middle, a container whose memory floor
 * grows, Redis counters and PostgreSQL statements. Unit and browser tests share it.
 */
export const HOSTILE = {
  service: '<script>window.__pwned=1</script>svc"><img src=x onerror="window.__pwned=2">',
  label: '"><img src=x onerror="window.__pwned=3">',
  description: '<script>window.__pwned=4</script> Decision latency as users see it.',
  error: '<img src=x onerror="window.__pwned=5">',
  queryid: '"><script>window.__pwned=6</script>',
} as const;

export const FIXTURE_NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const CYCLE_MS = 30_000;
const SPAN_MS = 2 * 3_600_000;
/** The latency objective is in breach over this interval (ms before now). */
export const BREACH_FROM = FIXTURE_NOW - 60 * 60_000;
export const BREACH_TO = FIXTURE_NOW - 40 * 60_000;
const LIMIT = 512 * 2 ** 20;
const GROWTH_PER_HOUR = 40 * 2 ** 20;
export const CONTAINER = { source: 'default', container: 'ml-serving-1', container_id: 'abc123', started_at: '2026-12-01T09:00:00Z' };

function latencyAt(t: number): number {
  return t >= BREACH_FROM && t < BREACH_TO ? 0.08 : 0.03 + 0.005 * Math.sin(t / 600_000);
}

function snapshotAt(t: number, service: string, now: number): Snapshot {
  const latency = latencyAt(t);
  const latencyStatus: ObjectiveStatus = latency > 0.05 ? 'breach' : latency > 0.04 ? 'warning' : 'ok';
  // The budget falls while in breach and stays where it fell.
  const spent = Math.max(0, Math.min(t, BREACH_TO) - BREACH_FROM) / (BREACH_TO - BREACH_FROM);
  const budget = 0.9 - 0.5 * spent;
  const objectives: ObjectiveResult[] = [
    objectiveResult({
      name: 'decide-latency-p95',
      kind: 'latency',
      status: latencyStatus,
      description: HOSTILE.description,
      value: { value: latency, unit: 'seconds', display: `${(latency * 1000).toFixed(1)}ms` },
      threshold: {
        max: { value: 0.05, unit: 'seconds', display: '50ms' },
        min: null,
        warning: { value: 0.04, unit: 'seconds', display: '40ms' },
      },
      target: 0.99,
      period: '30d',
      compliance: 0.995,
      complianceCoverage: 0.1,
      errorBudgetRemaining: budget,
      burnRates: [
        { window: '5m', rate: latencyStatus === 'breach' ? 20 : 0.5 },
        { window: '30m', rate: 2.5 },
        { window: '1h', rate: 4.2 },
        { window: '2h', rate: 3.1 },
        { window: '6h', rate: 1.3 },
        { window: '1d', rate: 0.9 },
        { window: '3d', rate: 0.4 },
      ],
    }),
    objectiveResult({
      name: 'serving-leak',
      kind: 'memoryLeak',
      status: 'breach',
      source: { kind: 'docker', name: 'default' },
      value: { value: GROWTH_PER_HOUR, unit: 'number', display: '40MiB/h' },
      breakdown: [
        {
          labels: { container: CONTAINER.container, container_id: CONTAINER.container_id },
          value: GROWTH_PER_HOUR,
          leak: {
            verdict: 'leak',
            growthBytesPerHour: GROWTH_PER_HOUR,
            confidence: 0.99,
            growthShareOfLimit: 0.08,
            exhaustionEtaSeconds: 6 * 3600,
            points: 200,
            spanMs: SPAN_MS,
          },
        },
      ],
      leak: {
        verdict: 'leak',
        growthBytesPerHour: GROWTH_PER_HOUR,
        confidence: 0.99,
        growthShareOfLimit: 0.08,
        exhaustionEtaSeconds: 6 * 3600,
        points: 200,
        spanMs: SPAN_MS,
      },
    }),
    objectiveResult({
      name: 'cache-hit-ratio',
      kind: 'redisHitRatio',
      status: 'ok',
      source: { kind: 'redis', name: 'default' },
      value: { value: 0.9, unit: 'ratio', display: '90%' },
      threshold: { max: null, min: { value: 0.8, unit: 'ratio', display: '80%' }, warning: null },
    }),
    objectiveResult({
      name: 'ml-learning-statements',
      kind: 'postgresQueryLatency',
      status: 'no_data',
      source: { kind: 'postgres', name: 'default' },
      error: HOSTILE.error,
      breakdown: [
        { labels: { queryid: HOSTILE.queryid, database: 'ml' }, value: 0.12 },
        { labels: { queryid: '42', database: 'ml' }, value: 0.02 },
      ],
    }),
  ];
  const worst = objectives.some((o) => o.status === 'breach') ? 'breach' : 'ok';
  const summary = {
    uptime_percentage: null,
    response_time_p95: latency * 1000,
    memory_usage_bytes: null,
    cpu_usage_percent: null,
    cache_hit_ratio: 0.9,
    db_query_p95_ms: null,
  };
  return {
    evaluatedAt: t,
    sources: [
      { kind: 'docker', name: 'default', up: true, lastSuccess: now, lastError: null, consecutiveFailures: 0, lastDurationMs: 20 },
      {
        kind: 'postgres',
        name: 'default',
        up: false,
        lastSuccess: null,
        lastError: HOSTILE.error,
        consecutiveFailures: 3,
        lastDurationMs: 5,
      },
    ],
    services: [
      { service, labels: { team: HOSTILE.label, tier: 'gold' }, status: worst, objectives, summary, dataAgeSeconds: 2 },
      {
        service: 'calm-service',
        labels: { team: 'search' },
        status: 'ok',
        objectives: [
          objectiveResult({
            name: 'uptime',
            kind: 'probe',
            status: 'ok',
            value: { value: 1, unit: 'ratio', display: '100%' },
            target: 0.999,
            period: '30d',
            errorBudgetRemaining: 1,
          }),
        ],
        summary: { ...summary, response_time_p95: null },
        dataAgeSeconds: 1,
      },
    ],
  };
}

export interface StatusPageFixture {
  store: SampleStore;
  /** The latest snapshot (the one the page shows). */
  snapshot: Snapshot;
  service: string;
}

/** Two hours of cycles up to `now` recorded into a fresh store, with the raw container and Redis series. */
export function statusPageFixture(now = FIXTURE_NOW, service: string = HOSTILE.service): StatusPageFixture {
  const store = new SampleStore({ retentionMs: 40 * 86_400_000, maxPointsPerSeries: 100_000 });
  const shift = now - FIXTURE_NOW;
  let snapshot: Snapshot | null = null;
  for (let t = now - SPAN_MS; t <= now; t += CYCLE_MS) {
    snapshot = snapshotAt(t - shift, service, now);
    recordSnapshot(store, { ...snapshot, evaluatedAt: t });
    const hours = (t - (now - SPAN_MS)) / 3_600_000;
    // A sawtooth over a floor that rises GROWTH_PER_HOUR.
    const floor = 200 * 2 ** 20 + GROWTH_PER_HOUR * hours;
    store.appendRaw('container_memory_working_set_bytes', CONTAINER, t, floor + ((t / CYCLE_MS) % 6) * 8 * 2 ** 20);
    store.appendRaw('container_memory_limit_bytes', CONTAINER, t, LIMIT);
    const i = (t - (now - SPAN_MS)) / CYCLE_MS;
    store.appendRaw('redis_keyspace_hits_total', { source: 'default', run_id: 'r1' }, t, i * 90);
    store.appendRaw('redis_keyspace_misses_total', { source: 'default', run_id: 'r1' }, t, i * 10 + (i > 100 ? (i - 100) * 5 : 0));
  }
  return { store, snapshot: { ...snapshot!, evaluatedAt: now }, service };
}
