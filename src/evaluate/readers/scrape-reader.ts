import type { LatencyIndicator, RatioIndicator } from '../../config/slo-schema.js';
import { parseRangeQuery } from '../../sources/scrape/promql-subset.js';
import { quantileOverWindow, ratioOverWindow, seriesOfHistogram, seriesOfQuery } from '../../sources/scrape/window-queries.js';
import { addCounterSeries, type EventCounts, noEvents } from '../event-counts.js';
import { type ErrorRatio, type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';
import { oldestById, oldestOf } from './gauge-reader.js';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Latency quantile from a scraped histogram's bucket increases over the window (as `histogram_quantile`). */
export class ScrapeLatencyReader implements IndicatorReader {
  readonly unit = 'seconds' as const;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: LatencyIndicator,
  ) {}

  current(): Reading {
    const { store, now, windowMs, staleAfterMs } = this.ctx;
    try {
      const q = quantileOverWindow(store, this.indicator.source, this.indicator.histogram, this.indicator.quantile, now - windowMs, now);
      if (q.newestT === null) return noData('no scraped histogram samples in the window');
      if (q.newestT < now - staleAfterMs) return noData('stale: no recent scrape', q.newestT);
      if (q.value === null) return noData('no observations in the window', q.newestT);
      return { value: q.value, newestT: q.newestT, breakdown: [{ labels: { observations: String(q.observations) }, value: q.value }] };
    } catch (err) {
      return noData(message(err));
    }
  }

  sliceValue(from: number, to: number): number | null {
    try {
      const { source, histogram, quantile } = this.indicator;
      return quantileOverWindow(this.ctx.store, source, histogram, quantile, from, to).value;
    } catch {
      return null;
    }
  }

  /** How far the histogram's own bucket series reach back (the ratio reader reads its `total` series the same way). */
  oldest(): number | null {
    try {
      return oldestOf(seriesOfHistogram(this.ctx.store, this.indicator.source, this.indicator.histogram));
    } catch {
      return null;
    }
  }
}

/**
 * True when the ratio's queries take their window from the caller (`{{window}}`) and use the same
 * function: their ratio is then bad increase / total increase over any span, which adds up over
 * adjacent spans. A query with a fixed window (`[5m]`) answers that window whatever is asked, and
 * `rate` against `increase` scales one side by the span: neither adds up, so such a reader keeps
 * reading the whole span (`errorRatio`).
 */
function additive(indicator: RatioIndicator): boolean {
  try {
    const total = parseRangeQuery(indicator.total);
    const part = parseRangeQuery((indicator.errors ?? indicator.good)!);
    return total.windowMs === null && part.windowMs === null && total.fn === part.fn;
  } catch {
    return false;
  }
}

/** Error ratio from scraped counters (errors/total or 1 − good/total) over any window. */
export class ScrapeRatioReader implements IndicatorReader {
  readonly unit = 'ratio' as const;
  readonly events?: (from: number, to: number) => EventCounts;
  readonly errorRatio?: (windowMs: number) => ErrorRatio | null;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: RatioIndicator,
  ) {
    if (additive(indicator)) this.events = (from, to) => this.counterEvents(from, to);
    else this.errorRatio = (windowMs) => this.wholeSpanRatio(windowMs);
  }

  private ratio(windowMs: number) {
    const { store, now } = this.ctx;
    return ratioOverWindow(store, this.indicator.source, this.indicator, now - windowMs, now);
  }

  /**
   * The counters' rises in `(from, to]` as events, as `ratioOverWindow` counts them: `total`'s
   * rises are all events; bad ones are `errors`' rises, or `total`'s minus `good`'s.
   */
  private counterEvents(from: number, to: number): EventCounts {
    const { store } = this.ctx;
    const { source, total, errors, good } = this.indicator;
    const c = noEvents();
    try {
      for (const s of seriesOfQuery(store, source, total)) {
        addCounterSeries(c, 'total', s.id, s.buffer.window(from, to), from, { all: 1, bad: errors === undefined ? 1 : 0 });
      }
      for (const s of seriesOfQuery(store, source, (errors ?? good)!)) {
        addCounterSeries(c, 'part', s.id, s.buffer.window(from, to), from, { all: 0, bad: errors === undefined ? -1 : 1 });
      }
    } catch {
      return noEvents();
    }
    return c;
  }

  private wholeSpanRatio(windowMs: number): ErrorRatio | null {
    try {
      const r = this.ratio(windowMs);
      return r.errorRatio === null || r.newestT === null ? null : { ratio: r.errorRatio, newestT: r.newestT };
    } catch {
      return null;
    }
  }

  eventSeriesOldest(): ReadonlyMap<string, number> {
    try {
      const { source, total, errors, good } = this.indicator;
      return oldestById([...seriesOfQuery(this.ctx.store, source, total), ...seriesOfQuery(this.ctx.store, source, (errors ?? good)!)]);
    } catch {
      return new Map();
    }
  }

  current(): Reading {
    const { now, windowMs, staleAfterMs } = this.ctx;
    try {
      const r = this.ratio(windowMs);
      if (r.newestT === null) return noData('no scraped samples in the window');
      if (r.newestT < now - staleAfterMs) return noData('stale: no recent scrape', r.newestT);
      if (r.errorRatio === null) return noData('no traffic in the window', r.newestT);
      return { value: 1 - r.errorRatio, newestT: r.newestT, breakdown: [] };
    } catch (err) {
      return noData(message(err));
    }
  }

  /** How far the scraped `total` counters reach back: compliance and budget rest on that much history. */
  oldest(): number | null {
    try {
      return oldestOf(seriesOfQuery(this.ctx.store, this.indicator.source, this.indicator.total));
    } catch {
      return null;
    }
  }
}
