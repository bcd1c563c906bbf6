import type { RedisHitRatioIndicator } from '../../config/slo-schema.js';
import { hitRatioOverWindow, hitRatioSeries } from '../../sources/redis/hit-ratio.js';
import { type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';
import { newestOf, oldestOf } from './gauge-reader.js';

/** Keyspace hit ratio from the raw INFO counters' reset-aware increase over the window. */
export class RedisHitRatioReader implements IndicatorReader {
  readonly unit = 'ratio' as const;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: RedisHitRatioIndicator,
  ) {}

  private series() {
    return hitRatioSeries(this.ctx.store, this.indicator.source);
  }

  current(): Reading {
    const { now, windowMs, staleAfterMs } = this.ctx;
    const series = this.series();
    if (series.length === 0) return noData(`no samples from redis source "${this.indicator.source}"`);
    const newestT = newestOf(series);
    if (newestT === null || newestT < now - staleAfterMs) return noData('stale: no recent Redis sample', newestT);
    const hr = hitRatioOverWindow(series, now - windowMs, now);
    if (hr === null) return noData('no cache lookups in the window', newestT);
    return {
      value: hr.ratio,
      newestT,
      breakdown: [{ labels: { source: this.indicator.source, hits: String(hr.hits), misses: String(hr.misses) }, value: hr.ratio }],
    };
  }

  sliceValue(from: number, to: number): number | null {
    return hitRatioOverWindow(this.series(), from, to)?.ratio ?? null;
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}
