import type { Config } from '../config/config.js';
import { cronIntervalMs, scheduleFor } from '../sources/scheduler.js';
import type { SourceRef } from './reader-factory.js';

/** A point is current for this many source intervals; after that the objective is `no_data`. */
export const STALE_INTERVALS = 3;
/** Never call data stale sooner than this (a 1 s schedule with a slow sample). */
const MIN_STALE_MS = 5_000;

/**
 * How old the newest point may be and still count: 3 source intervals, but never more than the
 * objective's window (a 5-minute window says nothing about now from a 10-minute-old point).
 */
export function staleAfterMs(config: Config, source: SourceRef, windowMs: number): number {
  const interval = source.kind === null ? 60_000 : cronIntervalMs(scheduleFor(config, { kind: source.kind, name: source.name }).schedule);
  return Math.min(windowMs, Math.max(STALE_INTERVALS * interval, MIN_STALE_MS));
}
