import type { Labels } from '../store/point.js';
import type { SampleStore, StoredSeries } from '../store/sample-store.js';

export interface LatestValue {
  readonly labels: Labels;
  readonly value: number;
  readonly t: number;
  readonly series: StoredSeries;
}

/**
 * The newest value of every live series of `metric`. A series is left out when its source said
 * it ended (container gone), or when its source's newer samples no longer contain it: a Redis
 * restart (new run_id) or an evicted statement leaves a series that is not "ended" but stale.
 * Stale = its newest point is older than the newest point of the same metric and source by more
 * than `toleranceMs` (points of one sample may carry slightly different times).
 */
export function latestValues(store: SampleStore, metric: string, toleranceMs: number): LatestValue[] {
  const candidates: LatestValue[] = [];
  const newestBySource = new Map<string, number>();
  for (const series of store.select(metric)) {
    const n = series.buffer.length;
    if (series.ended || n === 0) continue;
    const t = series.buffer.timeAt(n - 1);
    candidates.push({ labels: series.labels, value: series.buffer.valueAt(n - 1), t, series });
    const source = series.labels.source ?? '';
    newestBySource.set(source, Math.max(newestBySource.get(source) ?? -Infinity, t));
  }
  return candidates.filter((c) => c.t >= newestBySource.get(c.labels.source ?? '')! - toleranceMs);
}
