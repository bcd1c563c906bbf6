import type { LeakVerdict } from '../leak/leak-verdict.js';
import type { SampleStore } from '../store/sample-store.js';
import type { QuantityUnit } from '../units/units.js';
import type { ErrorRatio, EventCounts } from './event-counts.js';

/** One part of a figure that covers many things (a container, a statement, a Redis instance). */
export interface BreakdownPart {
  labels: Record<string, string>;
  value: number | null;
  leak?: LeakVerdict;
}

/** What an indicator reads now. `value` null means no usable data; `error` says why. */
export interface Reading {
  value: number | null;
  /** Newest point the value rests on (unix ms); null when there is none. */
  newestT: number | null;
  breakdown: BreakdownPart[];
  leak?: LeakVerdict;
  error?: string;
}

export type { ErrorRatio } from './event-counts.js';

/** Everything a reader may look at: the store and the clock, nothing with I/O. */
export interface ReadContext {
  readonly store: SampleStore;
  readonly now: number;
  /** The objective's window in ms. */
  readonly windowMs: number;
  /** A point older than this is stale: it does not count as current data. */
  readonly staleAfterMs: number;
}

/**
 * Reads one indicator kind from the store. Gauge-like kinds answer `sliceValue` (timeslice
 * compliance for threshold objectives with a target); event-like kinds answer `events` (counts
 * that add up over adjacent spans, so a period is read once and then block by block) or, when
 * another system computes the answer (Prometheus), `errorRatio`.
 */
export interface IndicatorReader {
  readonly unit: QuantityUnit;
  /** True when long-span answers come from a system with its own history (Prometheus). */
  readonly externalHistory?: boolean;
  /**
   * True when each event stands for a span of time (a probe per interval): the budget and burn
   * rates are then bad time against the allowance of the whole span, and time before history
   * began counts as no bad time (a fresh daemon's 20 s outage is 20 s of a 30-day allowance).
   */
  readonly timeBased?: boolean;
  current(): Reading;
  /** The indicator over `[from, to]`, its worse end for a bound on side `worse`; null without data. */
  sliceValue?(from: number, to: number, worse: 'max' | 'min'): number | null;
  /** Bad events / all events over the `windowMs` ending now; null without data (readers without `events`). */
  errorRatio?(windowMs: number): ErrorRatio | null;
  /** The events over `(from, to]`, additive across adjacent spans (see `EventCounts`). */
  events?(from: number, to: number): EventCounts;
  /**
   * The oldest stored point of each series `events` reads (series id → unix ms). When a series'
   * history is cut (eviction), memoised counts of what was cut are dropped.
   */
  eventSeriesOldest?(): ReadonlyMap<string, number>;
  /** Time of the oldest stored point this indicator could use (how far history reaches). */
  oldest(): number | null;
}

export const noData = (error: string, newestT: number | null = null): Reading => ({
  value: null,
  newestT,
  breakdown: [],
  error,
});
