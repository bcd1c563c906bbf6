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
 * A counter series' role in a ratio: its `total` query, or the other one (`errors` or `good`).
 * The same series can be in both (`total` of all codes, `errors` of the 5xx ones), with an edge each.
 */
export type CounterRole = 'total' | 'part';

/**
 * Events over a span `(from, to]` in a form that adds up: the counts of `(a, c]` are
 * `joinEvents` of the counts of `(a, b]` and `(b, c]`, exactly. Probes are events one point
 * each (`bad`, `all`, `newestT`); counters contribute the rises between consecutive points inside
 * the span plus one `CounterEdge` per series (by role, then series id), so the rise across a
 * span boundary is added when spans are joined and never when a span stands alone, as
 * `increase()` over the whole span counts it. One map per role, keyed by the series' own id
 * string, rather than one map keyed by role + id: no key string is built per series and span,
 * and the id's hash is computed once (bench:scale, docs/performance.md).
 */
export interface EventCounts {
  bad: number;
  all: number;
  /** Newest event point (probes); −Infinity when none. Counters give theirs through `edges`. */
  newestT: number;
  edges?: Partial<Record<CounterRole, Map<string, CounterEdge>>>;
}

export const noEvents = (): EventCounts => ({ bad: 0, all: 0, newestT: Number.NEGATIVE_INFINITY });

/** Adds `later` (the span right after `acc`'s) into `acc`. `later` is not changed (memoised spans are shared). */
export function joinEvents(acc: EventCounts, later: EventCounts): EventCounts {
  acc.bad += later.bad;
  acc.all += later.all;
  acc.newestT = Math.max(acc.newestT, later.newestT);
  if (!later.edges) return acc;
  const edges = (acc.edges ??= {});
  if (later.edges.total) joinEdges(acc, (edges.total ??= new Map()), later.edges.total);
  if (later.edges.part) joinEdges(acc, (edges.part ??= new Map()), later.edges.part);
  return acc;
}

/** Joins one role's edges of the later span into `edges` (`acc`'s), adding each rise across the boundary to `acc`. */
function joinEdges(acc: EventCounts, edges: Map<string, CounterEdge>, later: ReadonlyMap<string, CounterEdge>): void {
  for (const [id, next] of later) {
    const prev = edges.get(id);
    if (!prev) {
      edges.set(id, next);
      continue;
    }
    const rise = counterDelta(prev.lastV, next.firstV);
    acc.bad += prev.bad * rise;
    acc.all += prev.all * rise;
    edges.set(id, {
      firstV: prev.firstV,
      lastV: next.lastV,
      lastT: next.lastT,
      points: prev.points + next.points,
      all: prev.all,
      bad: prev.bad,
    });
  }
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
  // Only `total` series weigh in `all` (part edges have all = 0).
  const totals = c.edges?.total;
  if (totals) for (const e of totals.values()) if (e.all === 1 && e.points >= 2) newestT = Math.max(newestT, e.lastT);
  return { ratio: Math.min(1, Math.max(0, c.bad) / c.all), newestT };
}

/**
 * Adds one counter series' points over `(from, …]` (`t`, `v` as `range()` returns them) to `c`:
 * the rises between its consecutive points in the span (a drop is a reset, as `increase()`
 * counts it) and its edge under `role` and `id`, so a later span joins on it.
 */
export function addCounterSeries(
  c: EventCounts,
  role: CounterRole,
  id: string,
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
  // A literal of one shape (not a spread of `weight`): every edge object then shares one hidden class.
  const edge: CounterEdge = {
    firstV: v[first]!,
    lastV: v[last]!,
    lastT: t[last]!,
    points: t.length - first,
    all: weight.all,
    bad: weight.bad,
  };
  ((c.edges ??= {})[role] ??= new Map()).set(id, edge);
}
