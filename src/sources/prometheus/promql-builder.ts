import type { LoadedSloFile } from '../../config/config.js';
import type { Objective } from '../../config/slo-schema.js';
import { indicatorProfile } from '../../config/slo-schema.js';
import { indicatorSourceName } from '../../config/source-lookup.js';
import { objectiveBurnWindows, type WindowSets } from '../../config/window-sets.js';
import { errorRatioQuery } from '../../promql/error-ratio-query.js';
import { fillWindow } from '../../promql/fill-window.js';
import { latencyQuery } from '../../promql/latency-query.js';
import { containerSeries, postgresLatencyValue, redisHitRatioValue } from '../../promql/metric-profiles.js';
import { formatDuration, parseDuration } from '../../units/units.js';

/**
 * Which PromQL each objective needs from its indicator (pure; the source runs them). The text
 * itself comes from src/promql/, the same builder the generated rules use.
 * Latency: a histogram quantile over the objective's window. Ratio: the error ratio over every
 * burn-rate window, the objective's window and its period. promql: the query as written, with
 * any `{{window}}` filled with the objective's window.
 */

export type QueryPart = 'value' | 'ratio';

export interface ObjectiveQuery {
  readonly service: string;
  readonly objective: string;
  readonly part: QueryPart;
  /** PromQL window string, `''` for an instant query without one. */
  readonly window: string;
  readonly query: string;
}

/**
 * The windows a ratio objective is queried over, without duplicates: the burn-rate windows of its
 * window set, then the objective's window and period.
 */
export function ratioWindows(objective: Objective, windowSets: WindowSets): string[] {
  const all = [
    ...objectiveBurnWindows(windowSets, objective).map((w) => w.label),
    formatDuration(objective.window),
    formatDuration(objective.period),
  ];
  return [...new Set(all)];
}

/** The queries of one objective if its indicator uses Prometheus instance `source`. */
export function objectiveQueries(service: string, objective: Objective, source: string, windowSets: WindowSets): ObjectiveQuery[] {
  const base = { service, objective: objective.name };
  const ind = objective.indicator;
  if ('latency' in ind && ind.latency.source === source) {
    const window = formatDuration(objective.window);
    return [{ ...base, part: 'value', window, query: latencyQuery(ind.latency, window) }];
  }
  if ('ratio' in ind && ind.ratio.source === source) {
    return ratioWindows(objective, windowSets).map((window) => ({
      ...base,
      part: 'ratio',
      window,
      query: errorRatioQuery(ind.ratio, window),
    }));
  }
  const exporter = exporterValueQuery(objective, source);
  if (exporter !== null) return [{ ...base, part: 'value', window: formatDuration(objective.window), query: exporter }];
  if ('promql' in ind && ind.promql.source === source) {
    // `{{window}}` is optional here; where written it is the objective's window, as in the rules.
    return [{ ...base, part: 'value', window: '', query: fillWindow(ind.promql.query, formatDuration(objective.window)).trim() }];
  }
  return [];
}

/**
 * An indicator with an exporter's metric profile, read from this Prometheus: the same value the
 * generated rules compute, reduced to one number (the worst container for container kinds).
 */
function exporterValueQuery(objective: Objective, source: string): string | null {
  const ind = objective.indicator;
  if (indicatorProfile(ind) === 'vigil' || indicatorSourceName(ind) !== source) return null;
  if ('containerMemory' in ind) return `max(${containerSeries('memory', ind.containerMemory).perContainer(objective.window)})`;
  if ('containerCpu' in ind) return `max(${containerSeries('cpu', ind.containerCpu).perContainer(objective.window)})`;
  if ('redisHitRatio' in ind) return redisHitRatioValue(ind.redisHitRatio, objective.window);
  if ('postgresQueryLatency' in ind) return postgresLatencyValue(ind.postgresQueryLatency, objective.window);
  return null;
}

export interface BuildProblem {
  readonly service: string;
  readonly objective: string;
  readonly message: string;
}

/** Every query for instance `source`, plus objectives whose query could not be built. */
export function buildQueries(
  source: string,
  files: readonly LoadedSloFile[],
  windowSets: WindowSets,
): { queries: ObjectiveQuery[]; problems: BuildProblem[] } {
  const queries: ObjectiveQuery[] = [];
  const problems: BuildProblem[] = [];
  for (const file of files) {
    for (const objective of file.slo.objectives) {
      try {
        queries.push(...objectiveQueries(file.slo.service, objective, source, windowSets));
      } catch (err) {
        problems.push({ service: file.slo.service, objective: objective.name, message: (err as Error).message });
      }
    }
  }
  return { queries, problems };
}

/** Long windows are re-queried at most this often, relative to their length (1/720: 30d -> 1h). */
const REFRESH_SHARE = 1 / 720;
const MAX_REFRESH_MS = 3_600_000;

/**
 * How long an answer over `window` may be reused. A ratio over 30 days moves by a hair in a
 * few minutes, but asking Prometheus for it every 15 s reads 30 days of samples each time; short
 * windows (up to about 1 h) are asked every sample.
 */
export function refreshIntervalMs(window: string): number {
  if (window === '') return 0;
  return Math.min(parseDuration(window) * REFRESH_SHARE, MAX_REFRESH_MS);
}
