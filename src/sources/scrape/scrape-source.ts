import type { LoadedSloFile } from '../../config/config.js';
import type { ScrapeSourceConfig } from '../../config/daemon-schema.js';
import { describeError } from '../../core/describe-error.js';
import { ERR, vigilError } from '../../core/errors.js';
import { type HttpEndpoint, httpEndpoint } from '../../core/http-credentials.js';
import type { Labels, Point } from '../../store/point.js';
import { seriesId } from '../../store/sample-store.js';
import type { SampleResult, Source } from '../source.js';
import { parseExposition } from './exposition-parser.js';
import { scrapeMetric } from './window-queries.js';

const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
/** A target answering more than this is refused rather than parsed (a misconfigured URL, not metrics). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Turns one scrape into points: each sample becomes `scrape:<name>` with the target's labels plus
 * `source`. A target label named `source` is kept as `exported_source` (as Prometheus keeps a
 * clashing `job` as `exported_job`). All points of a scrape share its timestamp, so the buckets of
 * one histogram stay aligned for window math.
 */
export function expositionToPoints(sourceName: string, text: string, t: number): Point[] {
  const { samples } = parseExposition(text);
  const points: Point[] = [];
  for (const sample of samples) {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(sample.labels)) labels[k === 'source' ? 'exported_source' : k] = v;
    labels.source = sourceName;
    points.push({ metric: scrapeMetric(sample.name), labels, t, value: sample.value });
  }
  return points;
}

/**
 * The `scrape` source: reads a target's Prometheus `/metrics` itself, so `latency` and `ratio`
 * objectives work without a Prometheus server. Series that disappear from the target (a label set
 * the target dropped) are reported as ended.
 */
export class ScrapeSource implements Source {
  readonly kind = 'scrape' as const;
  private previous = new Map<string, { metric: string; labels: Labels }>();
  private readonly target: HttpEndpoint;

  constructor(
    readonly name: string,
    private readonly config: ScrapeSourceConfig,
    _files: readonly LoadedSloFile[] = [],
  ) {
    this.target = httpEndpoint(config.url, config.auth);
  }

  async sample(signal: AbortSignal): Promise<SampleResult> {
    const t = Date.now();
    const timeout = AbortSignal.timeout(this.config.timeout);
    let response: Response;
    try {
      response = await fetch(this.target.url, {
        headers: { accept: ACCEPT, ...this.target.headers },
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      const reason = timeout.aborted ? `no answer within ${this.config.timeout} ms` : describeError(err);
      throw vigilError(ERR.VIGIL_ERR_SCRAPE_FAILED, { source: `${this.name} (${this.target.url})`, detail: reason }, { cause: err });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw vigilError(ERR.VIGIL_ERR_SCRAPE_FAILED, { source: `${this.name} (${this.target.url})`, detail: `HTTP ${response.status}` });
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw vigilError(ERR.VIGIL_ERR_SCRAPE_FAILED, { source: this.name, detail: `body of ${length} bytes is over ${MAX_BODY_BYTES}` });
    }
    const text = await response.text();
    const points = expositionToPoints(this.name, text, t);

    const current = new Map<string, { metric: string; labels: Labels }>();
    for (const p of points) current.set(seriesId(p.metric, p.labels), { metric: p.metric, labels: p.labels });
    const ended = [...this.previous].filter(([id]) => !current.has(id)).map(([, s]) => s);
    this.previous = current;
    return ended.length ? { points, ended } : { points };
  }

  async close(): Promise<void> {
    this.previous.clear();
  }
}
