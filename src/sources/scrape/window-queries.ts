import { increase } from '../../store/counter.js';
import type { SampleStore } from '../../store/sample-store.js';
import { type Bucket, histogramQuantile, parseLe } from './histogram-quantile.js';
import { type LabelMatcher, matchesSelector, parseRangeQuery, parseSelector, type RangeQuery, type Selector } from './promql-subset.js';

/**
 * Window math over scraped series, for `latency` and `ratio` indicators whose source is a scrape
 * instance. Pure: store + selector + window in, number out. The window is `(from, to]` like a
 * PromQL range selector; counters go through the reset-aware `increase` (no extrapolation: a
 * quantile and a ratio do not change when every count is scaled by the same factor, which is all
 * that Prometheus's extrapolation does to series scraped together).
 */

/** Where scraped series live in the store: the target's name behind this prefix. */
export const SCRAPE_PREFIX = 'scrape:';
export const scrapeMetric = (name: string): string => `${SCRAPE_PREFIX}${name}`;

export interface WindowQuantile {
  /** In the histogram's unit (seconds for `_seconds`); null without data in the window. */
  value: number | null;
  /** Observations in the window (the +Inf bucket's increase). */
  observations: number;
  /** Bucket series that had at least two points in the window. */
  series: number;
  /** Newest point used (unix ms). */
  newestT: number | null;
}

/**
 * The label values a series must carry to pass `matchers` plus the source: the `=` matchers (an
 * empty value also matches a missing label, so it narrows nothing). The store's index uses them.
 */
function requiredLabels(source: string, matchers: readonly LabelMatcher[]): Record<string, string> {
  const where: Record<string, string> = { source };
  for (const m of matchers) if (m.op === '=' && m.value !== '') where[m.name] = m.value;
  return where;
}

/** What a selector asks of the store for one source: the store's metric names, the index's labels, the predicate. */
interface ScrapedLookup {
  readonly metric: string;
  /** The metric's `_bucket` series (a histogram selector names the histogram without it). */
  readonly bucketMetric: string;
  readonly where: Readonly<Record<string, string>>;
  readonly match: (labels: Readonly<Record<string, string>>) => boolean;
}

/**
 * Lookups by parsed selector (the parse caches below hand out the same object for the same text)
 * and source. Every objective reads its selectors over several windows each cycle, and the lookup
 * never changes: built once, not a metric string, a label object and a closure per read
 * (bench:scale, docs/performance.md). Weak: a selector no longer cached takes its lookups along.
 */
const lookups = new WeakMap<Selector, Map<string, ScrapedLookup>>();

function lookupOf(source: string, selector: Selector): ScrapedLookup {
  let bySource = lookups.get(selector);
  if (!bySource) lookups.set(selector, (bySource = new Map()));
  let lookup = bySource.get(source);
  if (!lookup) {
    lookup = {
      metric: scrapeMetric(selector.metric),
      bucketMetric: scrapeMetric(`${selector.metric}_bucket`),
      where: Object.freeze(requiredLabels(source, selector.matchers)),
      match: (labels) => labels.source === source && matchesSelector(labels, selector.matchers),
    };
    bySource.set(source, lookup);
  }
  return lookup;
}

/** The scraped series `selector` picks from `source`: its metric's, or (`buckets`) its histogram's `_bucket` series. */
function selectScraped(store: SampleStore, source: string, selector: Selector, buckets = false) {
  const { metric, bucketMetric, where, match } = lookupOf(source, selector);
  return store.select(buckets ? bucketMetric : metric, match, where);
}

/**
 * Parsed queries and selectors by their text. Every objective reads its queries over several
 * windows each cycle; the text never changes between cycles, so it is parsed once. Bounded by
 * clearing (a fleet has a few queries per objective; a reload may bring new texts).
 */
const MAX_PARSED = 100_000;
const parsedQueries = new Map<string, RangeQuery>();
const parsedSelectors = new Map<string, Selector>();
function cached<T>(cache: Map<string, T>, text: string, parse: (text: string) => T): T {
  let out = cache.get(text);
  if (out === undefined) {
    out = parse(text);
    if (cache.size >= MAX_PARSED) cache.clear();
    cache.set(text, out);
  }
  return out;
}
const rangeQuery = (text: string) => cached(parsedQueries, text, parseRangeQuery);
const selectorOf = (text: string) => cached(parsedSelectors, text, parseSelector);

/** The stored series a `sum(rate(sel[W]))` query reads: how far its history reaches is their oldest point. */
export function seriesOfQuery(store: SampleStore, source: string, query: string) {
  const parsed = rangeQuery(query);
  return selectScraped(store, source, parsed.selector);
}

