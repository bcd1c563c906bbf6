import type {
  ContainerCpuIndicator,
  ContainerMemoryIndicator,
  PostgresQueryLatencyIndicator,
  RedisHitRatioIndicator,
} from '../config/slo-schema.js';
import { ERR, vigilError } from '../core/errors.js';
import { globToRegex, type Matcher, matchers, promDuration, regexQuote } from './promql-text.js';

/**
 * Metric profiles: the PromQL of the container, Redis and PostgreSQL indicators for each exporter
 * whose metrics a team may already scrape. Rules, dashboards and the daemon's Prometheus source
 * all take their text from here, so the three agree on names and labels.
 *
 * - `vigil`: what `vigil run` exports; every series carries the source instance as `source`.
 * - `cadvisor`: standalone cAdvisor on Docker; the container name is the `name` label and Docker
 *   labels are `container_label_<key with non-alphanumerics as _>`.
 * - `kubelet`: cAdvisor as the kubelet exports it; the container name is `container`, and
 *   pod-level cgroups (`container=""`) and pause containers (`container="POD"`) are left out.
 * - `redis_exporter`: `redis_keyspace_hits_total` / `redis_keyspace_misses_total`.
 * - `postgres_exporter`: the `pg_stat_statements` collector as of postgres_exporter 0.13
 *   (`pg_stat_statements_seconds_total`, `pg_stat_statements_calls_total` with `user`, `datname`,
 *   `queryid`; with `--collector.stat_statements.include_query` also
 *   `pg_stat_statements_query_id{queryid, query}`, which `match` needs).
 *
 * Series of every profile are narrowed by the indicator's `seriesMatch` (exporter labels such as
 * `job` or `instance`); values may be globs.
 */

const w = promDuration;

type ContainerIndicator = ContainerMemoryIndicator | ContainerCpuIndicator;

/** A per-container gauge or rate: the value per container (label `container`) and its raw series. */
export interface ContainerSeries {
  /** One series per container, labelled `container`. */
  perContainer(windowMs: number): string;
  readonly absent: string;
}

export interface RedisSeries {
  hits(windowMs: number): string;
  misses(windowMs: number): string;
  readonly absent: string;
}

export interface PostgresSeries {
  /** Per statement: execution seconds and calls over the window (same labels, so they divide). */
  exec(windowMs: number): string;
  calls(windowMs: number): string;
  readonly absent: string;
}

/** `seriesMatch` as matchers: a value with `*` or `?` is a glob, anything else exact. */
export function seriesMatchers(seriesMatch: Readonly<Record<string, string>> | undefined): Matcher[] {
  return Object.entries(seriesMatch ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, value]) => (/[*?]/.test(value) ? [label, '=~', globToRegex(value)] : [label, '=', value]));
}

