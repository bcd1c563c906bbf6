import type { Config } from '../config/config.js';
import { burnRateFactor, windowSetName, windowSetOf } from '../config/window-sets.js';
import type { BurnRate } from '../snapshot/snapshot-schema.js';
import { formatDuration } from '../units/units.js';

/** One long/short window pair of an objective's window set, with the factor both must exceed. */
export interface BurnPair {
  readonly severity: string;
  readonly long: string;
  readonly short: string;
  readonly factor: number;
}

export interface ObjectivePairs {
  readonly set: string;
  readonly pairs: readonly BurnPair[];
}

/**
 * The alert pairs of an objective with a target, from the loaded window sets (the ones the
 * generated rules use), so the page marks the pair that fires by the same rule: both windows'
 * burn rates above the pair's factor. Null for an objective without a target or unknown here.
 */
export function objectivePairs(config: Config, service: string, objective: string): ObjectivePairs | null {
  const o = config.services.find((s) => s.slo.service === service)?.slo.objectives.find((x) => x.name === objective);
  if (!o || o.target === undefined) return null;
  const set = windowSetOf(config.windowSets, o);
  return {
    set: windowSetName(o),
    pairs: set.alerts.map((a) => ({
      severity: a.severity,
      long: formatDuration(a.longWindow),
      short: formatDuration(a.shortWindow),
      factor: Number(burnRateFactor(a, o.period).toPrecision(4)),
    })),
  };
}

/** A pair fires when the burn rates over both its windows exceed its factor. */
export function pairFires(pair: BurnPair, rates: readonly BurnRate[]): boolean {
  const rate = (w: string) => rates.find((r) => r.window === w)?.rate ?? null;
  const long = rate(pair.long);
  const short = rate(pair.short);
  return long !== null && short !== null && long > pair.factor && short > pair.factor;
}
