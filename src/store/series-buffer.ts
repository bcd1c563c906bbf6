/**
 * One series' points in a ring of two Float64Arrays (timestamps in unix ms, values).
 * The ring grows by doubling up to `maxPoints`; past that the oldest point is overwritten.
 * Points older than the retention are dropped on append, so memory follows what the
 * objectives need and nothing more.
 */
export class SeriesBuffer {
  private t: Float64Array;
  private v: Float64Array;
  private start = 0;
  private size = 0;

  constructor(
    private readonly maxPoints: number,
    initialCapacity = 8,
  ) {
    const capacity = Math.min(Math.max(4, initialCapacity), maxPoints);
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.t.byteLength + this.v.byteLength;
  }

  /**
   * Appends a point. A point at the newest point's time is a repeat and ignored. A point before
   * it means the wall clock stepped back (one series is written by one source, in order): the
   * points after it were stamped by a clock that was wrong, so they are dropped and the series
   * follows the corrected clock at once. Keeping them instead would freeze the series (every
   * new point "old") until real time caught up with the wrong one.
   */
  append(t: number, value: number, retentionMs: number): void {
    if (this.size > 0) {
      const newest = this.timeAt(this.size - 1);
      if (t === newest) return;
      if (t < newest) this.size = this.lowerBound(t);
    }
    if (this.size === this.t.length) {
      if (this.t.length < this.maxPoints) this.grow();
      else {
        this.start = (this.start + 1) % this.t.length;
        this.size--;
      }
    }
    const at = (this.start + this.size) % this.t.length;
    this.t[at] = t;
    this.v[at] = value;
    this.size++;
    const oldest = t - retentionMs;
    while (this.size > 1 && this.timeAt(0) < oldest) {
      this.start = (this.start + 1) % this.t.length;
      this.size--;
    }
  }

  timeAt(i: number): number {
    return this.t[(this.start + i) % this.t.length]!;
  }

  valueAt(i: number): number {
    return this.v[(this.start + i) % this.t.length]!;
  }

  /** Copies the points with `from <= t <= to` into fresh arrays, oldest first. */
  range(from: number, to: number): { t: Float64Array; v: Float64Array } {
    const lo = this.lowerBound(from);
    let hi = lo;
    while (hi < this.size && this.timeAt(hi) <= to) hi++;
    const n = hi - lo;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = this.timeAt(lo + i);
      v[i] = this.valueAt(lo + i);
    }
    return { t, v };
  }

  /**
   * The points with `from <= t <= to`, oldest first, for a reader that uses them at once: views
   * into the ring where the range does not wrap (no copy: the window queries read every series
   * over several windows each cycle, and copies were most of the evaluator's garbage), a copy
   * where it does. The caller must not write them or keep them past its own computation.
   */
  window(from: number, to: number): { t: Float64Array; v: Float64Array } {
    const lo = this.lowerBound(from);
    let hi = lo;
    while (hi < this.size && this.timeAt(hi) <= to) hi++;
    const first = this.start + lo;
    const capacity = this.t.length;
    if (first >= capacity || first + (hi - lo) > capacity) return this.range(from, to);
    return { t: this.t.subarray(first, first + hi - lo), v: this.v.subarray(first, first + hi - lo) };
  }

  /** Index of the first point with time >= `time` (binary search over the ring). */
  private lowerBound(time: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const capacity = Math.min(this.t.length * 2, this.maxPoints);
    const t = new Float64Array(capacity);
    const v = new Float64Array(capacity);
    for (let i = 0; i < this.size; i++) {
      t[i] = this.timeAt(i);
      v[i] = this.valueAt(i);
    }
    this.t = t;
    this.v = v;
    this.start = 0;
  }
}
