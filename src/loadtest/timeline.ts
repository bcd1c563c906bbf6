import type { PerSecond } from './report-schema.js';

/**
 * The run over time, in bounded memory: per time bucket (one second; longer in long runs) the
 * requests that fell due (asked), the answers, the errors (5xx or no answer) and a log-bucketed
 * latency histogram, from which the bucket's percentiles are read to about ±2 %. Keeping a
 * histogram rather than the latencies is what bounds it: a bucket costs the same at 10 or 10 000
 * req/s. Buckets are keyed by unix time, so the senders of other threads and the consecutive parts
 * of a run (stress steps, soak parts) add up by key. When the run spans more than MAX_POINTS
 * buckets, the bucket length doubles (neighbours merge): a 24 h soak keeps at most MAX_POINTS.
 */

export const MAX_POINTS = 1800;
/** The shortest cut edge bucket whose rate is taken over its covered part. */
const MIN_EDGE_S = 0.25;

/** Latency histogram: bucket 0 holds up to 10 µs, bucket i up to 10 µs × 1.04^i, the last everything above ~100 s. */
const LOWEST_MS = 0.01;
const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);
export const LATENCY_BUCKETS = Math.ceil(Math.log(100_000 / LOWEST_MS) / LOG_GROWTH) + 1;

export function latencyBucketOf(ms: number): number {
  if (!(ms > LOWEST_MS)) return 0;
  return Math.min(LATENCY_BUCKETS - 1, Math.ceil(Math.log(ms / LOWEST_MS) / LOG_GROWTH));
}

/** The bucket's middle (geometric), the value a percentile falling in it reports. */
export function latencyBucketValue(bucket: number): number {
  return bucket === 0 ? LOWEST_MS / 2 : LOWEST_MS * GROWTH ** (bucket - 0.5);
}

interface Point {
  asked: number;
  answered: number;
  errors: number;
  /** Null until the bucket's first latency. */
  latency: Uint32Array | null;
}

/** A timeline as plain data: what a worker thread hands back (structured-clone friendly). */
export interface TimelineData {
  /** Bucket length in seconds (a power of two). */
  readonly stepS: number;
  /** [bucket start in unix seconds, its point]. */
  readonly points: ReadonlyArray<readonly [number, Point]>;
  /** Unix ms of the first and the last event (null when none). */
  readonly spanMs: readonly [number, number] | null;
}

/** Nearest-rank percentile of a histogram holding `count` values; null when empty. */
export function histogramPercentile(hist: Uint32Array | null, count: number, q: number): number | null {
  if (!hist || count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= rank) return latencyBucketValue(i);
  }
  return latencyBucketValue(hist.length - 1);
}

function addInto(into: Point, from: Point): void {
  into.asked += from.asked;
  into.answered += from.answered;
  into.errors += from.errors;
  if (!from.latency) return;
  if (!into.latency) into.latency = new Uint32Array(LATENCY_BUCKETS);
  for (let i = 0; i < from.latency.length; i++) into.latency[i] = (into.latency[i] ?? 0) + (from.latency[i] ?? 0);
}

