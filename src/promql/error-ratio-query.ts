import type { RatioIndicator } from '../config/slo-schema.js';
import { fillWindow } from './fill-window.js';
import { closingParen, paren } from './promql-text.js';

/**
 * The error ratio of a `ratio` indicator over a window: `errors / total`, or `1 - good / total`.
 * The daemon's Prometheus source asks for exactly this text and the generated recording rules
 * record exactly this text, so what vigil reports and what Prometheus alerts on agree.
 *
 * An `errors` counter that never went up often has no series at all (client libraries create a
 * label set on first use: no 5xx so far, no `code="500"` series), and `nothing / total` is an
 * empty result: a healthy service would read as "no data". The same holds for `good` on a route
 * that only ever failed: no good series, no ratio, and a total outage of that route never alerts.
 * So a missing side counts as zero events wherever there is traffic:
 * - a side that is ONE aggregated value (`sum(...)` without `by`/`without`) is written
 *   `<side> or vector(0)`;
 * - a side aggregated by labels (`sum by (route) (...)`) is written `<side> or <total> * 0`: each
 *   group that has traffic but no series on this side gets a zero with the group's labels
 *   (`vector(0)` has no labels and could not stand in for a group). A route with only errors
 *   thus has an error ratio of 1, and a route without errors one of 0.
 */

type RatioParts = Pick<RatioIndicator, 'errors' | 'good' | 'total'>;

const SINGLE_VALUE_AGGREGATION = /^(?:sum|count|min|max|avg|group|stddev|stdvar)\s*\(/;

/** Whether `expr` is one aggregation without grouping, hence at most one series without labels. */
export function isSingleAggregate(expr: string): boolean {
  const text = expr.trim();
  const head = SINGLE_VALUE_AGGREGATION.exec(text);
  return head !== null && closingParen(text, head[0].length - 1) === text.length - 1;
}

const GROUPED_AGGREGATION = /^(?:sum|count|min|max|avg|group|stddev|stdvar)\s*(?:by|without)\s*\([^()]*\)\s*\(/;

/** Whether `expr` is one aggregation `by (...)`/`without (...)`: one series per group. */
export function isGroupedAggregate(expr: string): boolean {
  const text = expr.trim();
  const head = GROUPED_AGGREGATION.exec(text);
  return head !== null && closingParen(text, head[0].length - 1) === text.length - 1;
}

/**
 * `side` with missing series counted as zero events (see above); `total` is the total over the
 * same window. Any other shape is left as written: vigil cannot tell which labels it has.
 */
export function orZero(side: string, total: string): string {
  const text = side.trim();
  if (isSingleAggregate(text)) return `${text} or vector(0)`;
  if (isGroupedAggregate(text)) return `${text} or ${paren(total.trim())} * 0`;
  return text;
}

/** All events over `window`. */
export function totalQuery(indicator: RatioParts, window: string): string {
  return fillWindow(indicator.total, window).trim();
}

/** Bad events over `window`: `errors`, or `total - good`. */
export function errorsQuery(indicator: RatioParts, window: string): string {
  const total = totalQuery(indicator, window);
  if (indicator.errors !== undefined) return orZero(fillWindow(indicator.errors, window), total);
  return `${paren(total)} - ${paren(orZero(fillWindow(indicator.good!, window), total))}`;
}

/** Error ratio (0..1) over `window`. */
export function errorRatioQuery(indicator: RatioParts, window: string): string {
  const total = totalQuery(indicator, window);
  if (indicator.errors !== undefined) return `${paren(errorsQuery(indicator, window))}\n/\n${paren(total)}`;
  return `1 - (${paren(orZero(fillWindow(indicator.good!, window), total))}\n/\n${paren(total)})`;
}
