import { counterDelta } from '../store/counter.js';

/** An error ratio (bad / all) over a window, and the newest point it rests on. */
export interface ErrorRatio {
  ratio: number;
  newestT: number;
}

/**
 * The first and last point of one counter series inside a span, and what its rises count for.
 * Two adjacent spans join on it: the rise from the earlier span's last point to the later span's
 * first point belongs to neither alone, but to their union.
 */
export interface CounterEdge {
  readonly firstV: number;
  readonly lastV: number;
  readonly lastT: number;
  readonly points: number;
  /** Weight of this series' rises in `all` (1 for the `total` query, 0 otherwise). */
  readonly all: 0 | 1;
  /** Weight in `bad`: 1 for errors (and `total` when bad = total − good), −1 for good, 0 otherwise. */
  readonly bad: -1 | 0 | 1;
}

/**
 * Events over a span `(from, to]` in a form that adds up: the counts of `(a, c]` are
 * `joinEvents` of the counts of `(a, b]` and `(b, c]`, exactly. Probes are events one point
 * each (`bad`, `all`, `newestT`); counters contribute the rises between consecutive points inside
 * the span plus one `CounterEdge` per series (keyed by role and series id), so the rise across a
 * span boundary is added when spans are joined and never when a span stands alone, as
 * `increase()` over the whole span counts it.
 */
export interface EventCounts {
  bad: number;
  all: number;
  /** Newest event point (probes); −Infinity when none. Counters give theirs through `edges`. */
  newestT: number;
  edges?: Map<string, CounterEdge>;
}

export const noEvents = (): EventCounts => ({ bad: 0, all: 0, newestT: Number.NEGATIVE_INFINITY });

/** Adds `later` (the span right after `acc`'s) into `acc`. `later` is not changed (memoised spans are shared). */
export function joinEvents(acc: EventCounts, later: EventCounts): EventCounts {
  acc.bad += later.bad;
  acc.all += later.all;
  acc.newestT = Math.max(acc.newestT, later.newestT);
  if (!later.edges) return acc;
  const edges = (acc.edges ??= new Map());
  for (const [key, next] of later.edges) {
    const prev = edges.get(key);
    if (!prev) {
      edges.set(key, next);
      continue;
    }
    const rise = counterDelta(prev.lastV, next.firstV);
    acc.bad += prev.bad * rise;
    acc.all += prev.all * rise;
    edges.set(key, { ...prev, lastV: next.lastV, lastT: next.lastT, points: prev.points + next.points });
  }
  return acc;
}

/**
 * The error ratio of a span's events: the one place it is derived (every event reader's window
 * ratio and every memoised period go through here). No events at all is null (nothing to judge),
 * never 0; bad beyond all (errors counted where totals were not) is capped at 1.
 */
export function ratioOfEvents(c: EventCounts): ErrorRatio | null {
  if (!(c.all > 0)) return null;
  let newestT = c.newestT;
  // A counter series rests on a span when two of its points lie in it (one point is no rise).
  if (c.edges) for (const e of c.edges.values()) if (e.all === 1 && e.points >= 2) newestT = Math.max(newestT, e.lastT);
  return { ratio: Math.min(1, Math.max(0, c.bad) / c.all), newestT };
}

/**
 * Adds one counter series' points over `(from, …]` (`t`, `v` as `range()` returns them) to `c`:
 * the rises between its consecutive points in the span (a drop is a reset, as `increase()`
 * counts it) and its edge under `key`, so a later span joins on it.
 */
export function addCounterSeries(
  c: EventCounts,
  key: string,
  points: { t: ArrayLike<number>; v: ArrayLike<number> },
  from: number,
  weight: Pick<CounterEdge, 'all' | 'bad'>,
): void {
  const { t, v } = points;
  let i = 0;
  while (i < t.length && t[i]! <= from) i++;
  if (i >= t.length) return;
  const first = i;
  let rise = 0;
  for (i = first + 1; i < t.length; i++) rise += counterDelta(v[i - 1]!, v[i]!);
  const last = t.length - 1;
  c.bad += weight.bad * rise;
  c.all += weight.all * rise;
  (c.edges ??= new Map()).set(key, { ...weight, firstV: v[first]!, lastV: v[last]!, lastT: t[last]!, points: t.length - first });
}
