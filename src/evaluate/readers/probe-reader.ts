import type { ProbeIndicator } from '../../config/slo-schema.js';
import { quantileOverTime } from '../../core/quantile.js';
import { PROBE_METRICS } from '../../sources/probe/probe-source.js';
import { PROBE_LATENCY_QUANTILE } from '../../sources/probe/probe-targets.js';
import type { StoredSeries } from '../../store/sample-store.js';
import { type EventCounts, noEvents } from '../event-counts.js';
import { type BreakdownPart, type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';
import { newestOf, oldestById, oldestOf } from './gauge-reader.js';

// The series names are decided where the probes are made.
export const PROBE_SUCCESS = PROBE_METRICS.success;
export const PROBE_DURATION = PROBE_METRICS.duration;

/** The series URL is decided where the probes are made (without credentials). */
export { probeUrl } from '../../sources/probe/probe-targets.js';

/** The probe series one objective reads: its URL, or (no base URL known) any URL ending in its path. */
function probeSeries(ctx: ReadContext, metric: string, indicator: ProbeIndicator, url: string | null): StoredSeries[] {
  const { source, path } = indicator;
  return ctx.store.select(
    metric,
    (l) => l.source === source && (l.url === url || (url === null && path !== undefined && (l.url ?? '').endsWith(path))),
    url === null ? { source } : { source, url },
  );
}

/** The latency quantile of one series' probes over `[from, to]`; null when none ran then. */
function seriesQuantile(s: StoredSeries, from: number, to: number): { value: number; probes: number } | null {
  const { v } = s.buffer.range(from, to);
  const value = quantileOverTime(PROBE_LATENCY_QUANTILE, v);
  return value === null ? null : { value, probes: v.length };
}

const percentLabel = `p${Math.round(PROBE_LATENCY_QUANTILE * 100)}`;

/**
 * HTTP probe results as events (uptime): every probe is one event, good when it succeeded. The
 * value is the success share over the window; compliance and burn rates use the same count over
 * longer spans. The breakdown also shows the probes' latency quantile, for information.
 */
export class ProbeUptimeReader implements IndicatorReader {
  readonly unit = 'ratio' as const;
  /** A probe stands for its interval: uptime budgets are time. */
  readonly timeBased = true;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: ProbeIndicator,
    private readonly url: string | null,
  ) {}

  private series() {
    return probeSeries(this.ctx, PROBE_SUCCESS, this.indicator, this.url);
  }

  current(): Reading {
    const { now, windowMs, staleAfterMs } = this.ctx;
    const series = this.series();
    if (series.length === 0) return noData(`no probe results for ${this.url ?? this.indicator.path ?? '?'}`);
    const newest = newestOf(series);
    if (newest === null || newest < now - staleAfterMs) return noData('stale: no recent probe result', newest);
    // Recent but not inside the window: only points stamped after `now` (a clock that ran fast).
    const c = this.events(now - windowMs, now);
    if (c.all === 0) return noData('no probe result inside the window (timestamps ahead of the clock?)', newest);
    const value = 1 - c.bad / c.all;
    const labels: Record<string, string> = {
      url: this.url ?? this.indicator.path ?? '',
      probes: String(c.all),
      failed: String(c.bad),
    };
    const latency = new ProbeLatencyReader(this.ctx, this.indicator, this.url).sliceValue(now - windowMs, now);
    if (latency !== null) labels[`duration_${percentLabel}_ms`] = String(Number((latency * 1000).toPrecision(4)));
    return { value, newestT: c.newestT, breakdown: [{ labels, value }] };
  }

  /**
   * Every probe in `(from, to]` is one event, bad when it failed. The span is open at its start,
   * as Prometheus 3 range selectors are (`avg_over_time(vigil_probe_success[1h])`), so adjacent
   * spans share no probe and their counts add up.
   */
  events(from: number, to: number): EventCounts {
    const c = noEvents();
    for (const s of this.series()) {
      const { t, v } = s.buffer.window(from, to);
      for (let i = 0; i < v.length; i++) {
        if (t[i]! <= from) continue;
        c.all++;
        if (v[i]! < 1) c.bad++;
        c.newestT = Math.max(c.newestT, t[i]!);
      }
    }
    return c;
  }

  eventSeriesOldest(): ReadonlyMap<string, number> {
    return oldestById(this.series());
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}

/**
 * The probes' response time (a probe objective whose threshold is a duration): the
 * `PROBE_LATENCY_QUANTILE` of every probe's duration over the window, with Prometheus's
 * `quantile_over_time` definition, worst URL first: the generated rules compute
 * `max(quantile_over_time(0.95, vigil_probe_duration_seconds{…}[window]))`, the same figure.
 * A failed probe counts with the time it took to fail (a timeout is slow; a refused connection is
 * fast: uptime is a separate objective). With a target, compliance is timeslices (`sliceValue`).
 */
export class ProbeLatencyReader implements IndicatorReader {
  readonly unit = 'seconds' as const;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: ProbeIndicator,
    private readonly url: string | null,
  ) {}

  private series() {
    return probeSeries(this.ctx, PROBE_DURATION, this.indicator, this.url);
  }

  current(): Reading {
    const { now, windowMs, staleAfterMs } = this.ctx;
    const series = this.series();
    if (series.length === 0) return noData(`no probe durations for ${this.url ?? this.indicator.path ?? '?'}`);
    const newest = newestOf(series);
    if (newest === null || newest < now - staleAfterMs) return noData('stale: no recent probe result', newest);
    const breakdown: BreakdownPart[] = [];
    for (const s of series) {
      const q = seriesQuantile(s, now - windowMs, now);
      if (q !== null) breakdown.push({ labels: { url: s.labels.url ?? '', probes: String(q.probes) }, value: q.value });
    }
    if (breakdown.length === 0) return noData('no probe ran in the window', newest);
    breakdown.sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    return { value: breakdown[0]!.value, newestT: newest, breakdown };
  }

  /** The worst URL's quantile over the slice: the same figure as `current`, so a slice is judged as the rules judge it. */
  sliceValue(from: number, to: number): number | null {
    let worst: number | null = null;
    for (const s of this.series()) {
      const q = seriesQuantile(s, from, to);
      if (q !== null && (worst === null || q.value > worst)) worst = q.value;
    }
    return worst;
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}