export class Timeline {
  private stepS = 1;
  private readonly points = new Map<number, Point>();
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  /** Unix ms of the first and the last event: the run's edges cut the first and the last bucket. */
  private firstMs = Number.POSITIVE_INFINITY;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxPoints = MAX_POINTS) {}

  get step(): number {
    return this.stepS;
  }

  get size(): number {
    return this.points.size;
  }

  /** The point of unix time `atMs`, made when new (and the buckets coarsened when the span outgrows the cap). */
  private at(atMs: number): Point {
    const key = Math.floor(atMs / 1000 / this.stepS) * this.stepS;
    let p = this.points.get(key);
    if (!p) {
      this.points.set(key, (p = { asked: 0, answered: 0, errors: 0, latency: null }));
      this.first = Math.min(this.first, key);
      this.last = Math.max(this.last, key);
      if ((this.last - this.first) / this.stepS + 1 > this.maxPoints) {
        this.coarsen(this.stepS * 2);
        return this.at(atMs);
      }
    }
    return p;
  }

  /** Merges neighbouring buckets until the bucket length is `stepS`. */
  private coarsen(stepS: number): void {
    if (stepS <= this.stepS) return;
    const old = [...this.points];
    this.points.clear();
    this.stepS = stepS;
    this.first = Number.POSITIVE_INFINITY;
    this.last = Number.NEGATIVE_INFINITY;
    for (const [key, p] of old) this.addPoint(key, p);
    // Merged buckets can still span too much when the data came in coarse already.
    if ((this.last - this.first) / this.stepS + 1 > this.maxPoints) this.coarsen(this.stepS * 2);
  }

  private addPoint(key: number, p: Point): void {
    addInto(this.at(key * 1000), p);
  }

  private event(atMs: number): Point {
    this.firstMs = Math.min(this.firstMs, atMs);
    this.lastMs = Math.max(this.lastMs, atMs);
    return this.at(atMs);
  }

  /** A request fell due (open model) at unix ms `atMs`. */
  asked(atMs: number): void {
    this.event(atMs).asked++;
  }

  /** An answer arrived at `atMs` after `latencyMs`; a 5xx counts as an error too. */
  answered(atMs: number, latencyMs: number, status: number): void {
    const p = this.event(atMs);
    p.answered++;
    if (status >= 500) p.errors++;
    p.latency ??= new Uint32Array(LATENCY_BUCKETS);
    const bucket = latencyBucketOf(latencyMs);
    p.latency[bucket] = (p.latency[bucket] ?? 0) + 1;
  }

  /** A request got no answer (connection error or timeout), known at `atMs`. */
  failed(atMs: number): void {
    this.event(atMs).errors++;
  }

  /** Adds every bucket of `other` (coarsened to the longer bucket length of the two). */
  absorb(other: Timeline | TimelineData): void {
    const data = other instanceof Timeline ? other.toData() : other;
    this.coarsen(data.stepS);
    for (const [key, p] of data.points) this.addPoint(key, p);
    if (data.spanMs) {
      this.firstMs = Math.min(this.firstMs, data.spanMs[0]);
      this.lastMs = Math.max(this.lastMs, data.spanMs[1]);
    }
  }

  toData(): TimelineData {
    return { stepS: this.stepS, points: [...this.points], spanMs: this.points.size ? [this.firstMs, this.lastMs] : null };
  }

  /**
   * Seconds of the bucket at `key` the run covered: the whole bucket, except where the first or
   * the last event cuts it. A sliver (under MIN_EDGE_S) counts whole, so one early event is not a spike.
   */
  private coveredS(key: number): number {
    const from = Math.max(key * 1000, this.firstMs);
    const to = Math.min((key + this.stepS) * 1000, this.lastMs);
    const covered = (to - from) / 1000;
    return covered >= MIN_EDGE_S ? Math.min(this.stepS, covered) : this.stepS;
  }

  static fromData(data: TimelineData): Timeline {
    const t = new Timeline();
    t.absorb(data);
    return t;
  }

  static combine(timelines: readonly Timeline[]): Timeline {
    const out = new Timeline();
    for (const t of timelines) out.absorb(t);
    return out;
  }

  /**
   * The report's columns, seconds from `originMs` (the run's start): every bucket from the first
   * to the last, empty ones as zero counts and no percentiles. Rates are per second of the bucket.
   * `asked` is null for the closed model, which asks for nothing on a schedule.
   */
  series(originMs: number, withAsked: boolean): Omit<PerSecond, 'phases'> {
    const out: Omit<PerSecond, 'phases'> = {
      step_seconds: this.stepS,
      at_seconds: [],
      asked_per_second: withAsked ? [] : null,
      answered_per_second: [],
      errors_per_second: [],
      p50_ms: [],
      p95_ms: [],
      p99_ms: [],
    };
    if (this.points.size === 0) return out;
    const round = (v: number) => Number(v.toPrecision(4));
    const roundOrNull = (v: number | null) => (v === null ? null : round(v));
    for (let key = this.first; key <= this.last; key += this.stepS) {
      const p = this.points.get(key) ?? { asked: 0, answered: 0, errors: 0, latency: null };
      const seconds = this.coveredS(key);
      out.at_seconds.push(Math.round((key * 1000 - originMs) / 10) / 100);
      out.asked_per_second?.push(round(p.asked / seconds));
      out.answered_per_second.push(round(p.answered / seconds));
      out.errors_per_second.push(round(p.errors / seconds));
      out.p50_ms.push(roundOrNull(histogramPercentile(p.latency, p.answered, 0.5)));
      out.p95_ms.push(roundOrNull(histogramPercentile(p.latency, p.answered, 0.95)));
      out.p99_ms.push(roundOrNull(histogramPercentile(p.latency, p.answered, 0.99)));
    }
    return out;
  }
}