/** The bucket series of a histogram selector (without `_bucket`): how far its history reaches is their oldest point. */
export function seriesOfHistogram(store: SampleStore, source: string, histogram: string) {
  const selector = selectorOf(histogram);
  return selectScraped(store, source, selector, true);
}

/**
 * `histogram_quantile(q, sum by (le) (increase(<histogram>_bucket{matchers}[to-from])))`.
 * `histogram` is the indicator's selector without `_bucket`, e.g.
 * `http_request_duration_seconds{route="/api/documentation-keeper/decide"}`.
 */
export function quantileOverWindow(
  store: SampleStore,
  source: string,
  histogram: string | Selector,
  q: number,
  from: number,
  to: number,
): WindowQuantile {
  const { buckets, series, newestT } = bucketsOverWindow(store, source, histogram, from, to);
  const observations = buckets.find((b) => b.upperBound === Number.POSITIVE_INFINITY)?.count ?? 0;
  const value = buckets.length ? histogramQuantile(q, buckets) : Number.NaN;
  return { value: Number.isFinite(value) ? value : null, observations, series, newestT };
}

export interface WindowBuckets {
  /** Cumulative counts per upper bound: each bucket series' increase over the window, summed by `le`. */
  buckets: Bucket[];
  /** Bucket series that had at least two points in the window. */
  series: number;
  newestT: number | null;
}

/** `sum by (le) (increase(<histogram>_bucket{matchers}[to-from]))`: the histogram a quantile is read from. */
export function bucketsOverWindow(
  store: SampleStore,
  source: string,
  histogram: string | Selector,
  from: number,
  to: number,
): WindowBuckets {
  const selector = typeof histogram === 'string' ? selectorOf(histogram) : histogram;
  const byLe = new Map<number, number>();
  let series = 0;
  let newestT: number | null = null;
  for (const s of selectScraped(store, source, selector, true)) {
    const le = parseLe(s.labels.le);
    if (Number.isNaN(le)) continue;
    const { t, v } = s.buffer.window(from + 1, to);
    const rise = increase(t, v, from + 1, to);
    if (rise === null) continue;
    series++;
    byLe.set(le, (byLe.get(le) ?? 0) + rise);
    const last = t[t.length - 1]!;
    newestT = newestT === null ? last : Math.max(newestT, last);
  }
  return { buckets: [...byLe].map(([upperBound, count]) => ({ upperBound, count })), series, newestT };
}

export interface WindowRate {
  /** Events per second (rate) or events (increase) over the window; null without data. */
  value: number | null;
  series: number;
  newestT: number | null;
}

/** `sum(rate(sel[W]))` or `sum(increase(sel[W]))` over the window ending at `to`. */
export function queryOverWindow(store: SampleStore, source: string, query: string, from: number, to: number): WindowRate {
  const parsed = rangeQuery(query);
  const start = parsed.windowMs === null ? from : to - parsed.windowMs;
  let total = 0;
  let series = 0;
  let newestT: number | null = null;
  for (const s of selectScraped(store, source, parsed.selector)) {
    const { t, v } = s.buffer.window(start + 1, to);
    const rise = increase(t, v, start + 1, to);
    if (rise === null) continue;
    series++;
    total += rise;
    const last = t[t.length - 1]!;
    newestT = newestT === null ? last : Math.max(newestT, last);
  }
  if (series === 0) return { value: null, series, newestT };
  return { value: parsed.fn === 'rate' ? total / ((to - start) / 1000) : total, series, newestT };
}

export interface RatioQueries {
  errors?: string | undefined;
  good?: string | undefined;
  total: string;
}

export interface WindowRatio {
  /** Bad events / all events in the window: errors/total, or 1 - good/total. null without data or traffic. */
  errorRatio: number | null;
  bad: number | null;
  total: number | null;
  newestT: number | null;
}

/**
 * The error ratio of a `ratio` indicator over `(from, to]`. A matching series with no rise counts
 * as zero events; no traffic at all gives null (nothing to judge), never a ratio of 0.
 */
export function ratioOverWindow(store: SampleStore, source: string, queries: RatioQueries, from: number, to: number): WindowRatio {
  const total = queryOverWindow(store, source, queries.total, from, to);
  const part = queryOverWindow(store, source, (queries.errors ?? queries.good)!, from, to);
  const newestT = total.newestT;
  if (total.value === null || total.value <= 0) return { errorRatio: null, bad: null, total: total.value, newestT };
  // Errors that never happened have no series at all (prom-client creates a label set on first use).
  const partValue = part.value ?? 0;
  const bad = queries.errors !== undefined ? partValue : Math.max(0, total.value - partValue);
  return { errorRatio: Math.min(1, bad / total.value), bad, total: total.value, newestT };
}
