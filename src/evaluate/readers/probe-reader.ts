import type { ProbeIndicator } from '../../config/slo-schema.js';
import { noData, type ErrorRatio, type IndicatorReader, type ReadContext, type Reading } from '../indicator-reader.js';
import { newestOf, oldestOf } from './gauge-reader.js';

export const PROBE_SUCCESS = 'probe_success';
export const PROBE_DURATION = 'probe_duration_seconds';

/** The series URL is decided where the probes are made (without credentials). */
export { probeUrl } from '../../sources/probe/probe-targets.js';

/**
 * HTTP probe results as events: every probe is one event, good when it succeeded. The value is the
 * success share over the window; compliance and burn rates use the same count over longer spans.
 */
export class ProbeReader implements IndicatorReader {
  readonly unit = 'ratio' as const;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: ProbeIndicator,
    private readonly url: string | null,
  ) {}

  private series() {
    const { source, path } = this.indicator;
    const url = this.url;
    return this.ctx.store.select(
      PROBE_SUCCESS,
      (l) => l.source === source && (l.url === url || (url === null && path !== undefined && (l.url ?? '').endsWith(path))),
    );
  }

  private counts(from: number, to: number): { good: number; total: number; newestT: number } | null {
    let good = 0;
    let total = 0;
    let newestT = -Infinity;
    for (const s of this.series()) {
      const { t, v } = s.buffer.range(from, to);
      for (let i = 0; i < v.length; i++) {
        total++;
        if (v[i]! >= 1) good++;
        newestT = Math.max(newestT, t[i]!);
      }
    }
    return total > 0 ? { good, total, newestT } : null;
  }

  current(): Reading {
    const { now, windowMs, staleAfterMs } = this.ctx;
    const series = this.series();
    if (series.length === 0) return noData(`no probe results for ${this.url ?? this.indicator.path ?? '?'}`);
    const newest = newestOf(series);
    if (newest === null || newest < now - staleAfterMs) return noData('stale: no recent probe result', newest);
    // Recent but not inside the window: only points stamped after `now` (a clock that ran fast).
    const c = this.counts(now - windowMs, now);
    if (c === null) return noData('no probe result inside the window (timestamps ahead of the clock?)', newest);
    const value = c.good / c.total;
    const labels: Record<string, string> = { url: this.url ?? this.indicator.path ?? '', probes: String(c.total), failed: String(c.total - c.good) };
    const p95 = this.durationP95(now - windowMs, now);
    if (p95 !== null) labels.duration_p95_ms = String(Number((p95 * 1000).toPrecision(4)));
    return { value, newestT: c.newestT, breakdown: [{ labels, value }] };
  }

  /** The probes' own response time over the window, 95th percentile (nearest rank); seconds. */
  private durationP95(from: number, to: number): number | null {
    const { source } = this.indicator;
    const urls = new Set(this.series().map((s) => s.labels.url));
    const all: number[] = [];
    for (const s of this.ctx.store.select(PROBE_DURATION, (l) => l.source === source && urls.has(l.url))) {
      const { v } = s.buffer.range(from, to);
      for (let i = 0; i < v.length; i++) all.push(v[i]!);
    }
    if (all.length === 0) return null;
    all.sort((a, b) => a - b);
    return all[Math.min(all.length - 1, Math.ceil(0.95 * all.length) - 1)]!;
  }

  errorRatio(windowMs: number): ErrorRatio | null {
    const c = this.counts(this.ctx.now - windowMs, this.ctx.now);
    return c ? { ratio: 1 - c.good / c.total, newestT: c.newestT } : null;
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}
