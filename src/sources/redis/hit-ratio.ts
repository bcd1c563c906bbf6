import { type CounterPoints, increase } from '../../store/counter.js';
import { REDIS_METRICS } from './redis-points.js';

/** What the window function needs of a stored series (a `StoredSeries` fits). */
export interface CounterSeries {
  readonly metric: string;
  readonly buffer: { range(from: number, to: number): CounterPoints };
}

export interface HitRatio {
  /** hits / (hits + misses) over the window, 0..1. */
  readonly ratio: number;
  readonly hits: number;
  readonly misses: number;
}

/**
 * The keyspace hit ratio over `[from, to]` from raw INFO counters: per series (one per run_id)
 * the reset-aware increase, summed, then hits / (hits + misses). Null when the window holds no
 * lookups (or fewer than two samples): no traffic is "no data", not 0 % or 100 %.
 * Series of other metrics in `seriesList` are ignored, so callers may pass a whole selection.
 */
export function hitRatioOverWindow(seriesList: readonly CounterSeries[], from: number, to: number): HitRatio | null {
  let hits = 0;
  let misses = 0;
  for (const series of seriesList) {
    if (series.metric !== REDIS_METRICS.hits && series.metric !== REDIS_METRICS.misses) continue;
    const { t, v } = series.buffer.range(from, to);
    const rise = increase(t, v, from, to);
    if (rise === null) continue;
    if (series.metric === REDIS_METRICS.hits) hits += rise;
    else misses += rise;
  }
  const lookups = hits + misses;
  if (lookups <= 0) return null;
  return { ratio: hits / lookups, hits, misses };
}

/** What the helpers below need of the store (a `SampleStore` fits). */
export interface SeriesSelection<S extends CounterSeries = CounterSeries> {
  select(metric: string, match: (labels: Readonly<Record<string, string>>) => boolean): S[];
}

/** The hit and miss counter series of Redis instance `source` (one pair per run_id). */
export function hitRatioSeries<S extends CounterSeries>(store: SeriesSelection<S>, source: string): S[] {
  const bySource = (labels: Readonly<Record<string, string>>) => labels.source === source;
  return [...store.select(REDIS_METRICS.hits, bySource), ...store.select(REDIS_METRICS.misses, bySource)];
}

/** The hit ratio of Redis instance `source` over `[from, to]`, straight from the store. */
export function redisHitRatio(store: SeriesSelection, source: string, from: number, to: number): HitRatio | null {
  return hitRatioOverWindow(hitRatioSeries(store, source), from, to);
}
