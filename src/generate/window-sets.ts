import { z } from 'zod';
import { durationSchema, ratioSchema } from '../config/units-schema.js';
import { promDuration } from '../promql/promql-text.js';

/**
 * Burn-rate window sets are data (`alerts/windows/<name>.yaml`), not code: each alert of a set
 * is a long/short window pair and the share of the error budget that may burn within the long
 * window. The burn-rate factor follows from the objective's period:
 *
 *   factor = budgetConsumed / (longWindow / period)
 *
 * i.e. how many times faster than "exactly the budget over the period" the errors arrive. For the
 * Google SRE workbook over 30 days: 2% in 1h -> 0.02 / (1h / 720h) = 14.4; 5% in 6h -> 6;
 * 10% in 1d -> 3; 10% in 3d -> 1. For a 28-day period the same budget shares give 13.44, 5.6,
 * 2.8 and 0.933: the windows stay, the factors scale.
 */
export const windowSetSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase name of letters, digits and dashes'),
  description: z.string().optional(),
  /** The period the set was designed for; documents the factors it gives there. */
  referencePeriod: durationSchema,
  alerts: z
    .array(
      z
        .strictObject({
          severity: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a severity like page or ticket'),
          longWindow: durationSchema,
          shortWindow: durationSchema,
          /** Share of the whole period's error budget allowed to burn within longWindow. */
          budgetConsumed: ratioSchema,
        })
        .refine((a) => a.shortWindow < a.longWindow, { message: 'expected shortWindow shorter than longWindow' })
        .refine((a) => a.budgetConsumed > 0, { message: 'expected budgetConsumed above 0' }),
    )
    .min(1),
});

export type WindowSet = z.infer<typeof windowSetSchema>;
export type WindowSetAlert = WindowSet['alerts'][number];

/** One alert of a set, resolved for a period: the factor is what the rule compares with. */
export interface BurnRateAlert {
  readonly severity: string;
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
  readonly budgetConsumed: number;
  readonly factor: number;
  /** `1h/5m`: the label and text that tell on-call which pair fired. */
  readonly windowLabel: string;
}

export function burnRateFactor(alert: WindowSetAlert, periodMs: number): number {
  return alert.budgetConsumed * (periodMs / alert.longWindow);
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
