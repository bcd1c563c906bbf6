import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import type { LoadedSloFile } from '../../config/config.js';
import type { PrometheusSourceConfig } from '../../config/daemon-schema.js';
import type { WindowSets } from '../../config/window-sets.js';
import { settleBounded } from '../../core/bounded-async.js';
import { describeError } from '../../core/describe-error.js';
import { ERR, formatMessage, vigilError } from '../../core/errors.js';
import { type HttpTls, httpEndpoint, requestHeaders } from '../../core/http-credentials.js';
import { tlsProblem } from '../../core/tls-problems.js';
import type { Labels, Point } from '../../store/point.js';
import { formatDuration } from '../../units/units.js';
import type { SampleResult, Source } from '../source.js';
import { type BuildProblem, buildQueries, type ObjectiveQuery, refreshIntervalMs } from './promql-builder.js';

export const PROMQL_METRIC = 'promql_value';

/** Queries in flight at once against one Prometheus. */
const QUERY_CONCURRENCY = 4;

/** An https agent with the configured CA, client certificate and server name (files read once, at start). */
function tlsAgent(tls: HttpTls): HttpsAgent {
  return new HttpsAgent({
    keepAlive: true,
    ...(tls.caFile !== undefined ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile !== undefined ? { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile!) } : {}),
    ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
    rejectUnauthorized: !tls.insecureSkipVerify,
  });
}

/** A query that Prometheus refused or could not run, kept per objective for the status page. */
export interface PromqlQueryError {
  readonly code: typeof ERR.VIGIL_ERR_PROMQL_QUERY | typeof ERR.VIGIL_ERR_PROMQL_SELECTOR | typeof ERR.VIGIL_ERR_PROMQL_RESULT;
  readonly service: string;
  readonly objective: string;
  readonly window: string;
  readonly query: string;
  /** `prometheus <instance>: <service>/<objective> [window]: <Prometheus's message>`. */
  readonly message: string;
  /** Unix ms of the sample that saw it. */
  readonly t: number;
}

/** The shape prometheus-query rejects with (a plain object, not an Error). */
interface DriverError {
  errorType?: string;
  error?: string;
  httpStatus?: number;
  code?: string;
}

function driverMessage(err: unknown): string {
  if (err instanceof Error) return describeError(err);
  const e = err as DriverError | null;
  if (e && typeof e.error === 'string') {
    return e.httpStatus ? `${e.error} (HTTP ${e.httpStatus})` : e.code && !e.error.includes(e.code) ? `${e.code}: ${e.error}` : e.error;
  }
  return String(err);
}

/** True when the failure came back from Prometheus itself (so Prometheus is up). */
function answeredByPrometheus(err: unknown): boolean {
  return (err as DriverError | null)?.errorType === 'http_error';
}

function spellInfinities(body: unknown): void {
  const data = (body as { data?: { resultType?: string; result?: unknown } } | null)?.data;
  if (!data || !Array.isArray(data.result)) return;
  const fix = (pair: unknown): void => {
    if (Array.isArray(pair) && (pair[1] === '+Inf' || pair[1] === '-Inf')) pair[1] = pair[1] === '+Inf' ? 'Infinity' : '-Infinity';
  };
  if (data.resultType === 'scalar') fix(data.result);
  else
    for (const series of data.result as Array<{ value?: unknown; values?: unknown[] }>) {
      fix(series.value);
      series.values?.forEach(fix);
    }
}

function finiteOrProblem(value: number): { value: number | null } | { problem: string } {
  if (value === Infinity) return { problem: 'is +Inf: the quantile lies above the highest finite histogram bucket' };
  if (value === -Infinity) return { problem: 'is -Inf' };
  // NaN: 0/0, e.g. a ratio without traffic: no data rather than a number.
  return { value: Number.isNaN(value) ? null : value };
}

/** One number from an instant query, or a reason why not. Empty vector = no data (null). */
export function singleValue(result: QueryResult): { value: number | null } | { problem: string } {
  if (result.resultType === 'scalar') {
    // The driver hands scalars over raw: [unix seconds, "value"].
    const pair = result.result as unknown as [number, string] | undefined;
    return pair ? finiteOrProblem(Number(pair[1])) : { value: null };
  }
  if (result.resultType !== 'vector') return { problem: `expected an instant vector or scalar, got a ${result.resultType}` };
  if (result.result.length === 0) return { value: null };
  if (result.result.length > 1) {
    return { problem: `returned ${result.result.length} series; aggregate it to one (for example with sum() or max())` };
  }
  const sample = (result.result[0] as { value?: { value: number } }).value;
  return sample ? finiteOrProblem(Number(sample.value)) : { value: null };
}

