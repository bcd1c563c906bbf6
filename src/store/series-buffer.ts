import { decodeChunk, encodeChunk } from './chunk-codec.js';

/** How a series splits its history between raw points and compressed chunks. */
export interface HistoryTiers {
  /** Points newer than the newest point minus this stay raw (fast to read, 16 bytes each). */
  readonly rawMs: number;
  /** Older points are sealed into one compressed chunk per block of this length, aligned to the epoch. */
  readonly blockMs: number;
  /** Cap on the compressed chunks' bytes per series: past it the oldest chunk is dropped. */
  readonly maxHistoryBytes: number;
}

/**
 * Raw for the short burn-rate windows (5 min to 6 h); 4-hour chunks, so a month is ~180 chunks
 * per series (each chunk costs an object and a header besides its bytes).
 */
export const DEFAULT_TIERS: HistoryTiers = {
  rawMs: 6 * 3_600_000,
  blockMs: 4 * 3_600_000,
  maxHistoryBytes: 1 << 20,
};

/**
 * Points a series can hold with `maxPoints` raw: the compressed history is counted at 4 bytes a
 * point, twice what jittery latencies take (docs/storage.md), so the figure errs low.
 */
export function historyPointsHeld(maxPoints: number, tiers: HistoryTiers = DEFAULT_TIERS): number {
  return maxPoints + Math.floor(tiers.maxHistoryBytes / 4);
}

/** A sealed, immutable run of points: lossless, about 1–2.5 bytes per point (see chunk-codec.ts). */
export interface HistoryChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

export class SeriesBuffer {
  private t: Float64Array;
  private v: Float64Array;
  private start = 0;
  private size = 0;
  private history: HistoryChunk[] = [];
  private historyBytes = 0;
  private historyPoints = 0;
  /** The last chunk decoded: timeslices read one chunk many times in a row (bounded: one chunk). */
  private decoded: { chunk: HistoryChunk; t: Float64Array; v: Float64Array } | null = null;

  constructor(
    private readonly maxPoints: number,
    initialCapacity = 64,
    private readonly tiers: HistoryTiers = DEFAULT_TIERS,
  ) {
    const capacity = Math.min(Math.max(4, initialCapacity), maxPoints);
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes held by the raw ring and the compressed chunks. */
  get byteLength(): number {
    const cache = this.decoded ? this.decoded.t.byteLength + this.decoded.v.byteLength : 0;
    return this.t.byteLength + this.v.byteLength + this.historyBytes + cache;
  }

  /** Points represented in both tiers. */
  get pointCount(): number {
    return this.size + this.historyPoints;
  }

  /** The sealed chunks, oldest first (for persistence; they are immutable). */
  get chunks(): readonly HistoryChunk[] {
    return this.history;
  }

  /** Time of the oldest point in either tier; null when empty. */
  oldestTime(): number | null {
    if (this.history.length > 0) return this.history[0]!.minT;
    return this.size > 0 ? this.timeAt(0) : null;
  }

  /**
   * Puts chunks read from a snapshot in front of the history (at start, before any append).
   * Chunks out of order with what is there are skipped: history is appended to, never rewritten.
   */
  adoptChunk(chunk: HistoryChunk): boolean {
    const last = this.history[this.history.length - 1];
    if (chunk.count === 0 || (last && chunk.minT <= last.maxT) || (this.size > 0 && chunk.maxT >= this.timeAt(0))) return false;
    this.pushChunk(chunk);
    return true;
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
      if (t < newest) this.stepBack(t);
    } else if (this.history.length > 0 && t <= this.history[this.history.length - 1]!.maxT) {
      this.stepBack(t);
    }
    if (this.size === this.t.length) {
      if (this.t.length < this.maxPoints) this.grow();
      else this.sealOldestBlock(true);
    }
    const at = (this.start + this.size) % this.t.length;
    this.t[at] = t;
    this.v[at] = value;
    this.size++;
    const oldest = t - retentionMs;
    while (this.size > 1 && this.timeAt(0) < oldest) this.dropRaw(1);
    while (this.history.length > 0 && this.history[0]!.maxT < oldest) this.shiftChunk();
    // Seal whole blocks that lie entirely before the raw span.
    const rawFrom = Math.floor((t - this.tiers.rawMs) / this.tiers.blockMs) * this.tiers.blockMs;
    while (this.size > 1 && this.timeAt(0) < rawFrom) this.sealOldestBlock(false);
  }

