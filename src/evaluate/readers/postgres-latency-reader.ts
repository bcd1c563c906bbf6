import type { PostgresQueryLatencyIndicator } from '../../config/slo-schema.js';
import { type StatementLatency, selectStatementSeries, statementLatencyOverWindow } from '../../sources/postgres/statement-latency.js';
import type { StoredSeries } from '../../store/sample-store.js';
import { pickLabels } from '../../store/sample-store.js';
import { type BreakdownPart, type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';
import { newestOf, oldestOf } from './gauge-reader.js';

/**
 * Statement latency over the window from pg_stat_statements counters (the PostgreSQL source's
 * window function: reset-aware deltas of calls, time and squared time). The value pools every
 * statement the objective selects; the breakdown gives each statement's own figure.
 * `p95` is the source's estimate mean + 1.645 σ (the view keeps no histogram).
 */
export class PostgresLatencyReader implements IndicatorReader {
  readonly unit = 'seconds' as const;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: PostgresQueryLatencyIndicator,
  ) {}

  private series(): StoredSeries[] {
    return selectStatementSeries(this.ctx.store, this.indicator.source, this.indicator);
  }

  private statistic(latency: StatementLatency | null): number | null {
    if (latency === null) return null;
    switch (this.indicator.statistic) {
      case 'mean':
        return latency.meanSeconds;
      case 'p95':
        return latency.p95Seconds;
      case 'max':
        return latency.maxSeconds ?? latency.meanSeconds;
    }
  }

  current(): Reading {
    const { now, windowMs, staleAfterMs } = this.ctx;
    const series = this.series();
    if (series.length === 0) return noData('no statement matches the selector (yet)');
    const newestT = newestOf(series);
    if (newestT === null || newestT < now - staleAfterMs) return noData('stale: no recent PostgreSQL sample', newestT);
    const from = now - windowMs;
    const value = this.statistic(statementLatencyOverWindow(series, from, now));
    if (value === null) return noData('no matching statement ran in the window', newestT);
    const byStatement = new Map<string, StoredSeries[]>();
    for (const s of series) {
      const key = `${s.labels.dbid}/${s.labels.userid}/${s.labels.queryid}`;
      const list = byStatement.get(key);
      if (list) list.push(s);
      else byStatement.set(key, [s]);
    }
    const breakdown: BreakdownPart[] = [];
    for (const list of byStatement.values()) {
      const x = this.statistic(statementLatencyOverWindow(list, from, now));
      if (x !== null) breakdown.push({ labels: pickLabels(list[0]!.labels, ['queryid', 'database', 'userid']), value: x });
    }
    breakdown.sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    return { value, newestT, breakdown };
  }

  sliceValue(from: number, to: number): number | null {
    return this.statistic(statementLatencyOverWindow(this.series(), from, to));
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}
