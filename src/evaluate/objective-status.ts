import type { Threshold } from '../config/slo-schema.js';
import { type ObjectiveStatus, STATUS_RANK } from '../snapshot/snapshot-schema.js';

/**
 * A value against its bounds: past `max`/`min` is a breach; past `warning` (an earlier bound on the
 * side it sits: below `max`, or above `min`) is a warning. Equal to a bound is still within it.
 */
export function thresholdStatus(value: number, threshold: Threshold): ObjectiveStatus {
  const { max, min, warning } = threshold;
  if (max !== undefined && value > max.value) return 'breach';
  if (min !== undefined && value < min.value) return 'breach';
  if (warning !== undefined) {
    if (max !== undefined && warning.value < max.value && value > warning.value) return 'warning';
    if (min !== undefined && warning.value > min.value && value < warning.value) return 'warning';
  }
  return 'ok';
}

/** Whether a value is within the threshold (for timeslices: good or bad). */
export function withinThreshold(value: number, threshold: Threshold): boolean {
  return thresholdStatus(value, threshold) !== 'breach';
}

export function worstStatus(statuses: Iterable<ObjectiveStatus>, empty: ObjectiveStatus = 'no_data'): ObjectiveStatus {
  let worst: ObjectiveStatus | null = null;
  for (const s of statuses) if (worst === null || STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst ?? empty;
}