/** A series of a range query, as plain arrays. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly t: number[];
  readonly v: number[];
}

/**
 * Runs the objectives' PromQL against one Prometheus on each sample and stores the answers as
 * `promql_value{source, service, objective, part, window}`. A query Prometheus rejects is an
 * error of that objective (see `queryErrors()`), not of the source: the source is up as long as
 * Prometheus answers, and the other objectives keep their values.
 */
export class PrometheusSource implements Source {
  readonly kind = 'prometheus' as const;
  private readonly driver: PrometheusDriver;
  private readonly queries: ObjectiveQuery[];
  private readonly problems: BuildProblem[];
  private errors: PromqlQueryError[] = [];
  /** Last good answer per query (index into `queries`), reused until its window's refresh is due. */
  private readonly answers = new Map<number, { value: number; at: number }>();
  /** The signal of the sample in flight; samples of one source never overlap. */
  private currentSignal: AbortSignal | undefined;
  /** The URL without credentials, for messages. */
  private readonly url: string;
  /** TLS settings of an https URL (a private CA, a client certificate). */
  private readonly httpsAgent: HttpsAgent | undefined;

  constructor(
    readonly name: string,
    private readonly config: PrometheusSourceConfig,
    files: readonly LoadedSloFile[],
    windowSets: WindowSets,
  ) {
    const built = buildQueries(name, files, windowSets);
    this.httpsAgent = config.tls ? tlsAgent(config.tls) : undefined;
    this.queries = built.queries;
    this.problems = built.problems;
    const endpoint = httpEndpoint(config.url, config.auth);
    this.url = endpoint.url;
    this.driver = new PrometheusDriver({
      endpoint: endpoint.url.replace(/\/+$/, ''),
      baseURL: '/api/v1',
      headers: requestHeaders(endpoint, config.headers),
      timeout: config.timeout,
      // Long PromQL (ratio queries with label matchers) can pass URL limits; POST has none.
      preferPost: true,
      requestInterceptor: {
        onFulfilled: (request) => {
          if (this.currentSignal) request.signal = this.currentSignal;
          if (this.httpsAgent) request.httpsAgent = this.httpsAgent;
          return request;
        },
      },
      // Prometheus writes infinities as "+Inf"/"-Inf", which the driver's parseFloat turns into
      // NaN (no data). A quantile of +Inf means "above the highest bucket": keep it infinite.
      responseInterceptor: {
        onFulfilled: (response) => {
          spellInfinities(response.data);
          return response;
        },
      },
    });
  }

  /** The queries this instance runs, for tests and the generated docs. */
  get objectiveQueries(): readonly ObjectiveQuery[] {
    return this.queries;
  }

  /** Per-objective failures of the last sample (query errors and selectors that could not be built). */
  queryErrors(): readonly PromqlQueryError[] {
    return this.errors;
  }

