import { burnWindows, windowSetOf } from '../config/window-sets.js';
import { ERR, vigilError } from '../core/errors.js';
import { isSingleAggregate } from '../promql/error-ratio-query.js';
import { paren, promDuration, promNumber } from '../promql/promql-text.js';
import { formatQuantity } from '../units/units.js';
import { alertLabels, linkAnnotations, type ObjectiveContext, objectiveSelector } from './generate-context.js';
import type { RatioQuery } from './indicator-queries.js';
import type { AlertingRule, RecordingRule, Rule } from './rule-model.js';
import { type BurnRateAlert, resolveWindowSet } from './window-sets.js';

/**
 * Ratio objectives (error ratio against a target over a period): recording rules for the error
 * ratio over the window set's windows (the ones the daemon reports) and the period, then one
 * multi-window burn-rate alert per window pair of the objective's window set.
 */

/** Event rates are recorded over this window; the period ratio sums them (see below). */
const EVENT_WINDOW_MS = 5 * 60_000;

export const ratioRecord = (windowMs: number) => `slo:sli_error:ratio_rate${promDuration(windowMs)}`;
export const ERRORS_RECORD = 'slo:sli_errors:rate5m';
export const REQUESTS_RECORD = 'slo:sli_requests:rate5m';
export const BUDGET_REMAINING_RECORD = 'slo:error_budget_remaining:ratio';
export const BURN_ALERT = 'VigilErrorBudgetBurn';

/** The burn-rate alerts of the objective's window set (checked to exist and fit when the config was loaded). */
export function burnRateAlerts(ctx: ObjectiveContext): BurnRateAlert[] {
  return resolveWindowSet(windowSetOf(ctx.options.windowSets, ctx.objective), ctx.objective.period);
}

export function ratioRules(ctx: ObjectiveContext, query: RatioQuery): Rule[] {
  const { objective } = ctx;
  if (objective.target === undefined) {
    throw vigilError(ERR.VIGIL_ERR_GENERATE_TARGET, { objective: objective.name });
  }
  const budget = 1 - objective.target;
  const alerts = burnRateAlerts(ctx);
  const sel = objectiveSelector(ctx);
  const recordLabels = { objective: objective.name, service: ctx.slo.service };
  const rules: Rule[] = [];

  // The windows the daemon reports burn rates over: those of the objective's window set.
  const windows = burnWindows(windowSetOf(ctx.options.windowSets, objective)).map((w) => w.ms);
  if (query.events !== undefined) {
    rules.push(
      { record: ERRORS_RECORD, expr: query.events.errors(EVENT_WINDOW_MS), labels: recordLabels },
      { record: REQUESTS_RECORD, expr: query.events.total(EVENT_WINDOW_MS), labels: recordLabels },
    );
  }
  for (const windowMs of windows) {
    if (windowMs === objective.period) continue;
    rules.push({ record: ratioRecord(windowMs), expr: query.errorRatio(windowMs), labels: recordLabels });
  }
  rules.push({ record: ratioRecord(objective.period), expr: periodRatio(query, objective.period, sel), labels: recordLabels });
  rules.push({
    record: BUDGET_REMAINING_RECORD,
    expr: `1 - ${ratioRecord(objective.period)}${sel} / ${promNumber(budget)}`,
    labels: recordLabels,
  } satisfies RecordingRule);

  if (!objective.alert.disabled) {
    for (const a of alerts) rules.push(burnAlert(ctx, query, a, budget));
  }
  return rules;
}

/**
 * The period's error ratio weighted by traffic: the sum of bad events over the period divided by
 * the sum of all events, from the recorded 5-minute event rates. (An average of 5-minute ratios
 * would give a quiet night the weight of a busy day.) Time-based ratios (probes) have no events:
 * each probe is one sample, so the plain average over the period is already weighted.
 */
function periodRatio(query: RatioQuery, periodMs: number, sel: string): string {
  const range = promDuration(periodMs);
  if (query.events !== undefined) {
    return `sum_over_time(${ERRORS_RECORD}${sel}[${range}])\n/\nsum_over_time(${REQUESTS_RECORD}${sel}[${range}])`;
  }
  if (query.periodRatio === undefined) throw vigilError(ERR.VIGIL_ERR_GENERATE, { detail: 'a ratio query needs events or a period ratio' });
  return query.periodRatio(periodMs);
}

/**
 * How the minimum-traffic guard matches the ratio. One total (no grouping): `and on ()`, the one
 * traffic figure guards the one ratio. A total per group (`sum by (route)`): the guard must match
 * group by group, or one busy route would let a quiet one page; the recorded ratios carry the
 * group's labels plus `service` and `objective`, which the traffic query lacks.
 */
function trafficGuardMatch(traffic: string): string {
  return isSingleAggregate(traffic) ? 'and on ()' : 'and ignoring (objective, service)';
}

function burnAlert(ctx: ObjectiveContext, query: RatioQuery, a: BurnRateAlert, budget: number): AlertingRule {
  const { slo, objective } = ctx;
  const sel = objectiveSelector(ctx);
  const bound = `(${promNumber(a.factor)} * ${promNumber(budget)})`;
  const long = promDuration(a.longWindowMs);
  const short = promDuration(a.shortWindowMs);
  let expr = `${ratioRecord(a.longWindowMs)}${sel} > ${bound}\nand\n${ratioRecord(a.shortWindowMs)}${sel} > ${bound}`;
  const minTraffic = objective.alert.minTraffic;
  if (minTraffic !== undefined && query.traffic !== undefined) {
    expr += `\n${trafficGuardMatch(query.traffic(a.longWindowMs))}\n${paren(query.traffic(a.longWindowMs))} > ${promNumber(minTraffic)}`;
  }
  const period = promDuration(objective.period);
  const target = formatQuantity({ value: objective.target!, unit: 'ratio' });
  const budgetText = formatQuantity({ value: budget, unit: 'ratio' });
  const boundText = formatQuantity({ value: a.factor * budget, unit: 'ratio' });
  const lasts = promDuration(Math.max(1000, Math.round(objective.period / a.factor / 1000) * 1000));
  return {
    alert: BURN_ALERT,
    expr,
    labels: alertLabels(ctx, a.severity, { window: a.windowLabel }),
    annotations: {
      summary: `${slo.service}/${objective.name}: error budget burning ${promNumber(a.factor)}x too fast (${a.windowLabel})`,
      description:
        `The ${query.what} of ${slo.service}/${objective.name} over ${long} is {{ $value | humanizePercentage }}, ` +
        `above the bound ${boundText} (${promNumber(a.factor)} x the ${budgetText} error budget of the ${target} target over ${period}), ` +
        `and it is above that bound over ${short} too (window pair ${a.windowLabel}). ` +
        `At this rate the ${period} error budget lasts ${lasts}` +
        (minTraffic !== undefined ? `; quiet below ${promNumber(minTraffic)} events per second.` : '.'),
      ...linkAnnotations(ctx, 'error-budget-burn'),
    },
  };
}
