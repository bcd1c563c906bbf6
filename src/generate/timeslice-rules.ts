import { ERR, vigilError } from '../core/errors.js';
import { paren, promDuration, promNumber } from '../promql/promql-text.js';
import { type ObjectiveContext, objectiveSelector } from './generate-context.js';
import type { RatioQuery, ThresholdQuery } from './indicator-queries.js';
import type { RecordingRule } from './rule-model.js';

/**
 * A threshold objective with a `target` counts good time slices (OpenSLO's "Timeslices"): each
 * rule evaluation is a slice, bad when the value is past its bound. Recording that as 0/1 makes
 * the share of bad slices over any window an `avg_over_time`, so such objectives get the same
 * recording rules and burn-rate alerts as ratio objectives.
 */

export const BAD_SLICE_RECORD = 'slo:sli_bad_slice:bool';

export function badSliceRecord(ctx: ObjectiveContext, query: ThresholdQuery): RecordingRule {
  const t = ctx.objective.threshold;
  if (t === undefined)
    throw vigilError(ERR.VIGIL_ERR_GENERATE, {
      detail: `objective ${ctx.objective.name}: a target on a threshold objective needs the threshold`,
    });
  const value = paren(query.value(ctx.objective.window));
  const parts: string[] = [];
  if (t.max !== undefined) parts.push(`${value} > bool ${promNumber(t.max.value)}`);
  if (t.min !== undefined) parts.push(`${value} < bool ${promNumber(t.min.value)}`);
  // Any thing (container, statement) past its bound makes the slice bad.
  const expr = parts.length === 1 ? `max(${parts[0]})` : `clamp_max(max(${parts[0]}) + max(${parts[1]}), 1)`;
  return { record: BAD_SLICE_RECORD, expr, labels: { objective: ctx.objective.name, service: ctx.slo.service } };
}

export function timesliceQuery(ctx: ObjectiveContext, query: ThresholdQuery): RatioQuery {
  const sel = objectiveSelector(ctx);
  const ratio = (ms: number) => `avg_over_time(${BAD_SLICE_RECORD}${sel}[${promDuration(ms)}])`;
  return {
    kind: 'ratio',
    errorRatio: ratio,
    periodRatio: ratio,
    absent: query.absent,
    what: `share of bad ${promDuration(ctx.objective.window)} slices (${query.what})`,
  };
}
