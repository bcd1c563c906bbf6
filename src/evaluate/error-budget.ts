import type { Objective } from '../config/slo-schema.js';
import type { BurnWindow } from '../config/window-sets.js';
import { roundFigure } from '../units/units.js';
import { type EventCounts, joinEvents, noEvents, ratioOfEvents } from './event-counts.js';
import type { ErrorRatio, IndicatorReader } from './indicator-reader.js';
import { withinThreshold } from './objective-status.js';

export interface BudgetFigures {
  /** Good share over the period as far as history reaches; null without data. */
  compliance: number | null;
  /** Share of the period the figure rests on; null when unknown (Prometheus keeps its own history). */
  coverage: number | null;
  errorBudgetRemaining: number | null;
  burnRates: Array<{ window: string; rate: number | null }>;
  /** Error ratio over the objective's window (burning faster than 1x when above 1 − target). */
  currentErrorRatio: number | null;
}

/**
 * At most this many timeslices are looked at per objective and cycle (bounds the work): a 30-day
 * period of 1-minute slices is 43 200, and the store holds 30 days (raw and compressed).
 */
const MAX_SLICES = 50_000;
const MIN_SLICE_MS = 60_000;

export function budgetRemaining(compliance: number, target: number): number {
  return 1 - (1 - compliance) / (1 - target);
}

/**
 * Compliance, error budget and burn rates of an objective with a target.
 * - Event indicators (probe, ratio): error ratio = bad / all events over each span.
 * - Threshold indicators: timeslices (OpenSLO "Timeslices") of the objective's window (at least
 *   1 min), aligned to the epoch; a slice is good when its worse value is within the threshold;
 *   error ratio = bad slices / slices with data.
 * History shorter than the period: compliance rests on what is stored and `coverage` says how
 * much of the period that is. The budget and burn rates of time-based objectives (timeslices,
 * probes) are stated against the whole span's allowance, (1 − target) × span: time without
 * history spends nothing, so a fresh daemon does not call 20 s of outage a spent 30-day budget.
 */
/**
 * What earlier cycles worked out, per objective (the config's objective object: a reload makes
 * new objects, hence a fresh memo). Pure memoisation: the figures are the same with or without it.
 * - `slices`: verdicts of finished timeslices. A slice that ended more than one slice ago does
 *   not change, so each cycle computes only the last two slices instead of the whole history.
 * - `blocks`: event counts of finished `EVENT_BLOCK_MS` blocks (by start), so a cycle reads only
 *   the period's partial first block and what came after the last finished block.
 * - `oldest`: each series' oldest point when the blocks were counted (history cut → recount).
 */
export interface ObjectiveMemo {
  slices: Map<number, boolean | null>;
  blocks: Map<number, EventCounts>;
  oldest: ReadonlyMap<string, number>;
}
export type BudgetMemo = WeakMap<Objective, ObjectiveMemo>;

/**
 * Event counts are memoised per hour, aligned to the epoch: a 30-day period is 720 blocks, and a
 * cycle reads at most two hours plus the margin (the partial first block, the unfinished tail)
 * instead of 720. Shorter blocks would not read less: the store decodes whole 4-hour chunks.
 */
const EVENT_BLOCK_MS = 3_600_000;
/**
 * A block counts as finished this long after its end. Points reach a series in time order (an
 * earlier one means the clock stepped back, and drops the later ones), each when its sample is
 * taken: a probe is stamped when it ends, a scrape when it is made, so a point lands at most a
 * timeout (≤ 5 min) after its time. Twice that leaves room for a stalled event loop.
 */
const EVENT_BLOCK_MARGIN_MS = 10 * 60_000;

function objectiveMemo(memo: BudgetMemo | undefined, objective: Objective): ObjectiveMemo | undefined {
  let known = memo?.get(objective);
  if (memo && !known) memo.set(objective, (known = { slices: new Map(), blocks: new Map(), oldest: new Map() }));
  return known;
}

/**
 * Drops memoised blocks the store no longer backs: older than the longest span read, not finished by `now`
 * (the clock stepped back), or holding points since cut from a series' history (or from a series
 * gone altogether).
 */