/** A Docker label key as cAdvisor names its series label: `com.docker.compose.service` -> `container_label_com_docker_compose_service`. */
export function cadvisorLabelName(dockerKey: string): string {
  return `container_label_${dockerKey.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** A SQL LIKE pattern as an anchored RE2 pattern over the statement text (`%` any run, `_` one character). */
export function likeToRegex(pattern: string): string {
  let out = '(?s)';
  for (const ch of pattern) {
    if (ch === '%') out += '.*';
    else if (ch === '_') out += '.';
    else out += regexQuote(ch);
  }
  return out;
}

function profileError(detail: string): Error {
  return vigilError(ERR.VIGIL_ERR_GENERATE, { detail });
}

const CONTAINER_METRICS = {
  memory: { vigil: 'vigil_container_memory_working_set_bytes', exporter: 'container_memory_working_set_bytes' },
  cpu: { vigil: 'vigil_container_cpu_usage_ratio', exporter: 'container_cpu_usage_seconds_total' },
} as const;

/** The container series of one indicator under its profile. */
export function containerSeries(what: 'memory' | 'cpu', c: ContainerIndicator): ContainerSeries {
  const profile = c.metrics ?? 'vigil';
  const extra = seriesMatchers(c.seriesMatch);
  if (profile === 'vigil') {
    const list: Matcher[] = [['source', '=', c.source]];
    if (c.containers !== undefined) list.push(['container', '=~', globToRegex(c.containers)]);
    const sel = `${CONTAINER_METRICS[what].vigil}${matchers([...list, ...extra])}`;
    // CPU is a gauge here (vigil exports the usage ratio), so both kinds average over the window.
    return { perContainer: (ms) => `max by (container) (avg_over_time(${sel}[${w(ms)}]))`, absent: sel };
  }
  const nameLabel = profile === 'cadvisor' ? 'name' : 'container';
  const list: Matcher[] = [
    [nameLabel, c.containers !== undefined ? '=~' : '!=', c.containers !== undefined ? globToRegex(c.containers) : ''],
  ];
  if (profile === 'kubelet') {
    list.push(['container', '!=', 'POD']);
    if (c.containerLabels !== undefined) {
      throw profileError(
        'the kubelet profile has no Docker labels on its series; select pods with seriesMatch (namespace, pod) instead of containerLabels',
      );
    }
  }
  for (const [key, value] of Object.entries(c.containerLabels ?? {})) list.push([cadvisorLabelName(key), '=', value]);
  const sel = `${CONTAINER_METRICS[what].exporter}${matchers([...list, ...extra])}`;
  // Memory is a gauge (averaged); CPU is a counter of core-seconds, so its rate is cores in use,
  // the same unit as vigil's usage ratio (1 = one core). Older cAdvisors split CPU by `cpu`.
  const inner = (ms: number) =>
    what === 'memory' ? `max by (${nameLabel}) (avg_over_time(${sel}[${w(ms)}]))` : `sum by (${nameLabel}) (rate(${sel}[${w(ms)}]))`;
  const perContainer =
    nameLabel === 'container'
      ? inner
      : (ms: number) => `max by (container) (label_replace(${inner(ms)}, "container", "$1", "name", "(.+)"))`;
  return { perContainer, absent: sel };
}

/** Keyspace hits and misses of one indicator under its profile. */
export function redisSeries(r: RedisHitRatioIndicator): RedisSeries {
  const profile = r.metrics ?? 'vigil';
  const extra = seriesMatchers(r.seriesMatch);
  const [prefix, list] = profile === 'vigil' ? ['vigil_redis', [['source', '=', r.source] as Matcher, ...extra]] : ['redis', extra];
  const sel = matchers(list);
  return {
    hits: (ms) => `sum(increase(${prefix}_keyspace_hits_total${sel}[${w(ms)}]))`,
    misses: (ms) => `sum(increase(${prefix}_keyspace_misses_total${sel}[${w(ms)}]))`,
    absent: `${prefix}_keyspace_hits_total${sel}`,
  };
}

/** The statement selector label value the postgres source uses: `<match>|<database>`. */
export function postgresSelector(match: string | undefined, database: string | undefined): string {
  return `${match ?? ''}|${database ?? ''}`;
}

/** Statement execution time and calls of one indicator under its profile. */
export function postgresSeries(p: PostgresQueryLatencyIndicator): PostgresSeries {
  const profile = p.metrics ?? 'vigil';
  const extra = seriesMatchers(p.seriesMatch);
  if (profile === 'vigil') {
    const sel = matchers([['source', '=', p.source], ['selector', '=', postgresSelector(p.match, p.database)], ...extra]);
    return {
      exec: (ms) => `increase(vigil_postgres_statement_exec_seconds_total${sel}[${w(ms)}])`,
      calls: (ms) => `increase(vigil_postgres_statement_calls_total${sel}[${w(ms)}])`,
      absent: `vigil_postgres_statement_calls_total${sel}`,
    };
  }
  const list: Matcher[] = [...(p.database !== undefined ? [['datname', '=', p.database] as Matcher] : []), ...extra];
  const sel = matchers(list);
  // The collector labels statements by queryid only; the text is a separate mapping series,
  // joined on the statement (and the exporter that reported it).
  const textSel = matchers([['query', '=~', likeToRegex(p.match ?? '%')], ...extra.filter(([l]) => l !== 'datname' && l !== 'user')]);
  const only = (expr: string) =>
    p.match === undefined ? expr : `(${expr} and on (job, instance, queryid) pg_stat_statements_query_id${textSel})`;
  return {
    exec: (ms) => only(`increase(pg_stat_statements_seconds_total${sel}[${w(ms)}])`),
    calls: (ms) => only(`increase(pg_stat_statements_calls_total${sel}[${w(ms)}])`),
    absent: `pg_stat_statements_calls_total${sel}`,
  };
}

/** Hits / (hits + misses) over the window, one value. */
export function redisHitRatioValue(r: RedisHitRatioIndicator, windowMs: number): string {
  const s = redisSeries(r);
  return `${s.hits(windowMs)}\n/\n(${s.hits(windowMs)} + ${s.misses(windowMs)})`;
}

/**
 * Statement latency over the window, one value. Prometheus sees per-statement sums, not the
 * latency distribution: `mean` is the mean over all selected statements, `p95`/`max` the worst
 * statement's mean (documented).
 */
export function postgresLatencyValue(p: PostgresQueryLatencyIndicator, windowMs: number): string {
  const s = postgresSeries(p);
  return p.statistic === 'mean'
    ? `sum(${s.exec(windowMs)})\n/\nsum(${s.calls(windowMs)})`
    : `max(${s.exec(windowMs)}\n/\n${s.calls(windowMs)})`;
}