  async sample(signal: AbortSignal): Promise<SampleResult> {
    this.currentSignal = signal;
    const t = Date.now();
    const timeout = formatDuration(this.config.timeout);
    try {
      if (this.queries.length === 0) {
        // No objective here: a trivial query still tells whether Prometheus answers.
        await this.driver.instantQuery('1', t, timeout).catch((err: unknown) => {
          throw this.unreachable(err);
        });
        this.errors = this.buildErrors(t);
        return { points: [] };
      }
      const due = this.queries
        .map((q, index) => ({ q, index }))
        .filter(({ q, index }) => {
          const cached = this.answers.get(index);
          return !cached || t - cached.at >= refreshIntervalMs(q.window);
        });
      const settled = await settleBounded(due, QUERY_CONCURRENCY, ({ q }) => this.driver.instantQuery(q.query, t, timeout));
      const points: Point[] = [];
      const errors: PromqlQueryError[] = this.buildErrors(t);
      let answered = 0;
      let firstFailure: unknown = null;
      settled.forEach((outcome, i) => {
        const { q, index } = due[i]!;
        this.answers.delete(index);
        if (!outcome.ok) {
          if (answeredByPrometheus(outcome.error)) answered++;
          else firstFailure ??= outcome.error;
          errors.push(this.queryError(ERR.VIGIL_ERR_PROMQL_QUERY, q, driverMessage(outcome.error), t));
          return;
        }
        answered++;
        const one = singleValue(outcome.value);
        if ('problem' in one) errors.push(this.queryError(ERR.VIGIL_ERR_PROMQL_RESULT, q, one.problem, t));
        // "No data" is not kept: it is asked again next sample, so data shows as soon as it exists.
        else if (one.value !== null) this.answers.set(index, { value: one.value, at: t });
      });
      if (due.length === 0) {
        // Every answer was still fresh: a trivial query keeps the health honest.
        await this.driver.instantQuery('1', t, timeout).catch((err: unknown) => {
          throw this.unreachable(err);
        });
        answered++;
      }
      // Fresh and reused answers alike get this sample's time, so every series has a point per
      // sample and readers need not know which windows were re-asked.
      this.queries.forEach((q, index) => {
        const answer = this.answers.get(index);
        if (answer) points.push({ metric: PROMQL_METRIC, labels: this.labels(q), t, value: answer.value });
      });
      if (answered === 0) throw this.unreachable(firstFailure);
      this.errors = errors;
      return { points };
    } finally {
      this.currentSignal = undefined;
    }
  }

  /**
   * History for a query (backfill, dashboards): `[start, end]` in unix ms at `stepSeconds`.
   * Uses the source's timeout; throws with Prometheus's message on a bad query.
   */
  async rangeQuery(query: string, startMs: number, endMs: number, stepSeconds: number): Promise<RangeSeries[]> {
    try {
      const result = await this.driver.rangeQuery(query, startMs, endMs, stepSeconds, formatDuration(this.config.timeout));
      return result.result.map(
        (series: { metric: { name?: string; labels: Record<string, string> }; values: Array<{ time: Date; value: number }> }) => ({
          labels: { ...series.metric.labels, ...(series.metric.name ? { __name__: series.metric.name } : {}) },
          t: series.values.map((s) => s.time.getTime()),
          v: series.values.map((s) => Number(s.value)),
        }),
      );
    } catch (err) {
      // Without the driver's error as cause: it carries the request and its credentials.
      throw new Error(`prometheus ${this.name}: range query ${JSON.stringify(query)}: ${driverMessage(err)}`);
    }
  }

  private labels(q: ObjectiveQuery): Labels {
    return { source: this.name, service: q.service, objective: q.objective, part: q.part, window: q.window };
  }

  private queryError(
    code: typeof ERR.VIGIL_ERR_PROMQL_QUERY | typeof ERR.VIGIL_ERR_PROMQL_RESULT,
    q: ObjectiveQuery,
    reason: string,
    t: number,
  ): PromqlQueryError {
    const window = q.window ? ` [${q.window}]` : '';
    return {
      code,
      service: q.service,
      objective: q.objective,
      window: q.window,
      query: q.query,
      message: formatMessage(code, { source: this.name, service: q.service, objective: q.objective, window, detail: reason }),
      t,
    };
  }

  private buildErrors(t: number): PromqlQueryError[] {
    return this.problems.map((p) => ({
      code: ERR.VIGIL_ERR_PROMQL_SELECTOR,
      service: p.service,
      objective: p.objective,
      window: '',
      query: '',
      // The selector's own message, with where it was found in front.
      message: `prometheus ${this.name}: ${p.service}/${p.objective}: ${p.message}`,
      t,
    }));
  }

  /**
   * Prometheus did not answer. The driver's error is not kept as the cause: it carries the
   * request, credentials included, and errors end up in logs.
   */
  private unreachable(err: unknown): Error {
    const code = (err as { code?: unknown } | null)?.code;
    const tls = tlsProblem(code);
    if (tls !== null)
      return vigilError(ERR.VIGIL_ERR_SOURCE_TLS, { source: `prometheus ${this.name}`, url: this.url, code: String(code), detail: tls });
    return new Error(`prometheus ${this.name} (${this.url}): ${driverMessage(err)}`);
  }

  async close(): Promise<void> {
    // The driver keeps no connection state of its own (axios per request).
  }
}
