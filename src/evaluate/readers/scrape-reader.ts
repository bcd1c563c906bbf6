import type { LatencyIndicator, RatioIndicator } from '../../config/slo-schema.js';
import { quantileOverWindow, ratioOverWindow, seriesOfHistogram, seriesOfQuery } from '../../sources/scrape/window-queries.js';
import { type ErrorRatio, type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';
import { oldestOf } from './gauge-reader.js';

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

/** Error ratio from scraped counters (errors/total or 1 − good/total) over any window. */
export class ScrapeRatioReader implements IndicatorReader {
  readonly unit = 'ratio' as const;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: RatioIndicator,
  ) {}

  private ratio(windowMs: number) {
    const { store, now } = this.ctx;
    return ratioOverWindow(store, this.indicator.source, this.indicator, now - windowMs, now);
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

  errorRatio(windowMs: number): ErrorRatio | null {
    try {
      const r = this.ratio(windowMs);
      return r.errorRatio === null || r.newestT === null ? null : { ratio: r.errorRatio, newestT: r.newestT };
    } catch {
      return null;
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
