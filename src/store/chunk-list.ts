import { decodeChunk } from './chunk-codec.js';

/** A sealed, immutable run of points: lossless, about 0.7–2.5 bytes per point (see chunk-codec.ts). */
export interface HistoryChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

/** Index entry: first time, last time, points, byte offset in the arena, byte length. */
const FIELDS = 5;

/**
 * One series' sealed chunks, oldest first, their bytes back to back in one arena and their index
 * in one Float64Array. An object and a buffer per chunk cost ~400 bytes of heap each — a quarter
 * of a 4-hour chunk's own bytes — so chunks exist as objects only while they are read.
 * Chunks leave from the front (retention) and, after a clock step, from the back.
 */
export class ChunkList {
  private arena = new Uint8Array(0);
  /** Live bytes are `[arenaStart, arenaEnd)`. */
  private arenaStart = 0;
  private arenaEnd = 0;
  private index = new Float64Array(0);
  private first = 0;
  private n = 0;
  private points = 0;
  /** The last chunk decoded (by its first time and count): slices read one chunk many times in a row. */
  private decoded: { minT: number; count: number; t: Float64Array; v: Float64Array } | null = null;

  get length(): number {
    return this.n;
  }

  get pointCount(): number {
    return this.points;
  }

  /** Bytes of the chunks themselves. */
  get dataBytes(): number {
    return this.arenaEnd - this.arenaStart;
  }

  /** Bytes held: arena and index capacity, and the decoded chunk kept for reads. */
  get byteLength(): number {
    const cache = this.decoded ? this.decoded.t.byteLength + this.decoded.v.byteLength : 0;
    return this.arena.byteLength + this.index.byteLength + cache;
  }

  minT(i: number): number {
    return this.index[(this.first + i) * FIELDS]!;
  }

  maxT(i: number): number {
    return this.index[(this.first + i) * FIELDS + 1]!;
  }

  /** Chunk `i` as an object; its bytes are a view of the arena, valid until the list next changes. */
  at(i: number): HistoryChunk {
    const o = (this.first + i) * FIELDS;
    const offset = this.index[o + 3]!;
    return {
      minT: this.index[o]!,
      maxT: this.index[o + 1]!,
      count: this.index[o + 2]!,
      bytes: this.arena.subarray(offset, offset + this.index[o + 4]!),
    };
  }

  /** The points of chunk `i`, decoded (shared with the next call for the same chunk: copy before keeping). */
  decode(i: number): { t: Float64Array; v: Float64Array } {
    const minT = this.minT(i);
    const count = this.index[(this.first + i) * FIELDS + 2]!;
    if (this.decoded?.minT !== minT || this.decoded.count !== count) this.decoded = { minT, count, ...decodeChunk(this.at(i).bytes) };
    return this.decoded;
  }

  push(chunk: HistoryChunk): void {
    this.reserveBytes(chunk.bytes.length);
    this.arena.set(chunk.bytes, this.arenaEnd);
    this.reserveIndex();
    const o = (this.first + this.n) * FIELDS;
    this.index[o] = chunk.minT;
    this.index[o + 1] = chunk.maxT;
    this.index[o + 2] = chunk.count;
    this.index[o + 3] = this.arenaEnd;
    this.index[o + 4] = chunk.bytes.length;
    this.arenaEnd += chunk.bytes.length;
    this.n++;
    this.points += chunk.count;
  }

  shift(): void {
    const o = this.first * FIELDS;
    this.arenaStart = this.index[o + 3]! + this.index[o + 4]!;
    this.points -= this.index[o + 2]!;
    this.first++;
    this.n--;
    if (this.n === 0) this.clear();
  }

  /** Removes the newest chunk and returns a copy of it. */
  pop(): HistoryChunk {
    const last = this.at(this.n - 1);
    const copy = { ...last, bytes: last.bytes.slice() };
    this.arenaEnd -= last.bytes.length;
    this.points -= last.count;
    this.n--;
    this.decoded = null;
    if (this.n === 0) this.clear();
    return copy;
  }

  private clear(): void {
    this.arena = new Uint8Array(0);
    this.index = new Float64Array(0);
    this.arenaStart = this.arenaEnd = this.first = this.n = this.points = 0;
    this.decoded = null;
  }

  /**
   * Room for `bytes` more at the end: dropped chunks' bytes are reclaimed first; the arena grows by
   * an eighth, so its slack stays small (a chunk is added every few hours: copying is rare).
   */
  private reserveBytes(bytes: number): void {
    if (this.arenaEnd + bytes <= this.arena.length) return;
    const live = this.arenaEnd - this.arenaStart;
    const capacity = Math.max(live + bytes, Math.ceil((live + bytes) * 1.125));
    const next = capacity <= this.arena.length ? this.arena : new Uint8Array(capacity);
    next.set(this.arena.subarray(this.arenaStart, this.arenaEnd), 0);
    for (let i = 0; i < this.n; i++) this.index[(this.first + i) * FIELDS + 3]! -= this.arenaStart;
    this.arena = next;
    this.arenaEnd = live;
    this.arenaStart = 0;
  }

  private reserveIndex(): void {
    if ((this.first + this.n + 1) * FIELDS <= this.index.length) return;
    const capacity = Math.max(16, Math.ceil((this.n + 1) * 1.25)) * FIELDS;
    const next = capacity <= this.index.length ? this.index : new Float64Array(capacity);
    next.set(this.index.subarray(this.first * FIELDS, (this.first + this.n) * FIELDS), 0);
    this.index = next;
    this.first = 0;
  }
}
