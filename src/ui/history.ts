import { type ObjectiveResult, type ServiceResult, type Snapshot, STATUS_RANK } from '../snapshot/snapshot-schema.js';
import { DOCKER_METRICS } from '../sources/docker/docker-source.js';
import { hitRatioOverWindow, hitRatioSeries } from '../sources/redis/hit-ratio.js';
import type { SampleStore, StoredSeries } from '../store/sample-store.js';
import { type Buckets, bucketStarts, downsample } from './downsample.js';
import type { HistoryRange } from './history-params.js';
import { HISTORY_METRICS, historyLabels, statusOfCode } from './history-recorder.js';
import type { ObjectiveHistoryResponse, ResourceHistoryResponse } from './history-schema.js';

const seconds = (ms: number) => ms / 1000;

function rangeFields(range: HistoryRange, starts: readonly number[]) {
  return { from: seconds(range.from), to: seconds(range.to), step_seconds: seconds(range.stepMs), t: starts.map(seconds) };
}

/** The series of one metric whose labels include every pair of `labels`. */
function seriesWith(store: SampleStore, metric: string, labels: Readonly<Record<string, string>>): StoredSeries[] {
  const keys = Object.keys(labels);
  return store.select(metric, (l) => keys.every((k) => l[k] === labels[k]), labels);
}

/** Several series (a container restarted, say) merged into one set of buckets: the later point wins `last`. */
function bucketsOf(series: readonly StoredSeries[], range: HistoryRange): Buckets {
  const parts = series.map((s) => {
    const { t, v } = s.buffer.range(range.from, range.to);
    return downsample(t, v, range.from, range.to, range.stepMs);
  });
  const starts = bucketStarts(range.from, range.to, range.stepMs);
  if (parts.length === 1) return parts[0]!;
  const merge = (col: 'last' | 'min' | 'max', f: (a: number, b: number) => number): (number | null)[] =>
    starts.map((_, k) => {
      let acc: number | null = null;
      for (const p of parts) {
        const x = p[col][k] ?? null;
        if (x !== null) acc = acc === null ? x : f(acc, x);
      }
      return acc;
    });
  return { t: starts, last: merge('last', (_a, b) => b), min: merge('min', Math.min), max: merge('max', Math.max) };
}

export function findObjective(
  snapshot: Snapshot,
  service: string,
  objective: string,
): { service: ServiceResult; objective: ObjectiveResult } | undefined {
  const s = snapshot.services.find((x) => x.service === service);
  const o = s?.objectives.find((x) => x.name === objective);
  return s && o ? { service: s as ServiceResult, objective: o as ObjectiveResult } : undefined;
}

/** One objective's evaluated figures over a range, from the history the daemon records each cycle. */
export function objectiveHistory(
  store: SampleStore,
  service: string,
  objective: ObjectiveResult,
  range: HistoryRange,
): ObjectiveHistoryResponse {
  const labels = historyLabels(service, objective.name);
  const value = bucketsOf(seriesWith(store, HISTORY_METRICS.value, labels), range);
  const status = bucketsOf(seriesWith(store, HISTORY_METRICS.status, labels), range);
  const budget = bucketsOf(seriesWith(store, HISTORY_METRICS.budget, labels), range);
  const th = objective.threshold;
  return {
    service,
    objective: objective.name,
    unit: objective.value?.unit ?? th?.max?.unit ?? th?.min?.unit ?? null,
    threshold: th ? { max: th.max?.value ?? null, min: th.min?.value ?? null, warning: th.warning?.value ?? null } : null,
    target: objective.target,
    ...rangeFields(range, value.t),
    value: value.last,
    value_min: value.min,
    value_max: value.max,
    // The worst status in a bucket is its largest rank.
    status: status.max.map((code) => (code === null ? null : statusOfCode(code))),
    error_budget_remaining: budget.last,
    burn_rates: objective.burnRates.map((b) => ({ window: b.window, rate: b.rate })),
  };
}

const MEMORY_KINDS = new Set(['containerMemory', 'memoryLeak']);

