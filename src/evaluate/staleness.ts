import type { ObjectiveSource } from '../config/config.js';

/** A point is current for this many source intervals; after that the objective is `no_data`. */
export const STALE_INTERVALS = 3;
/** Never call data stale sooner than this (a 1 s schedule with a slow sample). */
const MIN_STALE_MS = 5_000;
/** An objective that names no usable instance has no interval; it reads nothing anyway. */
const UNRESOLVED_INTERVAL_MS = 60_000;

/**
 * How old the newest point may be and still count: 3 source intervals (the interval the config
 * resolved from the instance's schedule), but never more than the objective's window (a 5-minute
 * window says nothing about now from a 10-minute-old point).
 */
export function staleAfterMs(source: ObjectiveSource, windowMs: number): number {
  const interval = source.kind === null ? UNRESOLVED_INTERVAL_MS : source.intervalMs;
  return Math.min(windowMs, Math.max(STALE_INTERVALS * interval, MIN_STALE_MS));
}
