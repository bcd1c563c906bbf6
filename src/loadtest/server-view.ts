import { type ExpositionSample, parseExposition } from '../sources/scrape/exposition-parser.js';
import { histogramQuantile, parseLe } from '../sources/scrape/histogram-quantile.js';
import type { TrafficKind } from './load-sender.js';
import type { ServerView } from './report-schema.js';

/**
 * The service's own view of the run: its request-duration histogram read from its `/metrics` just
 * before and just after the load, so the increase covers exactly the run. Set beside the client's
 * latency it shows the time spent outside the handler (kernel queues, the event loop before the
 * handler runs, the network): client − server.
 */

/** Names of histograms that time a whole request inside the service (not one stage of it). */
export const REQUEST_DURATION_METRIC = /request_duration|request_latency|http_server_duration/;
/** Labels a service names the route with. */
const ROUTE_LABELS = ['route', 'path', 'handler'] as const;

/** Buckets of the service's request-duration histogram, one entry per series and `le`. */
export interface HistogramReading {
  readonly metric: string;
  readonly samples: readonly ExpositionSample[];
}

/** The request-duration histogram's bucket samples in a `/metrics` text; null when there is none. */
export function readRequestHistogram(text: string): HistogramReading | null {
  const { samples } = parseExposition(text);
  const bucket = samples.find((s) => s.name.endsWith('_bucket') && REQUEST_DURATION_METRIC.test(s.name));
  if (!bucket) return null;
  return { metric: bucket.name.slice(0, -'_bucket'.length), samples: samples.filter((s) => s.name === bucket.name) };
}

const seriesKey = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const routeOf = (labels: Readonly<Record<string, string>>) => ROUTE_LABELS.map((l) => labels[l]).find((v) => v !== undefined);

/** Quantiles (ms) of what the service observed between two readings, for one route or all. */
function windowQuantiles(
  before: HistogramReading | null,
  after: HistogramReading,
  route: string | null,
  unitMs: number,
): ServerView['overall'] {
  const previous = new Map((before?.samples ?? []).map((s) => [seriesKey(s.labels), s.value]));
  const byLe = new Map<number, number>();
  for (const s of after.samples) {
    if (route !== null && routeOf(s.labels) !== route) continue;
    const was = previous.get(seriesKey(s.labels)) ?? 0;
    // A counter that went down was reset (the service restarted): its whole value is new.
    const increase = s.value >= was ? s.value - was : s.value;
    const le = parseLe(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + increase);
  }
  const buckets = [...byLe].map(([upperBound, count]) => ({ upperBound, count }));
  const count = byLe.get(Number.POSITIVE_INFINITY) ?? 0;
  const q = (p: number) => {
    const v = histogramQuantile(p, buckets);
    return count > 0 && Number.isFinite(v) ? v * unitMs : null;
  };
  return { count, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
}

/** The server view of a run from the readings before and after it; null when the service exposes no request histogram. */
export function serverView(
  before: HistogramReading | null,
  after: HistogramReading | null,
  kinds: readonly TrafficKind[],
): ServerView | null {
  if (!after) return null;
  // Prometheus convention: durations in seconds (a `_ms`/`milliseconds` name says otherwise).
  const unitMs = /_ms$|milliseconds/.test(after.metric) ? 1 : 1000;
  return {
    metric: after.metric,
    overall: windowQuantiles(before, after, null, unitMs),
    kinds: kinds.map((k) => ({ kind: k.name, ...windowQuantiles(before, after, k.path.split('?')[0] ?? k.path, unitMs) })),
  };
}

/** Reads the target's request histogram; null when `/metrics` is missing or has none. */
export async function fetchRequestHistogram(base: string): Promise<HistogramReading | null> {
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    return readRequestHistogram(await res.text());
  } catch {
    return null;
  }
}