function containerEntries(store: SampleStore, service: ServiceResult, range: HistoryRange) {
  const out: ResourceHistoryResponse['containers'] = [];
  const seen = new Set<string>();
  for (const o of service.objectives) {
    if (!MEMORY_KINDS.has(o.kind)) continue;
    for (const part of o.breakdown) {
      const key = JSON.stringify(part.labels);
      // A leak objective and a memory objective over the same container: one chart, with the leak verdict.
      if (seen.has(key) && !part.leak) continue;
      const match = { ...part.labels, source: o.source.name };
      const memory = bucketsOf(seriesWith(store, DOCKER_METRICS.workingSet, match), range);
      const limits = seriesWith(store, DOCKER_METRICS.limit, match);
      const limit = limits.map((s) => (s.buffer.length > 0 ? s.buffer.valueAt(s.buffer.length - 1) : 0)).find((x) => x > 0) ?? null;
      const lastFloorAt = lastIndexWithValue(memory.min);
      const leak = part.leak;
      const entry = {
        objective: o.name,
        labels: { ...part.labels },
        working_set_bytes: memory.max,
        floor_bytes: memory.min,
        limit_bytes: limit,
        leak: leak
          ? {
              verdict: leak.verdict,
              growth_bytes_per_hour: leak.growthBytesPerHour,
              exhaustion_eta_seconds: leak.exhaustionEtaSeconds,
              confidence: leak.confidence,
            }
          : null,
        trend:
          leak && leak.growthBytesPerHour !== null && lastFloorAt >= 0
            ? {
                anchor_t: seconds(memory.t[lastFloorAt]!),
                anchor_bytes: memory.min[lastFloorAt]!,
                growth_bytes_per_hour: leak.growthBytesPerHour,
              }
            : null,
      };
      const at = out.findIndex((e) => JSON.stringify(e.labels) === key);
      if (at >= 0) out[at] = entry;
      else out.push(entry);
      seen.add(key);
    }
  }
  return out;
}

function redisEntries(store: SampleStore, service: ServiceResult, starts: readonly number[], range: HistoryRange) {
  return service.objectives
    .filter((o) => o.kind === 'redisHitRatio')
    .map((o) => {
      const series = hitRatioSeries(store, o.source.name);
      // Each bucket's ratio is over the bucket itself (counters: the increase from its start to its end).
      const hit_ratio = starts.map(
        (b) => hitRatioOverWindow(series, Math.max(b, range.from), Math.min(b + range.stepMs, range.to))?.ratio ?? null,
      );
      return { objective: o.name, source: o.source.name, hit_ratio };
    });
}

/** At most this many statements are listed (the slowest). */
const STATEMENT_LIMIT = 10;

function statementEntries(service: ServiceResult) {
  return service.objectives
    .filter((o) => o.kind === 'postgresQueryLatency')
    .flatMap((o) => o.breakdown.map((b) => ({ objective: o.name, labels: { ...b.labels }, latency_seconds: b.value })))
    .sort((a, b) => (b.latency_seconds ?? -1) - (a.latency_seconds ?? -1))
    .slice(0, STATEMENT_LIMIT);
}

/** What the service page's resource charts need: container memory and its leak trend, Redis hit ratio, the slowest statements. */
export function resourceHistory(store: SampleStore, service: ServiceResult, range: HistoryRange): ResourceHistoryResponse {
  const starts = bucketStarts(range.from, range.to, range.stepMs);
  return {
    service: service.service,
    ...rangeFields(range, starts),
    containers: containerEntries(store, service, range),
    redis: redisEntries(store, service, starts, range),
    statements: statementEntries(service),
  };
}

/** Services sorted worst first (then by lowest budget, then name): what the overview lists. */
export function worstFirst(services: readonly ServiceResult[]): ServiceResult[] {
  return [...services].sort(
    (a, b) =>
      STATUS_RANK[b.status] - STATUS_RANK[a.status] ||
      (lowestBudget(a) ?? 2) - (lowestBudget(b) ?? 2) ||
      a.service.localeCompare(b.service),
  );
}

/** The lowest error budget remaining over a service's objectives; null when none has a budget. */
export function lowestBudget(service: ServiceResult): number | null {
  const budgets = service.objectives.flatMap((o) => (o.errorBudgetRemaining === null ? [] : [o.errorBudgetRemaining]));
  return budgets.length > 0 ? Math.min(...budgets) : null;
}

function lastIndexWithValue(xs: readonly (number | null)[]): number {
  for (let i = xs.length - 1; i >= 0; i--) if (xs[i] !== null) return i;
  return -1;
}
