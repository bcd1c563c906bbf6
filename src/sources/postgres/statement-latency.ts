import { type CounterPoints, jointIncrease } from '../../store/counter.js';
import type { Labels } from '../../store/point.js';
import { seriesId } from '../../store/sample-store.js';
import { selectorLabel } from './statement-selectors.js';
import { POSTGRES_METRICS } from './statements-query.js';

/** What the window function needs of a stored series (a `StoredSeries` fits). */
export interface StatementSeries {
  readonly metric: string;
  readonly labels: Labels;
  readonly buffer: { range(from: number, to: number): CounterPoints };
}

export interface StatementLatency {
  /** Executions in the window, across the selected statements. */
  readonly calls: number;
  /** Δ total execution time / Δ calls. */
  readonly meanSeconds: number;
  /** Standard deviation of one execution's time in the window (population). */
  readonly stddevSeconds: number;
  /**
   * mean + 1.645 σ: the 95th percentile IF execution times were normally distributed. Query
   * latency is right-skewed (a long tail of slow runs), so this ESTIMATE usually under-states
   * the true P95; treat a value near the bound as a breach.
   */
  readonly p95Seconds: number;
  /**
   * The highest LIFETIME maximum (since the last `pg_stat_statements_reset()`) among statements
   * that ran in the window: the view keeps no per-window maximum, so this can be older than
   * the window.
   */
  readonly maxSeconds: number | null;
  /** Statements that ran in the window. */
  readonly statements: number;
}

const Z_95 = 1.645;

/**
 * Latency of the selected statements over `[from, to]` from raw pg_stat_statements counters.
 * Per statement (one label set), the increases of calls, total time and sum of squares are taken
 * together, and a drop in any of them or in the lifetime max is a reset
 * (`pg_stat_statements_reset()`, or an evicted statement coming back from zero). A statement that
 * was evicted simply stops having points: what it did before counts, nothing after.
 * Null when nothing ran in the window.
 */
export function statementLatencyOverWindow(series: readonly StatementSeries[], from: number, to: number): StatementLatency | null {
  type Group = { calls?: CounterPoints; exec?: CounterPoints; sq?: CounterPoints; max?: CounterPoints };
  const groups = new Map<string, Group>();
  for (const s of series) {
    const key = seriesId('', s.labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = {}));
    switch (s.metric) {
      case POSTGRES_METRICS.calls:
        group.calls = s.buffer.range(from, to);
        break;
      case POSTGRES_METRICS.execSeconds:
        group.exec = s.buffer.range(from, to);
        break;
      case POSTGRES_METRICS.execSecondsSq:
        group.sq = s.buffer.range(from, to);
        break;
      case POSTGRES_METRICS.maxSeconds:
        group.max = s.buffer.range(from, to);
        break;
      default:
        break;
    }
  }

  let calls = 0;
  let total = 0;
  let sumSq = 0;
  let max: number | null = null;
  let statements = 0;
  for (const g of groups.values()) {
    if (!g.calls || !g.exec || !g.sq) continue;
    const rises = jointIncrease([g.calls, g.exec, g.sq], from, to, g.max ? [g.max] : []);
    if (!rises || rises[0]! <= 0) continue;
    calls += rises[0]!;
    total += rises[1]!;
    sumSq += rises[2]!;
    statements++;
    const n = g.max?.v.length ?? 0;
    if (g.max && n > 0) {
      const latest = g.max.v[n - 1]!;
      if (max === null || latest > max) max = latest;
    }
  }
  if (calls <= 0) return null;
  const mean = total / calls;
  // Rounding in the view's mean/stddev can push the difference a hair below zero.
  const variance = Math.max(0, sumSq / calls - mean * mean);
  const stddev = Math.sqrt(variance);
  return {
    calls,
    meanSeconds: mean,
    stddevSeconds: stddev,
    p95Seconds: mean + Z_95 * stddev,
    maxSeconds: max,
    statements,
  };
}

/** What the helpers below need of the store (a `SampleStore` fits). */
export interface StatementSeriesSelection<S extends StatementSeries = StatementSeries> {
  select(metric: string, match: (labels: Labels) => boolean): S[];
}

/**
 * The series of the statements one objective selects (`match`/`database`, as in its indicator)
 * on PostgreSQL instance `source`: the source labels them with that `selector`.
 */
export function selectStatementSeries<S extends StatementSeries>(
  store: StatementSeriesSelection<S>,
  source: string,
  selector: { match?: string | null | undefined; database?: string | null | undefined },
): S[] {
  const label = selectorLabel({ match: selector.match ?? null, database: selector.database ?? null });
  const mine = (labels: Labels) => labels.source === source && labels.selector === label;
  return Object.values(POSTGRES_METRICS).flatMap((metric) => store.select(metric, mine));
}

/** Latency of the statements `selectStatementSeries` picks, over `[from, to]`, straight from the store. */
export function statementLatency(
  store: StatementSeriesSelection,
  source: string,
  selector: { match?: string | null | undefined; database?: string | null | undefined },
  from: number,
  to: number,
): StatementLatency | null {
  return statementLatencyOverWindow(selectStatementSeries(store, source, selector), from, to);
}
