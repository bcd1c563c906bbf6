import type { Objective } from '../config/slo-schema.js';
import { indicatorKind } from '../config/slo-schema.js';
import { errorRatioQuery, errorsQuery, totalQuery } from '../promql/error-ratio-query.js';
import { fillWindow } from '../promql/fill-window.js';
import { latencyQuery, latencyTrafficQuery } from '../promql/latency-query.js';
import {
  type ContainerSeries,
  containerSeries,
  postgresLatencyValue,
  postgresSelector,
  postgresSeries,
  redisHitRatioValue,
  redisSeries,
} from '../promql/metric-profiles.js';
import { bucketSelector } from '../promql/metric-suffix.js';
import { globToRegex, type Matcher, matchers, promDuration, promNumber } from '../promql/promql-text.js';
import { PROBE_LATENCY_QUANTILE, probeUrl } from '../sources/probe/probe-targets.js';
import type { QuantityUnit } from '../units/units.js';

/**
 * The PromQL behind each indicator kind, shared by the rules and the dashboards so a panel shows
 * exactly what an alert compares. Threshold kinds give a value over a window; ratio kinds give
 * an error ratio over a window (and, where events are counted, per-second event rates so the
 * period ratio can be weighted by traffic).
 *
 * vigil's own metrics (what `vigil run` exports at /metrics, scraped by Prometheus) carry the
 * source instance as `source`, so selectors always pin it.
 */

export interface ThresholdQuery {
  readonly kind: 'threshold';
  /** Value over the objective's window; may carry a per-thing label (container, selector). */
  value(windowMs: number): string;
  /** Raw series whose absence means "no data". */
  readonly absent: string;
  /** Events per second over the window, for the minimum-traffic guard (where events exist). */
  traffic?(windowMs: number): string;
  /** What the value is, for summaries: `p95 latency`, `memory`. */
  readonly what: string;
  readonly unit: QuantityUnit;
  /** A label that tells which thing broke (`container`), shown in descriptions. */
  readonly perLabel?: string;
}

export interface RatioQuery {
  readonly kind: 'ratio';
  /** Error ratio (0..1) over a window. */
  errorRatio(windowMs: number): string;
  /** Bad and all events per second over a window; absent for time-based ratios (probes). */
  events?: { errors(windowMs: number): string; total(windowMs: number): string };
  /** Error ratio over the whole period when it cannot be weighted from recorded event rates. */
  periodRatio?(periodMs: number): string;
  readonly absent: string;
  traffic?(windowMs: number): string;
  readonly what: string;
}

export type IndicatorQuery = ThresholdQuery | RatioQuery;

/** vigil's own container selector (memory-leak rules, which read only vigil's metrics). */
export function containerMatchers(source: string, containers: string | undefined): Matcher[] {
  const list: Matcher[] = [['source', '=', source]];
  if (containers !== undefined) list.push(['container', '=~', globToRegex(containers)]);
  return list;
}

const w = promDuration;

export { postgresSelector };

/** A per-container value under the indicator's profile: the worst container, labelled by container. */
function containerGauge(series: ContainerSeries, what: string, unit: QuantityUnit): ThresholdQuery {
  return { kind: 'threshold', value: series.perContainer, absent: series.absent, what, unit, perLabel: 'container' };
}

