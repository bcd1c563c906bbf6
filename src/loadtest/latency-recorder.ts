import type { LatencySummary } from './report-schema.js';

/**
 * The load test's own measurements: every response's latency (ms) and status, per request kind.
 * Raw values, not a pre-bucketed histogram, so percentiles are exact and can be taken over any
 * subset (a route, a stress step). A 10-minute run at 1000 req/s is 600 k doubles: 4.8 MB.
 */
export class LatencyRecorder {
  private values = new Float64Array(4096);
  private n = 0;
  ok = 0;
  /** HTTP status >= 400. */
  httpErrors = 0;
  /** Responses with status >= 500 (the ones availability objectives count). */
  serverErrors = 0;
  /** Connection errors and timeouts: no response at all. */
  connectionErrors = 0;
  readonly statusCounts = new Map<number, number>();

  record(latencyMs: number, status: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = latencyMs;
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
    if (status >= 400) this.httpErrors++;
    else this.ok++;
    if (status >= 500) this.serverErrors++;
  }

  recordError(): void {
    this.connectionErrors++;
  }

  get responses(): number {
    return this.n;
  }

  /** Requests that were answered or failed. */
  get attempts(): number {
    return this.n + this.connectionErrors;
  }

  latencies(): Float64Array {
    return this.values.subarray(0, this.n);
  }

  /** One recorder holding every response of `recorders` (e.g. all request kinds together). */
  static combine(recorders: readonly LatencyRecorder[]): LatencyRecorder {
    const out = new LatencyRecorder();
    const total = recorders.reduce((sum, r) => sum + r.n, 0);
    out.values = new Float64Array(Math.max(4096, total));
    for (const r of recorders) {
      out.values.set(r.latencies(), out.n);
      out.n += r.n;
      out.ok += r.ok;
      out.httpErrors += r.httpErrors;
      out.serverErrors += r.serverErrors;
      out.connectionErrors += r.connectionErrors;
      for (const [status, count] of r.statusCounts) out.statusCounts.set(status, (out.statusCounts.get(status) ?? 0) + count);
    }
    return out;
  }
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
