import type { LoadedSloFile } from '../../config/config.js';
import type { LatencyIndicator, Objective, RatioIndicator } from '../../config/slo-schema.js';
import { formatDuration, parseDuration } from '../../units/units.js';

/**
 * Builds the PromQL each objective needs from its indicator (pure; the source runs them).
 * Latency: a histogram quantile over the objective's window. Ratio: the error ratio over every
 * burn-rate window, the objective's window and its period. promql: the query as written.
 */

/** Burn-rate windows of the Google SRE workbook's multiwindow alerts for a 30-day period. */
export const BURN_RATE_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export type QueryPart = 'value' | 'ratio';

export interface ObjectiveQuery {
  readonly service: string;
  readonly objective: string;
  readonly part: QueryPart;
  /** PromQL window string, `''` for an instant query without one. */
  readonly window: string;
  readonly query: string;
}

export class PromqlBuildError extends Error {
  readonly code = 'VIGIL_ERR_PROMQL_SELECTOR';
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * `http_request_duration_seconds{route="/decide"}` -> `http_request_duration_seconds_bucket{route="/decide"}`.
 * Also accepts a bare name and the `{__name__="..."}` form. Label matchers are kept verbatim.
 */
export function bucketSelector(selector: string): string {
  const text = selector.trim();
  const brace = text.indexOf('{');
  const name = (brace === -1 ? text : text.slice(0, brace)).trim();
  const matchers = brace === -1 ? '' : text.slice(brace);
  if (matchers !== '' && !matchers.endsWith('}')) {
    throw new PromqlBuildError(`expected a series selector like name{label="value"}, got ${JSON.stringify(selector)}`);
  }
  if (/[[\]()]/.test(name) || /\]\s*$/.test(text)) {
    throw new PromqlBuildError(`expected a plain series selector without range or functions, got ${JSON.stringify(selector)}`);
  }
  if (name === '') {
    const named = /__name__\s*=\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"/.exec(matchers);
    if (!named) throw new PromqlBuildError(`expected a metric name in ${JSON.stringify(selector)}`);
    const bucket = named[1]!.endsWith('_bucket') ? named[1]! : `${named[1]}_bucket`;
    return matchers.replace(named[0], `__name__="${bucket}"`);
  }
  if (!METRIC_NAME.test(name)) throw new PromqlBuildError(`expected a metric name, got ${JSON.stringify(name)}`);
  const bucket = name.endsWith('_bucket') ? name : `${name}_bucket`;
  return `${bucket}${matchers}`;
}

export function latencyQuery(indicator: LatencyIndicator, window: string): string {
  return `histogram_quantile(${indicator.quantile}, sum by (le) (rate(${bucketSelector(indicator.histogram)}[${window}])))`;
}

/** Replaces every `{{window}}` (spaces allowed inside the braces). */
export function fillWindow(query: string, window: string): string {
  return query.replace(/\{\{\s*window\s*\}\}/g, window);
}

/** Error ratio: errors/total, or 1 - good/total. */
export function ratioQuery(indicator: RatioIndicator, window: string): string {
  const total = fillWindow(indicator.total, window);
  if (indicator.errors !== undefined) return `(${fillWindow(indicator.errors, window)}) / (${total})`;
  return `1 - (${fillWindow(indicator.good!, window)}) / (${total})`;
}

/** The windows a ratio objective is queried over, without duplicates: burn-rate windows, then the objective's window and period. */
export function ratioWindows(objective: Objective): string[] {
  const all = [...BURN_RATE_WINDOWS, formatDuration(objective.window), formatDuration(objective.period)];
  return [...new Set(all)];
}

/** The queries of one objective if its indicator uses Prometheus instance `source`. */
export function objectiveQueries(service: string, objective: Objective, source: string): ObjectiveQuery[] {
  const base = { service, objective: objective.name };
  const ind = objective.indicator;
  if ('latency' in ind && ind.latency.source === source) {
    const window = formatDuration(objective.window);
    return [{ ...base, part: 'value', window, query: latencyQuery(ind.latency, window) }];
  }
  if ('ratio' in ind && ind.ratio.source === source) {
    return ratioWindows(objective).map((window) => ({ ...base, part: 'ratio', window, query: ratioQuery(ind.ratio, window) }));
  }
  if ('promql' in ind && ind.promql.source === source) {
    return [{ ...base, part: 'value', window: '', query: ind.promql.query }];
  }
  return [];
}

export interface BuildProblem {
  readonly service: string;
  readonly objective: string;
  readonly message: string;
}

/** Every query for instance `source`, plus objectives whose query could not be built. */
export function buildQueries(source: string, files: readonly LoadedSloFile[]): { queries: ObjectiveQuery[]; problems: BuildProblem[] } {
  const queries: ObjectiveQuery[] = [];
  const problems: BuildProblem[] = [];
  for (const file of files) {
    for (const objective of file.slo.objectives) {
      try {
        queries.push(...objectiveQueries(file.slo.service, objective, source));
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
