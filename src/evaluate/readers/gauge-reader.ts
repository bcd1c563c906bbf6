import type { Labels } from '../../store/point.js';
import { pickLabels, type StoredSeries } from '../../store/sample-store.js';
import type { QuantityUnit } from '../../units/units.js';
import { type BreakdownPart, type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';

export interface GaugeReaderOptions {
  metric: string;
  unit: QuantityUnit;
  match: (labels: Labels) => boolean;
  /** The labels a breakdown part shows (e.g. container, container_id). */
  partLabels: readonly string[];
  /** Said when nothing matches. */
  nothingMatches: string;
}

/**
 * A gauge over many series (one per container): the current value is the largest latest value
 * among series with fresh data, with one breakdown part per series. A series whose newest point
 * is stale (a stopped container, the previous run of a restarted one) is left out.
 */
export class GaugeReader implements IndicatorReader {
  readonly unit: QuantityUnit;

  constructor(
    private readonly ctx: ReadContext,
    private readonly options: GaugeReaderOptions,
  ) {
    this.unit = options.unit;
  }

  private series(): StoredSeries[] {
    return this.ctx.store.select(this.options.metric, this.options.match);
  }

  current(): Reading {
    const { now, staleAfterMs } = this.ctx;
    const all = this.series();
    if (all.length === 0) return noData(this.options.nothingMatches);
    const breakdown: BreakdownPart[] = [];
    let value: number | null = null;
    let newestT: number | null = null;
    let newestAny: number | null = null;
    for (const s of all) {
      const n = s.buffer.length;
      if (n === 0) continue;
      const t = s.buffer.timeAt(n - 1);
      newestAny = newestAny === null ? t : Math.max(newestAny, t);
      if (t < now - staleAfterMs || t > now || s.ended) continue;
      const v = s.buffer.valueAt(n - 1);
      breakdown.push({ labels: pickLabels(s.labels, this.options.partLabels), value: v });
      value = value === null ? v : Math.max(value, v);
      newestT = newestT === null ? t : Math.max(newestT, t);
    }
    if (value === null) return noData('stale: no matching series has a recent point', newestAny);
    breakdown.sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    return { value, newestT, breakdown };
  }

  sliceValue(from: number, to: number, worse: 'max' | 'min'): number | null {
    let out: number | null = null;
    for (const s of this.series()) {
      const { v } = s.buffer.range(from, to);
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (out === null || (worse === 'max' ? x > out : x < out)) out = x;
      }
    }
    return out;
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}

export function oldestOf(series: readonly StoredSeries[]): number | null {
  let oldest: number | null = null;
  for (const s of series) {
    // Compressed history counts: it is read through the same `range()`.
    const t = s.buffer.oldestTime();
    if (t !== null) oldest = oldest === null ? t : Math.min(oldest, t);
  }
  return oldest;
}

/** The oldest point of each series, by series id (what an event memo checks for cut history). */
export function oldestById(series: readonly StoredSeries[]): Map<string, number> {
  const oldest = new Map<string, number>();
  for (const s of series) {
    const t = s.buffer.oldestTime();
    if (t !== null) oldest.set(s.id, t);
  }
  return oldest;
}

export function newestOf(series: readonly StoredSeries[]): number | null {
  let newest: number | null = null;
  for (const s of series) {
    const n = s.buffer.length;
    if (n === 0) continue;
    const t = s.buffer.timeAt(n - 1);
    newest = newest === null ? t : Math.max(newest, t);
  }
  return newest;
}
