import { decodeChunk, encodeChunk } from './chunk-codec.js';
import { ChunkList, type HistoryChunk } from './chunk-list.js';

export type { HistoryChunk } from './chunk-list.js';

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
 * Raw for the short burn-rate windows: a block is sealed once it lies wholly before the last 4 h,
 * so 4–8 h stay raw (at 15 s at most 1 920 points: the ring's 2 048 slots); 4-hour chunks, so a
 * month is ~180 chunks per series.
 */
export const DEFAULT_TIERS: HistoryTiers = {
  rawMs: 4 * 3_600_000,
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

/**
 * One series' points in two tiers. The newest (the last `rawMs`, at most `maxPoints`) sit raw
 * in a ring of two Float64Arrays (timestamps in unix ms, values) that grows by doubling; older
 * points are sealed into compressed chunks, one per aligned block, lossless, so a 30-day budget
 * reads the same points it would read raw. Points older than the retention are dropped on append,
 * so memory follows what the objectives need: at most `maxPoints` × 16 bytes raw plus
 * `maxHistoryBytes` of chunks (and one decoded chunk kept for reads).
 * Readers see one series: `range()` spans both tiers; `length`, `timeAt` and `valueAt` index the
 * raw tier, which always holds the newest point.
 */
export class SeriesBuffer {
  private t: Float64Array;
  private v: Float64Array;
  private start = 0;
  private size = 0;
  private readonly history = new ChunkList();

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
    return this.t.byteLength + this.v.byteLength + this.history.byteLength;
  }

  /** Points represented in both tiers. */
  get pointCount(): number {
    return this.size + this.history.pointCount;
  }

  /** The sealed chunks, oldest first (for persistence: their bytes are views, valid until the next append). */
  get chunks(): HistoryChunk[] {
    return Array.from({ length: this.history.length }, (_, i) => this.history.at(i));
  }

  /** Time of the oldest point in either tier; null when empty. */
  oldestTime(): number | null {
    if (this.history.length > 0) return this.history.minT(0);
    return this.size > 0 ? this.timeAt(0) : null;
  }

  /**
   * Puts chunks read from a snapshot in front of the history (at start, before any append).
   * Chunks out of order with what is there are skipped: history is appended to, never rewritten.
   */
  adoptChunk(chunk: HistoryChunk): boolean {
    const h = this.history;
    if (chunk.count === 0 || (h.length > 0 && chunk.minT <= h.maxT(h.length - 1)) || (this.size > 0 && chunk.maxT >= this.timeAt(0)))
      return false;
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
    } else if (this.history.length > 0 && t <= this.history.maxT(this.history.length - 1)) {
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
    while (this.history.length > 0 && this.history.maxT(0) < oldest) this.history.shift();
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
    while (this.history.dataBytes > this.tiers.maxHistoryBytes && this.history.length > 1) this.history.shift();
  }

  /**
   * The wall clock stepped back to `t`: points at or after it, in either tier, were stamped by a
   * clock that was wrong and go. A chunk that straddles `t` is re-sealed with its earlier points.
   */
  private stepBack(t: number): void {
    this.size = this.lowerBound(t);
    if (this.size > 0) return;
    while (this.history.length > 0 && this.history.maxT(this.history.length - 1) >= t) {
      const last = this.history.pop();
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
    const h = this.history;
    if (h.length === 0 || h.minT(0) > to || (this.size > 0 && from >= this.timeAt(0))) return raw;
    const parts: Array<{ t: Float64Array; v: Float64Array }> = [];
    let total = 0;
    for (let i = 0; i < h.length; i++) {
      if (h.maxT(i) < from || h.minT(i) > to) continue;
      const { t, v } = h.decode(i);
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
