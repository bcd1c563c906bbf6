/**
 * Window math over raw counters, as Prometheus `increase()` does it but without extrapolation:
 * the sum of the rises between consecutive points inside the window, where a value lower than
 * the one before is a reset (the counter restarted from zero, so the new value is all increase).
 * Sources store counters raw; every reader of a counter goes through here.
 */

/** Points of one series, oldest first (what `SeriesBuffer.range()` returns). */
export interface CounterPoints {
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
}

/** The rise from `prev` to `cur`, counting a decrease as a reset to zero. */
export function counterDelta(prev: number, cur: number): number {
  return cur >= prev ? cur - prev : cur;
}

/**
 * The increase of a counter over `from <= t <= to`, or null when fewer than two points fall in the
 * window (one point says nothing about a rate).
 */
export function increase(t: ArrayLike<number>, v: ArrayLike<number>, from: number, to: number): number | null {
  let prev = Number.NaN;
  let seen = 0;
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const ti = t[i]!;
    if (ti < from) continue;
    if (ti > to) break;
    const vi = v[i]!;
    if (seen > 0) total += counterDelta(prev, vi);
    prev = vi;
    seen++;
  }
  return seen >= 2 ? total : null;
}

/**
 * Increases of several counters sampled together (same timestamps, one row per sample), where a
 * reset seen in ANY of them is a reset of all: `pg_stat_statements_reset()` zeroes calls and
 * total time at once, but if the statement ran more often after the reset than before, `calls`
 * alone would look like it only rose. Checking every column (and `resetIfLower`, e.g. a lifetime
 * maximum that can only fall on a reset) keeps the counters consistent with each other.
 *
 * Rows are joined on equal timestamps; a timestamp missing from one column is skipped.
 * Returns one increase per counter column, or null when fewer than two joint rows are in the window.
 */
export function jointIncrease(
  counters: readonly CounterPoints[],
  from: number,
  to: number,
  resetIfLower: readonly CounterPoints[] = [],
): number[] | null {
  const columns = [...counters, ...resetIfLower];
  if (counters.length === 0) return null;
  const idx = columns.map(() => 0);
  const prev: number[] = columns.map(() => Number.NaN);
  const totals = counters.map(() => 0);
  let rows = 0;
  // Merge-join on time: advance every column to the smallest common timestamp.
  for (let guard = 0; guard < 10_000_000; guard++) {
    let target = -Infinity;
    let done = false;
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      while (idx[c]! < col.t.length && col.t[idx[c]!]! < from) idx[c]!++;
      if (idx[c]! >= col.t.length || col.t[idx[c]!]! > to) {
        done = true;
        break;
      }
      target = Math.max(target, col.t[idx[c]!]!);
    }
    if (done) break;
    let aligned = true;
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      while (idx[c]! < col.t.length && col.t[idx[c]!]! < target) idx[c]!++;
      if (idx[c]! >= col.t.length || col.t[idx[c]!]! !== target) aligned = false;
    }
    if (!aligned) continue;
    const cur = columns.map((col, c) => col.v[idx[c]!]!);
    if (rows > 0) {
      const reset = cur.some((value, c) => value < prev[c]!);
      for (let c = 0; c < counters.length; c++) totals[c]! += reset ? cur[c]! : cur[c]! - prev[c]!;
    }
    for (let c = 0; c < columns.length; c++) {
      prev[c] = cur[c]!;
      idx[c]!++;
    }
    rows++;
  }
  return rows >= 2 ? totals : null;
}
