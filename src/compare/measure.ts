import type { Config, ResolvedObjective, ResolvedSloFile } from '../config/config.js';
import { PROBE_DURATION, PROBE_SUCCESS, probeUrl } from '../evaluate/readers/probe-reader.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { statementLatency } from '../sources/postgres/statement-latency.js';
import { redisHitRatio } from '../sources/redis/hit-ratio.js';
import { bucketsOverWindow, ratioOverWindow } from '../sources/scrape/window-queries.js';
import type { SampleStore } from '../store/sample-store.js';
import type { Figure, FigureData } from './baseline-schema.js';
import { figureValue } from './compare.js';
import { P95_FACTOR } from './intervals.js';
import { seededRandom } from './random.js';

/**
 * Every figure vigil can measure for one service over a period `(from, to]`, with the data behind
 * it, from a store a sampling loop filled. Pure: the store, the config and the per-round snapshots
 * in, figures out. Counters (histogram buckets, requests, Redis hits, pg_stat_statements) give
 * their increase over the period; gauges (container memory and CPU, PromQL answers, a service's
 * own gauges) give one value per sampling round.
 */

/** When an objective names no tolerance: changes under 5 % are never called regressions. */
export const DEFAULT_TOLERANCE = 0.05;
/** Raw values kept per figure (a seeded reservoir beyond that). */
export const MAX_RAW_VALUES = 20_000;

export interface MeasureInput {
  readonly config: Config;
  readonly slo: ResolvedSloFile['slo'];
  readonly store: SampleStore;
  readonly from: number;
  readonly to: number;
  /** The evaluation after each sampling round: gauges are read from it. */
  readonly rounds: readonly Snapshot[];
  readonly seed: number;
}

type Base = Pick<Figure, 'objective' | 'tolerance'>;

function figure(
  base: Base,
  suffix: string,
  measure: string,
  unit: Figure['unit'],
  better: Figure['better'],
  data: FigureData | null,
): Figure {
  return {
    name: base.objective === null ? suffix : `${base.objective}.${suffix}`,
    objective: base.objective,
    measure,
    unit,
    better,
    tolerance: base.tolerance,
    value: data ? figureValue(data) : null,
    data,
  };
}

/** Keeps at most `max` values, each with the same chance (Algorithm R, seeded). */
export function reservoir(values: readonly number[], max: number, seed: number): { values: number[]; sampledFrom?: number } {
  if (values.length <= max) return { values: [...values] };
  const random = seededRandom(seed);
  const kept = values.slice(0, max);
  for (let i = max; i < values.length; i++) {
    const j = random.index(i + 1);
    if (j < max) kept[j] = values[i]!;
  }
  return { values: kept, sampledFrom: values.length };
}

function samples(
  values: readonly number[],
  statistic: { type: 'mean' } | { type: 'quantile'; q: number },
  seed: number,
): FigureData | null {
  if (values.length === 0) return null;
  const kept = reservoir(values, MAX_RAW_VALUES, seed);
  return { kind: 'samples', statistic, values: kept.values, ...(kept.sampledFrom !== undefined ? { sampled_from: kept.sampledFrom } : {}) };
}

/** A threshold with only a minimum means higher is better (an accuracy, a hit ratio); otherwise lower. */
function betterOf(objective: ResolvedObjective): Figure['better'] {
  return objective.threshold?.min !== undefined && objective.threshold.max === undefined ? 'higher' : 'lower';
}

const quantileName = (q: number) => `p${Number((q * 100).toFixed(2))}`;

function latencyFigures(input: MeasureInput, base: Base, source: string, histogram: string, q: number): Figure[] {
  const { buckets } = bucketsOverWindow(input.store, source, histogram, input.from, input.to);
  const total = buckets.find((b) => b.upperBound === Number.POSITIVE_INFINITY)?.count ?? 0;
  const usable = buckets.length >= 2 && total > 0;
  const data = (quantile: number): FigureData | null =>
    usable
      ? {
          kind: 'histogram',
          q: quantile,
          buckets: [...buckets]
            .sort((a, b) => a.upperBound - b.upperBound)
            .map((b) => ({ le: Number.isFinite(b.upperBound) ? b.upperBound : ('+Inf' as const), count: b.count })),
        }
      : null;
  const quantiles = [...new Set([0.5, q, 0.99])].sort((a, b) => a - b);
  const seconds = (input.to - input.from) / 1000;
  return [
    ...quantiles.map((quantile) => figure(base, quantileName(quantile), 'latency', 'seconds', 'lower', data(quantile))),
    figure(base, 'throughput', 'throughput', 'per_second', 'higher', buckets.length ? { kind: 'rate', events: total, seconds } : null),
  ];
}

