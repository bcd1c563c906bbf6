import type { LatencySummary, SoakTotalsData } from './report-schema.js';
import { latencyBucketValue } from './timeline.js';

/**
 * A growable array of doubles (raw samples, not a pre-bucketed histogram). Past `capacity` it
 * keeps a uniform random sample of everything pushed (reservoir sampling, Vitter's algorithm R),
 * so a day-long soak's percentiles rest on a bounded, unbiased sample.
 */
export class Samples {
  private values: Float64Array;
  private n = 0;
  /** Everything pushed, kept or not. */
  seen = 0;

  constructor(
    initial: ArrayLike<number> = [],
    private readonly capacity = Number.POSITIVE_INFINITY,
  ) {
    this.values = new Float64Array(Math.max(4096, Math.min(initial.length, capacity)));
    for (let i = 0; i < initial.length; i++) this.push(initial[i] ?? 0);
  }

  push(v: number): void {
    this.seen++;
    if (this.n >= this.capacity) {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < this.n) this.values[slot] = v;
      return;
    }
    if (this.n === this.values.length) {
      const bigger = new Float64Array(Math.min(this.values.length * 2, this.capacity));
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = v;
  }

  get length(): number {
    return this.n;
  }

  view(): Float64Array {
    return this.values.subarray(0, this.n);
  }
}

/** A recorder as plain data: what a worker thread hands back (structured-clone friendly). */
export interface RecorderData {
  latencies: Float64Array;
  fromSend: Float64Array;
  ok: number;
  httpErrors: number;
  serverErrors: number;
  connectionErrors: number;
  statusCounts: Array<[number, number]>;
}

/**
 * The load test's own measurements: every response's latency (ms) and status, per request kind.
 * Raw values, so percentiles are exact and can be taken over any subset (a route, a stress step).
 * Two latencies per response: from the request's intended start (what a user of an open system
 * waits, the figure objectives are judged on) and from when it was actually sent (what a closed
 * loop would report). A 10-minute run at 1000 req/s is 600 k responses: 9.6 MB.
 */
export class LatencyRecorder {
  private values: Samples;
  private sent: Samples;
  ok = 0;
  /** HTTP status >= 400. */
  httpErrors = 0;
  /** Responses with status >= 500 (the ones availability objectives count). */
  serverErrors = 0;
  /** Connection errors and timeouts: no response at all. */
  connectionErrors = 0;
  readonly statusCounts = new Map<number, number>();

  /** `capacity`: keep at most this many latencies (a uniform sample of all); counts stay exact. */
  constructor(capacity = Number.POSITIVE_INFINITY) {
    this.values = new Samples([], capacity);
    this.sent = new Samples([], capacity);
  }

  /** One answer: its latency from the intended start and (when it was sent late) from the send. */
  record(latencyMs: number, status: number, fromSendMs = latencyMs): void {
    this.values.push(latencyMs);
    this.sent.push(fromSendMs);
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
    if (status >= 400) this.httpErrors++;
    else this.ok++;
    if (status >= 500) this.serverErrors++;
  }

  recordError(): void {
    this.connectionErrors++;
  }

  get responses(): number {
    return this.values.seen;
  }

  /** Requests that were answered or failed. */
  get attempts(): number {
    return this.values.seen + this.connectionErrors;
  }

  /** Latencies from each request's intended start (ms). */
  latencies(): Float64Array {
    return this.values.view();
  }

  /** Latencies from each request's actual send (ms). */
  latenciesFromSend(): Float64Array {
    return this.sent.view();
  }

  toData(): RecorderData {
    return {
      latencies: this.latencies().slice(),
      fromSend: this.latenciesFromSend().slice(),
      ok: this.ok,
      httpErrors: this.httpErrors,
      serverErrors: this.serverErrors,
      connectionErrors: this.connectionErrors,
      statusCounts: [...this.statusCounts],
    };
  }

  static fromData(data: RecorderData): LatencyRecorder {
    const out = new LatencyRecorder();
    out.values = new Samples(data.latencies);
    out.sent = new Samples(data.fromSend);
    out.takeCounts(data);
    return out;
  }

  /** The exact counts of a saved recorder or a soak's totals. */
  private takeCounts(c: Pick<RecorderData, 'ok' | 'httpErrors' | 'serverErrors' | 'connectionErrors' | 'statusCounts'>): void {
    this.ok = c.ok;
    this.httpErrors = c.httpErrors;
    this.serverErrors = c.serverErrors;
    this.connectionErrors = c.connectionErrors;
    for (const [status, count] of c.statusCounts) this.statusCounts.set(status, count);
  }

  /** Adds every response of `other` to this recorder (kept as a sample past this recorder's capacity). */
  absorb(other: LatencyRecorder): void {
    for (const v of other.latencies()) this.values.push(v);
    for (const v of other.latenciesFromSend()) this.sent.push(v);
    // A sampled recorder stands for more responses than it holds: the counts stay exact.
    this.values.seen += other.values.seen - other.values.length;
    this.sent.seen += other.sent.seen - other.sent.length;
    this.ok += other.ok;
    this.httpErrors += other.httpErrors;
    this.serverErrors += other.serverErrors;
    this.connectionErrors += other.connectionErrors;
    for (const [status, count] of other.statusCounts) this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + count);
  }

  /**
   * A recorder standing for responses known only by their counts and latency histograms (a resumed
   * soak's earlier parts): each bucket's value (±2 %) as often as it holds — scaled down past
   * `capacity`, as the uniform sample a recorder of that capacity would keep — and the exact counts.
   */
  static fromHistograms(h: Omit<SoakTotalsData['kinds'][number], 'name'>, capacity: number): LatencyRecorder {
    const out = new LatencyRecorder(capacity);
    out.values = samplesOfHistogram(h.latency, capacity);
    out.sent = samplesOfHistogram(h.fromSend, capacity);
    out.takeCounts(h);
    return out;
  }

  /** One recorder holding every response of `recorders` (e.g. all request kinds together). */
  static combine(recorders: readonly LatencyRecorder[]): LatencyRecorder {
    const out = new LatencyRecorder();
    for (const r of recorders) out.absorb(r);
    return out;
  }
}

function samplesOfHistogram(histogram: ReadonlyArray<readonly [number, number]>, capacity: number): Samples {
  let total = 0;
  for (const [, count] of histogram) total += count;
  // A rare bucket keeps one value even when scaled down (the tail, p99.9 and max, is what it
  // holds): one slot per bucket is set aside so that the values stay within `capacity`.
  const scale = total > capacity ? Math.max(0, capacity - histogram.length) / total : 1;
  const values: number[] = [];
  for (const [bucket, count] of histogram)
    for (let k = Math.max(1, Math.floor(count * scale)); k > 0; k--) values.push(latencyBucketValue(bucket));
  const samples = new Samples(values, capacity);
  samples.seen = total;
  return samples;
}

/** Percentiles by the nearest-rank method over a sorted copy; null when empty. */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): Array<number | null> {
  if (values.length === 0) return qs.map(() => null);
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null);
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const [p50, p95, p99, max] = percentiles(values, [0.5, 0.95, 0.99, 1]);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] ?? 0;
  return {
    count: values.length,
    p50: p50 ?? null,
    p95: p95 ?? null,
    p99: p99 ?? null,
    max: max ?? null,
    mean: values.length ? sum / values.length : null,
  };
}