function pruneBlocks(known: ObjectiveMemo, oldest: ReadonlyMap<string, number>, since: number, now: number): void {
  let cutBefore = Number.NEGATIVE_INFINITY;
  for (const [id, was] of known.oldest) {
    const is = oldest.get(id);
    if (is === undefined) cutBefore = Number.POSITIVE_INFINITY;
    else if (is > was) cutBefore = Math.max(cutBefore, is);
  }
  // Kept when unchanged: the cycle's new map then dies young instead of living a cycle in the memo.
  if (!sameOldest(known.oldest, oldest)) known.oldest = oldest;
  for (const start of known.blocks.keys()) {
    if (start + EVENT_BLOCK_MS <= since || start + EVENT_BLOCK_MS + EVENT_BLOCK_MARGIN_MS > now || start < cutBefore)
      known.blocks.delete(start);
  }
}

function sameOldest(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, t] of a) if (b.get(id) !== t) return false;
  return true;
}

/**
 * The events over `(from, now]`: with `blocks`, finished whole blocks come from (or go into) the
 * memo and only the partial first block and the unfinished tail are read.
 */
function eventsSince(
  events: (from: number, to: number) => EventCounts,
  from: number,
  now: number,
  blocks: Map<number, EventCounts> | undefined,
): EventCounts {
  const firstBlock = Math.ceil(from / EVENT_BLOCK_MS) * EVENT_BLOCK_MS;
  const finishedEnd = Math.floor((now - EVENT_BLOCK_MARGIN_MS) / EVENT_BLOCK_MS) * EVENT_BLOCK_MS;
  if (!blocks || finishedEnd <= firstBlock) return events(from, now);
  const acc = joinEvents(noEvents(), events(from, firstBlock));
  for (let start = firstBlock; start < finishedEnd; start += EVENT_BLOCK_MS) {
    let block = blocks.get(start);
    if (!block) blocks.set(start, (block = events(start, start + EVENT_BLOCK_MS)));
    joinEvents(acc, block);
  }
  return joinEvents(acc, events(finishedEnd, now));
}

