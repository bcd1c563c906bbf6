import { burnRateFactor, type WindowSet } from '../config/window-sets.js';
import { promDuration } from '../promql/promql-text.js';

/** One alert of a window set, resolved for a period: the factor is what the rule compares with. */
export interface BurnRateAlert {
  readonly severity: string;
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
  readonly budgetConsumed: number;
  readonly factor: number;
  /** `1h/5m`: the label and text that tell on-call which pair fired. */
  readonly windowLabel: string;
}

export function resolveWindowSet(set: WindowSet, periodMs: number): BurnRateAlert[] {
  return set.alerts.map((a) => ({
    severity: a.severity,
    longWindowMs: a.longWindow,
    shortWindowMs: a.shortWindow,
    budgetConsumed: a.budgetConsumed,
    factor: Number(burnRateFactor(a, periodMs).toPrecision(10)),
    windowLabel: `${promDuration(a.longWindow)}/${promDuration(a.shortWindow)}`,
  }));
}
