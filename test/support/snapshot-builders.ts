import type { ObjectiveResult, ServiceResult, Snapshot } from '../../src/snapshot/snapshot-schema.js';

/** An objective result with neutral defaults; tests set what they are about. */
export function objectiveResult(over: Partial<ObjectiveResult> & Pick<ObjectiveResult, 'name' | 'kind' | 'status'>): ObjectiveResult {
  return {
    source: { kind: 'prometheus', name: 'default' },
    value: null,
    threshold: null,
    target: null,
    window: '5m',
    period: null,
    compliance: null,
    complianceCoverage: null,
    errorBudgetRemaining: null,
    burnRates: [],
    breakdown: [],
    dataAgeSeconds: 1,
    ...over,
  };
}

const STATUS_ORDER = ['ok', 'warning', 'no_data', 'breach'] as const;

/** A snapshot of one service holding `objectives`; its status is the worst of theirs. */
export function serviceSnapshot(service: string, objectives: ObjectiveResult[], evaluatedAt = 0): Snapshot {
  const worst = objectives.reduce<ServiceResult['status']>(
    (w, o) => (STATUS_ORDER.indexOf(o.status) > STATUS_ORDER.indexOf(w) ? o.status : w),
    'ok',
  );
  return {
    evaluatedAt,
    sources: [],
    services: [
      {
        service,
        labels: {},
        status: worst,
        objectives,
        summary: {
          uptime_percentage: null,
          response_time_p95: null,
          memory_usage_bytes: null,
          cpu_usage_percent: null,
          cache_hit_ratio: null,
          db_query_p95_ms: null,
        },
        dataAgeSeconds: 1,
      },
    ],
  };
}