/** `windows` are the objective's burn-rate windows (those of its window set, from the config). */
export function budgetFigures(
  reader: IndicatorReader,
  objective: Objective,
  windows: readonly BurnWindow[],
  now: number,
  memo?: BudgetMemo,
): BudgetFigures | null {
  const target = objective.target;
  if (target === undefined) return null;
  const budget = 1 - target;
  // A factor people read (`14.4x`), rounded once here so the API, the status page and the
  // status decision all see the same number (0.0139 / 0.004 is 3.4749999999999996 unrounded).
  const rate = (ratio: number | null) => (ratio === null ? null : roundFigure(ratio / budget, 'factor'));

  if (reader.events || reader.errorRatio) {
    const known = reader.events ? objectiveMemo(memo, objective) : undefined;
    const seriesOldest = reader.events ? (reader.eventSeriesOldest?.() ?? new Map<string, number>()) : new Map<string, number>();
    // Burn-rate windows may reach past the period (a 3d window of a 1d objective): keep their blocks too.
    const longest = Math.max(objective.period, objective.window, ...windows.map((w) => w.ms));
    if (known) pruneBlocks(known, seriesOldest, now - longest, now);
    // No event lies before the oldest stored point, so a span reaching further starts just before
    // it, exactly: a young daemon's 30d, 3d and 1d windows are then one read (shared below), and no
    // empty block of the month before history began is counted, kept or joined. Without any stored
    // point there is no event at all: every span is empty. (Unclamped, a daemon's first cycle,
    // before its first sample, kept 720 empty hour blocks per event objective for a month: 7 million
    // objects, about 0.9 GiB live, at 2 000 services; bench:scale.)
    const historyFrom = seriesOldest.size > 0 ? Math.min(...seriesOldest.values()) - 1 : now;
    // Every window's span ends in the same unfinished tail: read it once per cycle.
    const read = new Map<string, EventCounts>();
    const events =
      reader.events &&
      ((from: number, to: number): EventCounts => {
        const key = `${from} ${to}`;
        let c = read.get(key);
        if (!c) read.set(key, (c = reader.events!(from, to)));
        return c;
      });
    const errorRatio = (windowMs: number): ErrorRatio | null =>
      events ? ratioOfEvents(eventsSince(events, Math.max(now - windowMs, historyFrom), now, known?.blocks)) : reader.errorRatio!(windowMs);
    const period = errorRatio(objective.period);
    const compliance = period === null ? null : 1 - period.ratio;
    // Time-based: the share of the whole span that was bad, history before the first point
    // counting as no bad time; event-based: bad events / all events, whatever the span.
    const oldest = reader.timeBased ? reader.oldest() : null;
    const spendRatio = (windowMs: number): number | null => {
      // The period's ratio is already read: a month of history is the costly read (decoded chunks).
      const ratio = (windowMs === objective.period ? period : errorRatio(windowMs))?.ratio ?? null;
      if (ratio === null || !reader.timeBased || oldest === null) return ratio;
      return (ratio * Math.min(windowMs, Math.max(0, now - oldest))) / windowMs;
    };
    const spent = spendRatio(objective.period);
    return {
      compliance,
      coverage: coverageOf(reader, objective, now),
      errorBudgetRemaining: spent === null ? null : budgetRemaining(1 - spent, target),
      burnRates: windows.map((w) => ({ window: w.label, rate: rate(spendRatio(w.ms)) })),
      currentErrorRatio: errorRatio(objective.window)?.ratio ?? null,
    };
  }

  if (reader.sliceValue && objective.threshold) {
    const threshold = objective.threshold;
    const worse: 'max' | 'min' = threshold.max !== undefined ? 'max' : 'min';
    const sliceMs = Math.max(objective.window, MIN_SLICE_MS);
    const oldest = reader.oldest();
    if (oldest === null) return emptyFigures(windows);
    const periodStart = Math.max(now - objective.period, Math.floor(oldest / sliceMs) * sliceMs);
    const firstSlice = Math.max(
      Math.floor(periodStart / sliceMs) * sliceMs,
      Math.floor(now / sliceMs) * sliceMs - (MAX_SLICES - 1) * sliceMs,
    );
    const known = objectiveMemo(memo, objective)?.slices;
    const starts: number[] = [];
    const good: boolean[] = [];
    for (let from = firstSlice; from <= now; from += sliceMs) {
      let verdict = known?.get(from);
      if (verdict === undefined) {
        const v = reader.sliceValue(from, Math.min(from + sliceMs, now), worse);
        verdict = v === null ? null : withinThreshold(v, threshold);
        if (known && from + 2 * sliceMs <= now) known.set(from, verdict);
      }
      if (verdict === null) continue;
      starts.push(from);
      good.push(verdict);
    }
    if (known) for (const from of known.keys()) if (from < firstSlice) known.delete(from);
    const errorRatioSince = (since: number): number | null => {
      let total = 0;
      let bad = 0;
      for (let i = starts.length - 1; i >= 0 && starts[i]! + sliceMs > since; i--) {
        total++;
        if (!good[i]) bad++;
      }
      return total > 0 ? bad / total : null;
    };
    // Timeslices are time: bad time (the part of each bad slice inside the span) against the
    // whole span, so slices without data (before history began, or while the source was down)
    // spend nothing. With every slice known it is bad slices / slices, as before.
    const badShareSince = (since: number): number | null => {
      if (starts.length === 0) return null;
      let badMs = 0;
      for (let i = starts.length - 1; i >= 0 && starts[i]! + sliceMs > since; i--) {
        if (!good[i]) badMs += Math.min(starts[i]! + sliceMs, now) - Math.max(starts[i]!, since);
      }
      return badMs / (now - since);
    };
    const periodRatio = errorRatioSince(now - objective.period);
    const compliance = periodRatio === null ? null : 1 - periodRatio;
    const spent = badShareSince(now - objective.period);
    return {
      compliance,
      coverage: Math.min(1, (starts.length * sliceMs) / objective.period),
      errorBudgetRemaining: spent === null ? null : budgetRemaining(1 - spent, target),
      burnRates: windows.map((w) => ({ window: w.label, rate: rate(badShareSince(now - w.ms)) })),
      currentErrorRatio: errorRatioSince(now - objective.window),
    };
  }
  return emptyFigures(windows);
}

function coverageOf(reader: IndicatorReader, objective: Objective, now: number): number | null {
  // Answers computed by Prometheus rest on Prometheus's own history, which vigil cannot see.
  if (reader.externalHistory) return null;
  const oldest = reader.oldest();
  return oldest === null ? null : Math.min(1, Math.max(0, now - oldest) / objective.period);
}

function emptyFigures(windows: readonly BurnWindow[]): BudgetFigures {
  return {
    compliance: null,
    coverage: null,
    errorBudgetRemaining: null,
    burnRates: windows.map((w) => ({ window: w.label, rate: null })),
    currentErrorRatio: null,
  };
}
