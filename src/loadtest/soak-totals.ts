import { LatencyRecorder, Samples } from './latency-recorder.js';
import type { MergedLoad } from './load-workers.js';
import type { SoakTotalsData } from './report-schema.js';
import { LATENCY_BUCKETS, latencyBucketOf, Timeline } from './timeline.js';

export const SAMPLE_CAPACITY = 1_000_000;

/** Latency histogram counts, dense (LATENCY_BUCKETS long). */
type Histogram = Float64Array;

function addToHistogram(h: Histogram, latencies: Float64Array): void {
  for (const v of latencies) {
    const bucket = latencyBucketOf(v);
    h[bucket] = (h[bucket] ?? 0) + 1;
  }
}

function sparse(h: Histogram): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  h.forEach((count, bucket) => {
    if (count > 0) out.push([bucket, count]);
  });
  return out;
}

function dense(pairs: ReadonlyArray<readonly [number, number]>): Histogram {
  const h = new Float64Array(LATENCY_BUCKETS);
  for (const [bucket, count] of pairs) if (bucket >= 0 && bucket < LATENCY_BUCKETS) h[bucket] = (h[bucket] ?? 0) + count;
  return h;
}

/**
 * The soak's totals, bounded in memory whatever its length: per request kind a uniform sample of
 * at most SAMPLE_CAPACITY latencies (exact counts), and beside it the latency histograms the
 * checkpoint file keeps (raw latencies of a day would not fit there either). A resumed soak starts
 * from the file's totals, so its report's requests, errors and percentiles cover the whole soak:
 * the earlier parts' latencies to the histogram's ±2 %, this run's exactly.
 */
export class SoakTotals {
  readonly perKind = new Map<string, LatencyRecorder>();
  private readonly histograms = new Map<string, { latency: Histogram; fromSend: Histogram }>();
  readonly lateness = new Samples([], SAMPLE_CAPACITY);
  /** Bounded by its own cap (coarser buckets as the soak goes on). This run's part only. */
  readonly timeline = new Timeline();
  loopDelayMs = { p99: 0, max: 0 };
  firstAnswerAt: number | null = null;
  lastAnswerAt: number | null = null;
  workerThreads = 0;
  /** Requests asked and seconds spent answering in the earlier runs of a resumed soak. */
  private readonly earlier: { requested: number; answeringS: number };

  constructor(earlier?: SoakTotalsData) {
    this.earlier = { requested: earlier?.requested ?? 0, answeringS: earlier?.answeringS ?? 0 };
    for (const kind of earlier?.kinds ?? []) {
      this.perKind.set(kind.name, LatencyRecorder.fromHistograms(kind, SAMPLE_CAPACITY));
      this.histograms.set(kind.name, { latency: dense(kind.latency), fromSend: dense(kind.fromSend) });
    }
  }

  add(load: MergedLoad): void {
    for (const [name, r] of load.perKind) {
      let total = this.perKind.get(name);
      if (!total) this.perKind.set(name, (total = new LatencyRecorder(SAMPLE_CAPACITY)));
      total.absorb(r);
      let h = this.histograms.get(name);
      if (!h) this.histograms.set(name, (h = { latency: new Float64Array(LATENCY_BUCKETS), fromSend: new Float64Array(LATENCY_BUCKETS) }));
      addToHistogram(h.latency, r.latencies());
      addToHistogram(h.fromSend, r.latenciesFromSend());
    }
    for (const v of load.lateness) this.lateness.push(v);
    this.timeline.absorb(load.timeline);
    this.loopDelayMs = {
      p99: Math.max(this.loopDelayMs.p99, load.loopDelayMs.p99),
      max: Math.max(this.loopDelayMs.max, load.loopDelayMs.max),
    };
    this.firstAnswerAt ??= load.firstAnswerAt;
    this.lastAnswerAt = load.lastAnswerAt ?? this.lastAnswerAt;
    this.workerThreads = load.workerThreads;
  }

  /** Requests asked over the whole soak, given what this run asked. */
  requested(thisRun: number): number {
    return this.earlier.requested + thisRun;
  }

  /** This run's answering time plus the earlier runs': the throughput's denominator, interruptions left out. */
  private answeringS(): number {
    const first = this.firstAnswerAt;
    const last = this.lastAnswerAt;
    return this.earlier.answeringS + (first !== null && last !== null && last > first ? (last - first) / 1000 : 0);
  }

  asLoad(): MergedLoad {
    const { perKind, timeline, loopDelayMs, firstAnswerAt, lastAnswerAt, workerThreads } = this;
    return {
      perKind,
      lateness: this.lateness.view(),
      timeline,
      loopDelayMs,
      firstAnswerAt,
      lastAnswerAt,
      workerThreads,
      ...(this.earlier.answeringS > 0 ? { answeringS: this.answeringS() } : {}),
    };
  }

  /** What the checkpoint file keeps, `requestedSoFar` being this run's requests asked so far. */
  toData(requestedSoFar: number): SoakTotalsData {
    return {
      requested: this.requested(requestedSoFar),
      answeringS: this.answeringS(),
      kinds: [...this.perKind].map(([name, r]) => {
        const h = this.histograms.get(name);
        return {
          name,
          ok: r.ok,
          httpErrors: r.httpErrors,
          serverErrors: r.serverErrors,
          connectionErrors: r.connectionErrors,
          statusCounts: [...r.statusCounts],
          latency: h ? sparse(h.latency) : [],
          fromSend: h ? sparse(h.fromSend) : [],
        };
      }),
    };
  }
}