  private dropRaw(n: number): void {
    this.start = (this.start + n) % this.t.length;
    this.size -= n;
  }

  /**
   * Compresses the raw points of the oldest point's block into a chunk. With `full` (the ring is
   * at `maxPoints`) at most half the ring goes, so the raw tier keeps the newest points even when
   * one block holds more than the ring.
   */
  private sealOldestBlock(full: boolean): void {
    const { blockMs } = this.tiers;
    const blockEnd = (Math.floor(this.timeAt(0) / blockMs) + 1) * blockMs;
    let n = this.lowerBound(blockEnd);
    if (full) n = Math.max(1, Math.min(n, this.size >>> 1));
    n = Math.min(n, this.size - 1);
    if (n <= 0) return;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = this.timeAt(i);
      v[i] = this.valueAt(i);
    }
    this.pushChunk({ minT: t[0]!, maxT: t[n - 1]!, count: n, bytes: encodeChunk(t, v) });
    this.dropRaw(n);
  }

  private pushChunk(chunk: HistoryChunk): void {
    this.history.push(chunk);
    this.historyBytes += chunk.bytes.length;
    this.historyPoints += chunk.count;
    while (this.historyBytes > this.tiers.maxHistoryBytes && this.history.length > 1) this.shiftChunk();
  }

  private shiftChunk(): void {
    const gone = this.history.shift()!;
    if (this.decoded?.chunk === gone) this.decoded = null;
    this.historyBytes -= gone.bytes.length;
    this.historyPoints -= gone.count;
  }

  /**
   * The wall clock stepped back to `t`: points at or after it, in either tier, were stamped by a
   * clock that was wrong and go. A chunk that straddles `t` is re-sealed with its earlier points.
   */
  private stepBack(t: number): void {
    this.size = this.lowerBound(t);
    if (this.size > 0) return;
    while (this.history.length > 0 && this.history[this.history.length - 1]!.maxT >= t) {
      const last = this.history.pop()!;
      if (this.decoded?.chunk === last) this.decoded = null;
      this.historyBytes -= last.bytes.length;
      this.historyPoints -= last.count;
      if (last.minT < t) {
        const points = decodeChunk(last.bytes);
        let keep = 0;
        while (points.t[keep]! < t) keep++;
        const kt = points.t.subarray(0, keep);
        const kv = points.v.subarray(0, keep);
        this.pushChunk({ minT: kt[0]!, maxT: kt[keep - 1]!, count: keep, bytes: encodeChunk(kt, kv) });
        return;
      }
    }
  }

  timeAt(i: number): number {
    return this.t[(this.start + i) % this.t.length]!;
  }

  valueAt(i: number): number {
    return this.v[(this.start + i) % this.t.length]!;
  }

  /**
   * Copies the points with `from <= t <= to` into fresh arrays, oldest first, from both tiers:
   * the one way every reader gets a span, however old. Chunks overlapping the span are decoded.
   */
  range(from: number, to: number): { t: Float64Array; v: Float64Array } {
    const raw = this.rawRange(from, to);
    if (this.history.length === 0 || this.history[0]!.minT > to || (this.size > 0 && from >= this.timeAt(0))) return raw;
    const parts: Array<{ t: Float64Array; v: Float64Array }> = [];
    let total = 0;
    for (const chunk of this.history) {
      if (chunk.maxT < from || chunk.minT > to) continue;
      const { t, v } = this.decode(chunk);
      let lo = 0;
      while (lo < t.length && t[lo]! < from) lo++;
      let hi = t.length;
      while (hi > lo && t[hi - 1]! > to) hi--;
      parts.push({ t: t.subarray(lo, hi), v: v.subarray(lo, hi) });
      total += hi - lo;
    }
    parts.push(raw);
    total += raw.t.length;
    const t = new Float64Array(total);
    const v = new Float64Array(total);
    let o = 0;
    for (const p of parts) {
      t.set(p.t, o);
      v.set(p.v, o);
      o += p.t.length;
    }
    return { t, v };
  }

  private decode(chunk: HistoryChunk): { t: Float64Array; v: Float64Array } {
    if (this.decoded?.chunk !== chunk) this.decoded = { chunk, ...decodeChunk(chunk.bytes) };
    return this.decoded;
  }

  /** `range()` over the raw tier only. */
  rawRange(from: number, to: number): { t: Float64Array; v: Float64Array } {
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