export function indicatorQuery(objective: Objective): IndicatorQuery {
  const ind = objective.indicator;
  switch (indicatorKind(ind)) {
    case 'latency': {
      const l = (ind as Extract<typeof ind, { latency: unknown }>).latency;
      return {
        kind: 'threshold',
        value: (ms) => latencyQuery(l, w(ms)),
        absent: bucketSelector(l.histogram),
        traffic: (ms) => latencyTrafficQuery(l, w(ms)),
        what: `p${+(l.quantile * 100).toPrecision(6)} latency`,
        unit: 'seconds',
      };
    }
    case 'ratio': {
      const r = (ind as Extract<typeof ind, { ratio: unknown }>).ratio;
      const total = (ms: number) => totalQuery(r, w(ms));
      const errors = (ms: number) => errorsQuery(r, w(ms));
      return {
        kind: 'ratio',
        errorRatio: (ms) => errorRatioQuery(r, w(ms)),
        events: { errors, total },
        absent: total(5 * 60_000),
        traffic: total,
        what: 'error ratio',
      };
    }
    case 'probe': {
      const p = (ind as Extract<typeof ind, { probe: unknown }>).probe;
      const list: Matcher[] = [['source', '=', p.source]];
      // The series' url label as the probe source writes it (credentials lifted out).
      if (p.url !== undefined) list.push(['url', '=', probeUrl(p, undefined)!]);
      else list.push(['url', '=~', `.*${globToRegex(p.path!)}`]);
      const sel = matchers(list);
      // A threshold bounds the probes' response time (with a target: timeslices of it, as the
      // daemon's probe latency reader does); a target alone is uptime.
      if (objective.threshold !== undefined) {
        const q = promNumber(PROBE_LATENCY_QUANTILE);
        return {
          kind: 'threshold',
          value: (ms) => `max(quantile_over_time(${q}, vigil_probe_duration_seconds${sel}[${w(ms)}]))`,
          absent: `vigil_probe_duration_seconds${sel}`,
          what: `p${+(PROBE_LATENCY_QUANTILE * 100).toPrecision(6)} probe duration`,
          unit: 'seconds',
        };
      }
      if (objective.target !== undefined) {
        const ratio = (ms: number) => `1 - avg(avg_over_time(vigil_probe_success${sel}[${w(ms)}]))`;
        return { kind: 'ratio', errorRatio: ratio, periodRatio: ratio, absent: `vigil_probe_success${sel}`, what: 'failed probe share' };
      }
      return {
        kind: 'threshold',
        value: (ms) => `min(min_over_time(vigil_probe_success${sel}[${w(ms)}]))`,
        absent: `vigil_probe_success${sel}`,
        what: 'probe success',
        unit: 'number',
      };
    }
    case 'promql': {
      const q = (ind as Extract<typeof ind, { promql: unknown }>).promql;
      return {
        kind: 'threshold',
        value: (ms) => fillWindow(q.query, w(ms)).trim(),
        absent: fillWindow(q.query, w(objective.window)).trim(),
        what: 'value',
        unit: 'number',
      };
    }
    case 'containerMemory': {
      const c = (ind as Extract<typeof ind, { containerMemory: unknown }>).containerMemory;
      return containerGauge(containerSeries('memory', c), 'container memory', 'bytes');
    }
    case 'containerCpu': {
      const c = (ind as Extract<typeof ind, { containerCpu: unknown }>).containerCpu;
      return containerGauge(containerSeries('cpu', c), 'container CPU', 'ratio');
    }
    case 'redisHitRatio': {
      const r = (ind as Extract<typeof ind, { redisHitRatio: unknown }>).redisHitRatio;
      const series = redisSeries(r);
      return {
        kind: 'threshold',
        value: (ms) => redisHitRatioValue(r, ms),
        absent: series.absent,
        traffic: (ms) => `(${series.hits(ms)} + ${series.misses(ms)}) / ${ms / 1000}`,
        what: 'Redis hit ratio',
        unit: 'ratio',
      };
    }
    case 'postgresQueryLatency': {
      const p = (ind as Extract<typeof ind, { postgresQueryLatency: unknown }>).postgresQueryLatency;
      const series = postgresSeries(p);
      return {
        kind: 'threshold',
        value: (ms) => postgresLatencyValue(p, ms),
        absent: series.absent,
        traffic: (ms) => `sum(${series.calls(ms)}) / ${ms / 1000}`,
        what: p.statistic === 'mean' ? 'mean query latency' : 'worst statement mean latency',
        unit: 'seconds',
      };
    }
    case 'memoryLeak':
      throw new Error('memoryLeak objectives have their own rules (leak-rules.ts)');
  }
}
