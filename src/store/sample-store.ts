import type { Labels, Point } from './point.js';
import { DEFAULT_TIERS, type HistoryTiers, SeriesBuffer } from './series-buffer.js';

/** A series as readers see it: its identity and its buffer. */
export interface StoredSeries {
  /** `metric{a="1",b="2"}` with labels sorted: stable across runs, used for persistence. */
  readonly id: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly buffer: SeriesBuffer;
  /** Set when the source reported the series ended (container gone); kept for history. */
  ended: boolean;
}

export interface SampleStoreOptions {
  /** The longest window any objective needs (24 h for leak detection). */
  retentionMs: number;
  /** Raw points per series at most (the newest); older points are kept compressed. */
  maxPointsPerSeries: number;
  /** Where raw ends and compressed history begins (defaults: the last 4–8 h raw, 4 h chunks, 1 MiB of chunks per series). */
  tiers?: Partial<HistoryTiers>;
}

export function seriesId(metric: string, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${metric}{${parts.join(',')}}`;
}

/** The labels named in `keys` that `labels` has: a series' identity narrowed for a breakdown or an exposition. */
export function pickLabels(labels: Labels, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (labels[k] !== undefined) out[k] = labels[k]!;
  return out;
}

/**
 * Bounded time windows per series, keyed by metric name and labels, as a small TSDB.
 * Sources write raw values (counters too); readers apply window math.
 */
export class SampleStore {
  private readonly series = new Map<string, StoredSeries>();
  private readonly byMetric = new Map<string, Set<StoredSeries>>();

  constructor(private options: SampleStoreOptions) {}

  get retentionMs(): number {
    return this.options.retentionMs;
  }

  /** Retention follows the config: a reload that lengthens a window keeps what is there. */
  setRetention(retentionMs: number): void {
    this.options = { ...this.options, retentionMs };
  }

  append(point: Point): void {
    this.appendRaw(point.metric, point.labels, point.t, point.value);
  }

  appendRaw(metric: string, labels: Labels, t: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const entry = this.seriesFor(metric, labels);
    entry.ended = false;
    entry.buffer.append(t, value, this.options.retentionMs);
  }

  /** The series of `metric` and `labels`, created empty when there is none yet. */
  seriesFor(metric: string, labels: Labels): StoredSeries {
    const id = seriesId(metric, labels);
    let entry = this.series.get(id);
    if (!entry) {
      entry = {
        id,
        metric,
        labels: Object.freeze({ ...labels }),
        buffer: new SeriesBuffer(this.options.maxPointsPerSeries, 64, { ...DEFAULT_TIERS, ...this.options.tiers }),
        ended: false,
      };
      this.series.set(id, entry);
      let set = this.byMetric.get(metric);
      if (!set) this.byMetric.set(metric, (set = new Set()));
      set.add(entry);
    }
    return entry;
  }

  markEnded(metric: string, labels: Labels): void {
    const entry = this.series.get(seriesId(metric, labels));
    if (entry) entry.ended = true;
  }

  /** Every series of a metric whose labels pass `match`. */
  select(metric: string, match: (labels: Labels) => boolean = () => true): StoredSeries[] {
    const set = this.byMetric.get(metric);
    if (!set) return [];
    const out: StoredSeries[] = [];
    for (const s of set) if (match(s.labels)) out.push(s);
    return out;
  }

  all(): IterableIterator<StoredSeries> {
    return this.series.values();
  }

  get seriesCount(): number {
    return this.series.size;
  }

  /** Drops series whose newest point is older than the retention. */
  prune(now: number): number {
    let dropped = 0;
    for (const [id, s] of this.series) {
      const n = s.buffer.length;
      if (n === 0 || s.buffer.timeAt(n - 1) < now - this.options.retentionMs) {
        this.series.delete(id);
        this.byMetric.get(s.metric)?.delete(s);
        dropped++;
      }
    }
    return dropped;
  }

  /** Points held in every series, raw and compressed. */
  pointCount(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.buffer.pointCount;
    return n;
  }

  /** Bytes held by point buffers and history chunks (the part that grows with retention). */
  memoryBytes(): number {
    let bytes = 0;
    for (const s of this.series.values()) bytes += s.buffer.byteLength;
    return bytes;
  }
}
