import type { LoadedSloFile } from '../../config/config.js';
import type { ScrapeSourceConfig } from '../../config/daemon-schema.js';
import { describeError } from '../../core/describe-error.js';
import { ERR, vigilError } from '../../core/errors.js';
import { type HttpEndpoint, httpEndpoint } from '../../core/http-credentials.js';
import type { Labels, Point } from '../../store/point.js';
import { seriesId } from '../../store/sample-store.js';
import type { SampleResult, Source } from '../source.js';
import { type ParsedSeries, parseExposition } from './exposition-parser.js';
import { scrapeMetric } from './window-queries.js';

const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
/** A target answering more than this is refused rather than parsed (a misconfigured URL, not metrics). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The labels a scraped sample is stored under: the target's, with `source` added (a clashing `source` kept as `exported_source`). */
function storedLabels(sourceName: string, labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[k === 'source' ? 'exported_source' : k] = v;
  out.source = sourceName;
  return out;
}

/**
 * Turns one scrape into points: each sample becomes `scrape:<name>` with the target's labels plus
 * `source`. A target label named `source` is kept as `exported_source` (as Prometheus keeps a
 * clashing `job` as `exported_job`). All points of a scrape share its timestamp, so the buckets of
 * one histogram stay aligned for window math.
 */
export function expositionToPoints(sourceName: string, text: string, t: number): Point[] {
  return parseExposition(text).samples.map((sample) => ({
    metric: scrapeMetric(sample.name),
    labels: storedLabels(sourceName, sample.labels),
    t,
    value: sample.value,
  }));
}

/** A series the source has scraped before: parsed once, its store identity built once. */
interface KnownSeries extends ParsedSeries {
  readonly metric: string;
  readonly stored: Labels;
  readonly id: string;
  /** The last scrape (by number) that had it. */
  seenIn: number;
}

/**
 * The `scrape` source: reads a target's Prometheus `/metrics` itself, so `latency` and `ratio`
 * objectives work without a Prometheus server. Series that disappear from the target (a label set
 * the target dropped) are reported as ended.
 */
export class ScrapeSource implements Source {
  readonly kind = 'scrape' as const;
  /** Every series of the last scrape, by its text in the body (the same text every scrape: parsed once). */
  private known = new Map<string, KnownSeries>();
  private scrapes = 0;
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
    return this.pointsOf(text, t);
  }

  /**
   * The body's points (as `expositionToPoints` gives them, with their store ids), and the series
   * of the previous scrape this one no longer has.
   */
  pointsOf(text: string, t: number): SampleResult {
    const scrape = ++this.scrapes;
    const { samples } = parseExposition(text, (series) => this.known.get(series));
    const points: Point[] = new Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i]!;
      let series = this.known.get(sample.series);
      if (!series) {
        // Copies of the texts cut from the body: a slice keeps the whole body it was cut from alive.
        const name = copyString(sample.name);
        const metric = scrapeMetric(name);
        const stored = storedLabels(this.name, sample.labels);
        series = { name, labels: sample.labels, metric, stored, id: seriesId(metric, stored), seenIn: scrape };
        this.known.set(copyString(sample.series), series);
      }
      series.seenIn = scrape;
      points[i] = { metric: series.metric, labels: series.stored, t, value: sample.value, id: series.id };
    }
    const ended = this.forgetUnseen(scrape);
    return ended.length ? { points, ended } : { points };
  }

  /** Series the last scrape did not have: forgotten, and reported as ended unless written another way this scrape. */
  private forgetUnseen(scrape: number): Array<{ metric: string; labels: Labels }> {
    const gone: KnownSeries[] = [];
    for (const [text, series] of this.known) {
      if (series.seenIn === scrape) continue;
      gone.push(series);
      this.known.delete(text);
    }
    if (gone.length === 0) return [];
    const present = new Set<string>();
    for (const series of this.known.values()) present.add(series.id);
    const ended = new Map<string, { metric: string; labels: Labels }>();
    for (const s of gone) if (!present.has(s.id)) ended.set(s.id, { metric: s.metric, labels: s.stored });
    return [...ended.values()];
  }

  async close(): Promise<void> {
    this.known.clear();
  }
}

/** A flat copy of a string (V8 keeps a slice's whole parent string alive). */
function copyString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
