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
  /**
   * The label index (Prometheus's "postings"): metric, label name and value -> the series carrying
   * them. Readers name the label values they need (`where`), so a lookup touches one service's
   * series instead of every series of the metric: without it an evaluation cycle grows with the
   * square of the fleet (every objective scanning every service's series).
   */
  private readonly postings = new Map<string, Map<string, Map<string, Set<StoredSeries>>>>();

  constructor(private options: SampleStoreOptions) {}

  get retentionMs(): number {
    return this.options.retentionMs;
  }

  /** Retention follows the config: a reload that lengthens a window keeps what is there. */
  setRetention(retentionMs: number): void {
    this.options = { ...this.options, retentionMs };
  }

  append(point: Point): void {
    if (!Number.isFinite(point.value)) return;
    this.write(this.seriesFor(point.metric, point.labels, point.id), point.t, point.value);
  }

  appendRaw(metric: string, labels: Labels, t: number, value: number): void {
    if (!Number.isFinite(value)) return;
    this.write(this.seriesFor(metric, labels), t, value);
  }

  /**
   * Appends to a series a writer kept from an earlier `seriesFor` or `appendTo`, without building
   * its id again (a sort and a string per point: the history recorder writes 60 000 figures a
   * cycle at 2 000 services). A series pruned since is created again, as `appendRaw` would; the
   * series written to is returned, for the writer to keep.
   */
  appendTo(series: StoredSeries, t: number, value: number): StoredSeries {
    if (!Number.isFinite(value)) return series;
    const live = this.series.get(series.id) === series ? series : this.seriesFor(series.metric, series.labels);
    this.write(live, t, value);
    return live;
  }

  private write(entry: StoredSeries, t: number, value: number): void {
    entry.ended = false;
    entry.buffer.append(t, value, this.options.retentionMs);
  }

  /** The series of `metric` and `labels`, created empty when there is none yet. */
  seriesFor(metric: string, labels: Labels, id = seriesId(metric, labels)): StoredSeries {
    let entry = this.series.get(id);
    if (!entry) {
      entry = {
        id,
        metric,
        labels: Object.freeze({ ...labels }),
        // A ring of 8 to start (it doubles as points come): 64 cost 1 KiB per series before its
        // first point, ~110 MiB at 2 000 services (bench:scale).
        buffer: new SeriesBuffer(this.options.maxPointsPerSeries, 8, { ...DEFAULT_TIERS, ...this.options.tiers }),
        ended: false,
      };
      this.series.set(id, entry);
      let set = this.byMetric.get(metric);
      if (!set) this.byMetric.set(metric, (set = new Set()));
      set.add(entry);
      this.index(entry);
    }
    return entry;
  }

  markEnded(metric: string, labels: Labels): void {
    const entry = this.series.get(seriesId(metric, labels));
    if (entry) entry.ended = true;
  }

  /**
   * Every series of a metric whose labels pass `match`. `where` (label values the series must
   * carry, which `match` must imply) only narrows the scan through the label index: the answer is
   * the same with or without it.
   */
  select(metric: string, match: (labels: Labels) => boolean = () => true, where?: Readonly<Record<string, string>>): StoredSeries[] {
    const set = this.candidates(metric, where);
    if (!set) return [];
    const out: StoredSeries[] = [];
    for (const s of set) if (match(s.labels)) out.push(s);
    return out;
  }

  /** The smallest posting among `where`'s pairs (none: the metric's whole set). */
  private candidates(metric: string, where: Readonly<Record<string, string>> | undefined): Set<StoredSeries> | undefined {
    let smallest = this.byMetric.get(metric);
    if (!smallest || !where) return smallest;
    const names = this.postings.get(metric);
    for (const name in where) {
      const posting = names?.get(name)?.get(where[name]!);
      if (!posting) return undefined;
      if (posting.size < smallest.size) smallest = posting;
    }
    return smallest;
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
        this.unindex(s);
        dropped++;
      }
    }
    return dropped;
  }

  private index(s: StoredSeries): void {
    let names = this.postings.get(s.metric);
    if (!names) this.postings.set(s.metric, (names = new Map()));
    for (const name in s.labels) {
      let values = names.get(name);
      if (!values) names.set(name, (values = new Map()));
      const value = s.labels[name]!;
      let posting = values.get(value);
      if (!posting) values.set(value, (posting = new Set()));
      posting.add(s);
    }
  }

  private unindex(s: StoredSeries): void {
    const names = this.postings.get(s.metric);
    for (const name in s.labels) {
      const values = names?.get(name);
      const posting = values?.get(s.labels[name]!);
      posting?.delete(s);
      if (posting?.size === 0) values!.delete(s.labels[name]!);
    }
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
