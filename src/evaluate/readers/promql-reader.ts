import type { StoredSeries } from '../../store/sample-store.js';
import { parseDuration, type QuantityUnit } from '../../units/units.js';
import { type ErrorRatio, type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';
import { oldestOf } from './gauge-reader.js';

export const PROMQL_VALUE = 'promql_value';

export interface PromqlReaderOptions {
  source: string;
  service: string;
  objective: string;
  /** `value`: the answer itself (latency quantile, promql); `ratio`: an error ratio per window. */
  part: 'value' | 'ratio';
  unit: QuantityUnit;
}

/** The window label as ms; `''` (an instant query) is 0; an unreadable label is NaN. */
function labelMs(label: string | undefined): number {
  if (label === undefined || label === '') return 0;
  try {
    return parseDuration(label);
  } catch {
    return Number.NaN;
  }
}

/**
 * Answers the Prometheus source stored for this objective (`promql_value{service, objective,
 * part, window}`). Windows are compared as durations, so `30d` and `4w2d` are the same window.
 * For `ratio` the stored value is the error ratio; the reading's value is the good share.
 */
export class PromqlReader implements IndicatorReader {
  readonly unit: QuantityUnit;
  readonly externalHistory = true;

  constructor(
    private readonly ctx: ReadContext,
    private readonly options: PromqlReaderOptions,
  ) {
    this.unit = options.unit;
  }

  private series(): StoredSeries[] {
    const { source, service, objective, part } = this.options;
    return this.ctx.store.select(
      PROMQL_VALUE,
      (l) => l.source === source && l.service === service && l.objective === objective && l.part === part,
      { source, service, objective, part },
    );
  }

  /** Series of one window; for `value`, the objective's window, else an instant answer, else any. */
  private seriesFor(windowMs: number): StoredSeries[] {
    const all = this.series();
    const exact = all.filter((s) => labelMs(s.labels.window) === windowMs);
    if (exact.length > 0 || this.options.part === 'ratio') return exact;
    const instant = all.filter((s) => labelMs(s.labels.window) === 0);
    return instant.length > 0 ? instant : all;
  }

  private latest(windowMs: number): { value: number; t: number } | { stale: number | null } {
    let best: { value: number; t: number } | null = null;
    for (const s of this.seriesFor(windowMs)) {
      const n = s.buffer.length;
      if (n === 0) continue;
      const t = s.buffer.timeAt(n - 1);
      if (best === null || t > best.t) best = { value: s.buffer.valueAt(n - 1), t };
    }
    if (best === null) return { stale: null };
    if (best.t < this.ctx.now - this.ctx.staleAfterMs || best.t > this.ctx.now) return { stale: best.t };
    return best;
  }

  current(): Reading {
    const { windowMs } = this.ctx;
    const got = this.latest(windowMs);
    if ('stale' in got) {
      return noData(
        got.stale === null ? 'no answer from Prometheus for this objective yet' : 'stale: no recent Prometheus answer',
        got.stale,
      );
    }
    const value = this.options.part === 'ratio' ? 1 - got.value : got.value;
    return { value, newestT: got.t, breakdown: [] };
  }

  sliceValue(from: number, to: number, worse: 'max' | 'min'): number | null {
    if (this.options.part === 'ratio') return null;
    let out: number | null = null;
    for (const s of this.seriesFor(this.ctx.windowMs)) {
      const { v } = s.buffer.range(from, to);
      for (let i = 0; i < v.length; i++) if (out === null || (worse === 'max' ? v[i]! > out : v[i]! < out)) out = v[i]!;
    }
    return out;
  }

  errorRatio(windowMs: number): ErrorRatio | null {
    if (this.options.part !== 'ratio') return null;
    const got = this.latest(windowMs);
    return 'stale' in got ? null : { ratio: got.value, newestT: got.t };
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}
