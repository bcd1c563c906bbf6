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
 * empty result: a healthy service would read as "no data". So a side that is ONE aggregated
 * value (`sum(...)` without `by`/`without`) is written `<side> or vector(0)`: no series means zero
 * events. Limitation: a side aggregated `by (...)` is left as written, since `vector(0)` has no
 * labels and could not stand in for each missing group; such objectives still read "no data"
 * (per group) until the first bad event.
 */

type RatioParts = Pick<RatioIndicator, 'errors' | 'good' | 'total'>;

const SINGLE_VALUE_AGGREGATION = /^(?:sum|count|min|max|avg|group|stddev|stdvar)\s*\(/;

/** Whether `expr` is one aggregation without grouping, hence at most one series without labels. */
export function isSingleAggregate(expr: string): boolean {
  const text = expr.trim();
  const head = SINGLE_VALUE_AGGREGATION.exec(text);
  return head !== null && closingParen(text, head[0].length - 1) === text.length - 1;
}

/** `<expr> or vector(0)` where that is correct (see above), else `expr` unchanged. */
export function orZero(expr: string): string {
  const text = expr.trim();
  return isSingleAggregate(text) ? `${text} or vector(0)` : text;
}

/** All events over `window`. */
export function totalQuery(indicator: RatioParts, window: string): string {
  return fillWindow(indicator.total, window).trim();
}

/** Bad events over `window`: `errors`, or `total - good`. */
export function errorsQuery(indicator: RatioParts, window: string): string {
  if (indicator.errors !== undefined) return orZero(fillWindow(indicator.errors, window));
  return `${paren(totalQuery(indicator, window))} - ${paren(orZero(fillWindow(indicator.good!, window)))}`;
}

/** Error ratio (0..1) over `window`. */
export function errorRatioQuery(indicator: RatioParts, window: string): string {
  const total = paren(totalQuery(indicator, window));
  if (indicator.errors !== undefined) return `${paren(errorsQuery(indicator, window))}\n/\n${total}`;
  return `1 - (${paren(orZero(fillWindow(indicator.good!, window)))}\n/\n${total})`;
}
