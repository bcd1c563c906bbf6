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
  if (counters.length === 0) return null;
  const columns = [...counters, ...resetIfLower];
  const same = sameTimestamps(columns);
  if (same) return jointIncreaseAligned(columns, counters.length, from, to);
  const n = columns.length;
  const nCounters = counters.length;
  // Scratch state, allocated once per call: this runs for every statement on every evaluation.
  const idx = new Int32Array(n);
  const prev = new Float64Array(n);
  const cur = new Float64Array(n);
  const totals = new Float64Array(nCounters);
  let rows = 0;
  // Merge-join on time. Each pass either consumes one joint row or moves at least one column
  // forward, so the loop ends after at most the total number of points.
  let budget = 1;
  for (const col of columns) budget += col.t.length;
  for (; budget > 0; budget--) {
    let target = -Infinity;
    let done = false;
    for (let c = 0; c < n; c++) {
      const col = columns[c]!;
      let i = idx[c]!;
      while (i < col.t.length && col.t[i]! < from) i++;
      idx[c] = i;
      if (i >= col.t.length || col.t[i]! > to) {
        done = true;
        break;
      }
      if (col.t[i]! > target) target = col.t[i]!;
    }
    if (done) break;
    let aligned = true;
    for (let c = 0; c < n; c++) {
      const col = columns[c]!;
      let i = idx[c]!;
      while (i < col.t.length && col.t[i]! < target) i++;
      idx[c] = i;
      if (i >= col.t.length || col.t[i]! !== target) aligned = false;
    }
    if (!aligned) continue;
    let reset = false;
    for (let c = 0; c < n; c++) {
      cur[c] = columns[c]!.v[idx[c]!]!;
      if (rows > 0 && cur[c]! < prev[c]!) reset = true;
    }
    if (rows > 0) {
      for (let c = 0; c < nCounters; c++) totals[c] = totals[c]! + (reset ? cur[c]! : cur[c]! - prev[c]!);
    }
    for (let c = 0; c < n; c++) {
      prev[c] = cur[c]!;
      idx[c] = idx[c]! + 1;
    }
    rows++;
  }
  return rows >= 2 ? Array.from(totals) : null;
}

/** True when every column has exactly the same timestamps (one sample wrote them all). */
function sameTimestamps(columns: readonly CounterPoints[]): boolean {
  const first = columns[0]!.t;
  for (let c = 1; c < columns.length; c++) {
    const t = columns[c]!.t;
    if (t.length !== first.length) return false;
    for (let i = 0; i < t.length; i++) if (t[i] !== first[i]) return false;
  }
  return true;
}

/** `jointIncrease` for columns that share their timestamps: a plain scan, no join. */
function jointIncreaseAligned(columns: readonly CounterPoints[], nCounters: number, from: number, to: number): number[] | null {
  const t = columns[0]!.t;
  const n = columns.length;
  const totals = new Float64Array(nCounters);
  let first = -1;
  let last = -1;
  for (let i = 0; i < t.length; i++) {
    if (t[i]! < from) continue;
    if (t[i]! > to) break;
    if (first === -1) first = i;
    last = i;
  }
  if (first === -1 || last <= first) return null;
  for (let i = first + 1; i <= last; i++) {
    let reset = false;
    for (let c = 0; c < n; c++) {
      const v = columns[c]!.v;
      if (v[i]! < v[i - 1]!) {
        reset = true;
        break;
      }
    }
    for (let c = 0; c < nCounters; c++) {
      const v = columns[c]!.v;
      totals[c] = totals[c]! + (reset ? v[i]! : v[i]! - v[i - 1]!);
    }
  }
  return Array.from(totals);
}