function probeFigures(input: MeasureInput, base: Base, source: string, url: string | null): Figure[] {
  const mine = (l: Readonly<Record<string, string>>) => l.source === source && (url === null || l.url === url);
  const durations: number[] = [];
  let good = 0;
  let total = 0;
  for (const s of input.store.select(PROBE_DURATION, mine)) durations.push(...s.buffer.range(input.from + 1, input.to).v);
  for (const s of input.store.select(PROBE_SUCCESS, mine)) {
    for (const v of s.buffer.range(input.from + 1, input.to).v) {
      total++;
      if (v === 1) good++;
    }
  }
  return [
    figure(base, 'probe_p95', 'latency', 'seconds', 'lower', samples(durations, { type: 'quantile', q: 0.95 }, input.seed)),
    figure(
      base,
      'success_ratio',
      'availability',
      'ratio',
      'higher',
      total > 0 ? { kind: 'proportion', successes: good, trials: total } : null,
    ),
  ];
}

/** The objective's value after each round (gauges: the latest value, the largest over containers). */
function roundValues(input: MeasureInput, objective: string): number[] {
  const out: number[] = [];
  for (const snapshot of input.rounds) {
    const result = snapshot.services.find((s) => s.service === input.slo.service)?.objectives.find((o) => o.name === objective);
    if (result?.value && result.status !== 'no_data') out.push(result.value.value);
  }
  return out;
}

function gaugeFigure(
  input: MeasureInput,
  base: Base,
  objective: ResolvedObjective,
  measure: string,
  unit: Figure['unit'],
  values: number[],
): Figure {
  return figure(base, 'mean', measure, unit, betterOf(objective), samples(values, { type: 'mean' }, input.seed));
}

function objectiveFigures(input: MeasureInput, objective: ResolvedObjective, requests: number | null): Figure[] {
  const base: Base = { objective: objective.name, tolerance: objective.tolerance ?? DEFAULT_TOLERANCE };
  const source = objective.source;
  const ind = objective.indicator;
  if ('latency' in ind && source.kind === 'scrape') {
    return latencyFigures(input, base, source.name, ind.latency.histogram, ind.latency.quantile);
  }
  if ('ratio' in ind && source.kind === 'scrape') {
    const r = ratioOverWindow(input.store, source.name, ind.ratio, input.from, input.to);
    // The ratio's queries are rates over the whole period: back to event counts, which the interval needs.
    const seconds = (input.to - input.from) / 1000;
    const events = (perSecond: number) => Math.round(perSecond * seconds);
    const data: FigureData | null =
      r.total !== null && r.total > 0 && r.bad !== null ? { kind: 'proportion', successes: events(r.bad), trials: events(r.total) } : null;
    return [figure(base, 'error_ratio', 'error_ratio', 'ratio', 'lower', data)];
  }
  if ('probe' in ind) {
    return probeFigures(input, base, source.name, probeUrl(ind.probe, source.kind === 'probe' ? source.settings.baseUrl : undefined));
  }
  if ('redisHitRatio' in ind) {
    const r = redisHitRatio(input.store, source.name, input.from, input.to);
    const data: FigureData | null = r ? { kind: 'proportion', successes: r.hits, trials: r.hits + r.misses } : null;
    return [figure(base, 'hit_ratio', 'cache_hit_ratio', 'ratio', 'higher', data)];
  }
  if ('postgresQueryLatency' in ind) {
    const s = statementLatency(input.store, source.name, ind.postgresQueryLatency, input.from, input.to);
    const moments = (k: number): FigureData | null =>
      s ? { kind: 'moments', k, calls: s.calls, mean: s.meanSeconds, stddev: s.stddevSeconds } : null;
    return [
      figure(base, 'mean', 'statement_latency', 'seconds', 'lower', moments(0)),
      figure(base, 'p95', 'statement_latency', 'seconds', 'lower', moments(P95_FACTOR)),
      figure(
        base,
        'calls_per_request',
        'database_load',
        'number',
        'lower',
        s && requests !== null && requests > 0 ? { kind: 'per_request', calls: s.calls, requests } : null,
      ),
    ];
  }
  if ('containerMemory' in ind) return [gaugeFigure(input, base, objective, 'memory', 'bytes', roundValues(input, objective.name))];
  if ('containerCpu' in ind) return [gaugeFigure(input, base, objective, 'cpu', 'ratio', roundValues(input, objective.name))];
  if ('memoryLeak' in ind) return [];
  const unit: Figure['unit'] = 'latency' in ind ? 'seconds' : 'ratio' in ind ? 'ratio' : 'number';
  return [
    gaugeFigure(
      input,
      base,
      objective,
      'latency' in ind ? 'latency' : 'ratio' in ind ? 'error_ratio' : 'gauge',
      unit,
      roundValues(input, objective.name),
    ),
  ];
}

/** Requests served in the period: the count of the first scrape-backed latency histogram (calls per request divide by it). */
function requestCount(input: MeasureInput): number | null {
  for (const o of input.slo.objectives) {
    if ('latency' in o.indicator && o.source.kind === 'scrape') {
      const { buckets } = bucketsOverWindow(input.store, o.source.name, o.indicator.latency.histogram, input.from, input.to);
      const total = buckets.find((b) => b.upperBound === Number.POSITIVE_INFINITY)?.count;
      if (total !== undefined) return total;
    }
  }
  return null;
}

export function measureService(input: MeasureInput): Figure[] {
  const requests = requestCount(input);
  return input.slo.objectives.flatMap((o) => objectiveFigures(input, o, requests));
}
