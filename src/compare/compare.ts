import { histogramQuantile } from '../sources/scrape/histogram-quantile.js';
import type { BaselineFile, Figure, FigureData } from './baseline-schema.js';
import {
  bootstrapHistograms,
  bootstrapValues,
  type Change,
  momentChange,
  perRequestChange,
  proportionChange,
  rateChange,
  statisticOf,
} from './intervals.js';
import { seededRandom } from './random.js';

/**
 * Comparing two saved measurements figure by figure. Pure: two parsed files and options in,
 * rows out. A figure REGRESSED when both hold:
 *  - statistically: the confidence interval of after − before lies wholly on the worse side of 0;
 *  - practically: the point change is worse than the objective's tolerance (a share of before).
 * IMPROVED is the mirror image; anything else is NO SIGNIFICANT CHANGE. Needing both keeps an A/A
 * comparison quiet when the interval is narrow (much data, a tiny real drift between runs) and
 * when the change is large but the data too few to tell.
 */

export const VERDICTS = ['improved', 'regressed', 'no significant change', 'not comparable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface CompareOptions {
  /** Two-sided confidence level of the intervals, e.g. 0.95. */
  confidence: number;
  /** Bootstrap resamples per figure. */
  replicates: number;
  seed: number;
  /** Replaces every figure's own tolerance when set. */
  tolerance?: number | undefined;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { confidence: 0.95, replicates: 2000, seed: 1 };

export interface FigureComparison {
  readonly name: string;
  readonly objective: string | null;
  readonly measure: string;
  readonly unit: Figure['unit'];
  readonly better: Figure['better'];
  readonly tolerance: number;
  readonly before: number | null;
  readonly after: number | null;
  /** (after − before) / |before|; null when before is 0 or either is missing. */
  readonly change: number | null;
  /** Interval of after − before, in the figure's unit. */
  readonly interval: { readonly low: number; readonly high: number } | null;
  readonly verdict: Verdict;
  /** Why a figure is not comparable. */
  readonly reason: string | null;
}

export interface Comparison {
  readonly service: string;
  readonly kind: BaselineFile['kind'];
  readonly confidence: number;
  readonly figures: readonly FigureComparison[];
  readonly regressed: boolean;
}

/** Why two files cannot be compared at all (empty when they can). format/version are checked by the schema. */
export function incompatibility(before: BaselineFile, after: BaselineFile): string[] {
  const problems: string[] = [];
  if (before.service !== after.service) {
    problems.push(`the files measure different services: ${JSON.stringify(before.service)} and ${JSON.stringify(after.service)}`);
  }
  if (before.kind !== after.kind) {
    problems.push(
      `the files are of different kinds: ${before.kind} and ${after.kind} (a load test drives its own traffic; a baseline watches the service's)`,
    );
  }
  return problems;
}

/** The value a figure's data gives (what `baseline` writes as `value`, and what compare re-derives). */
export function figureValue(data: FigureData): number | null {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  switch (data.kind) {
    case 'samples':
      return finite(statisticOf(data.values, data.statistic));
    case 'histogram':
      return finite(histogramQuantile(data.q, toBuckets(data.buckets)));
    case 'proportion':
      return data.trials > 0 ? data.successes / data.trials : null;
    case 'rate':
      return data.events / data.seconds;
    case 'moments':
      return data.calls > 0 ? data.mean + data.k * data.stddev : null;
    case 'per_request':
      return data.requests > 0 ? data.calls / data.requests : null;
  }
}

function toBuckets(buckets: Extract<FigureData, { kind: 'histogram' }>['buckets']) {
  return buckets.map((b) => ({ upperBound: b.le === '+Inf' ? Number.POSITIVE_INFINITY : b.le, count: b.count }));
}

/** A stable per-figure seed, so a figure's interval does not depend on which other figures exist. */
function figureSeed(seed: number, name: string): number {
  let h = seed | 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x9e3779b1);
  return h >>> 0;
}

function sameShape(a: FigureData, b: FigureData): string | null {
  if (a.kind !== b.kind) return `the data are of different kinds (${a.kind} before, ${b.kind} after)`;
  if (a.kind === 'samples' && b.kind === 'samples' && JSON.stringify(a.statistic) !== JSON.stringify(b.statistic)) {
    return 'different statistics (mean against quantile, or two quantiles)';
  }
  if (a.kind === 'histogram' && b.kind === 'histogram' && a.q !== b.q) return `different quantiles (${a.q} and ${b.q})`;
  if (a.kind === 'moments' && b.kind === 'moments' && a.k !== b.k) return 'different statistics (mean against P95 estimate)';
  return null;
}

/**
 * A quantile's interval needs observations beyond it: with fewer than 5 on either side's tail
 * (n·(1 − q) < 5: under 100 values for a P95, 500 for a P99) the bootstrap's interval is far
 * too narrow, and an A/A comparison calls regressions. Such a figure is "not comparable".
 */
export const MIN_TAIL_OBSERVATIONS = 5;

function tooFewForQuantile(data: FigureData): string | null {
  const tail = (n: number, q: number) => n * (1 - q);
  if (data.kind === 'samples' && data.statistic.type === 'quantile' && tail(data.values.length, data.statistic.q) < MIN_TAIL_OBSERVATIONS) {
    return `${data.values.length} values are too few for a p${data.statistic.q * 100} interval (needs ${Math.ceil(MIN_TAIL_OBSERVATIONS / (1 - data.statistic.q))})`;
  }
  if (data.kind === 'histogram') {
    const total = data.buckets.find((b) => b.le === '+Inf')?.count ?? 0;
    if (tail(total, data.q) < MIN_TAIL_OBSERVATIONS) {
      return `${total} observations are too few for a p${data.q * 100} interval (needs ${Math.ceil(MIN_TAIL_OBSERVATIONS / (1 - data.q))})`;
    }
  }
  return null;
}

/** The interval of after − before for two figures with data of the same shape. */
export function changeOf(before: FigureData, after: FigureData, options: CompareOptions, seed: number): Change | null {
  const boot = { random: seededRandom(seed), replicates: options.replicates, confidence: options.confidence };
  switch (before.kind) {
    case 'samples': {
      const a = after as typeof before;
      return bootstrapValues(before.values, a.values, before.statistic, boot);
    }
    case 'histogram': {
      const a = after as typeof before;
      return bootstrapHistograms(toBuckets(before.buckets), toBuckets(a.buckets), before.q, boot);
    }
    case 'proportion':
      return proportionChange(before, after as typeof before, options.confidence);
    case 'rate':
      return rateChange(before, after as typeof before, options.confidence);
    case 'moments':
      return momentChange(before, after as typeof before, before.k, options.confidence);
    case 'per_request':
      return perRequestChange(before, after as typeof before, options.confidence);
  }
}

export function relativeChange(before: number, after: number): number | null {
  if (before === 0) return after === 0 ? 0 : null;
  return (after - before) / Math.abs(before);
}

/** The verdict rule (see the module comment), on an interval of after − before. */
export function verdictFor(change: Change, better: Figure['better'], tolerance: number): Verdict {
  const rose = change.low > 0;
  const fell = change.high < 0;
  if (!rose && !fell) return 'no significant change';
  const rel = relativeChange(change.before, change.after);
  // From 0 to anything is beyond every tolerance; the interval already says it is not noise.
  const beyond = rel === null ? true : Math.abs(rel) > tolerance && Math.sign(rel) === (rose ? 1 : -1);
  if (!beyond) return 'no significant change';
  return rose === (better === 'lower') ? 'regressed' : 'improved';
}

function notComparable(f: Figure, before: number | null, after: number | null, reason: string, tolerance: number): FigureComparison {
  return {
    name: f.name,
    objective: f.objective,
    measure: f.measure,
    unit: f.unit,
    better: f.better,
    tolerance,
    before,
    after,
    change: before !== null && after !== null ? relativeChange(before, after) : null,
    interval: null,
    verdict: 'not comparable',
    reason,
  };
}

export function compareFigure(before: Figure | undefined, after: Figure | undefined, options: CompareOptions): FigureComparison {
  const f = (after ?? before)!;
  const tolerance = options.tolerance ?? f.tolerance;
  if (!before) return notComparable(f, null, after!.value, 'only in the after file', tolerance);
  if (!after) return notComparable(f, before.value, null, 'only in the before file', tolerance);
  if (before.unit !== after.unit)
    return notComparable(f, before.value, after.value, `different units (${before.unit}, ${after.unit})`, tolerance);
  if (!before.data || !after.data) {
    return notComparable(f, before.value, after.value, `no data ${before.data ? 'after' : 'before'}`, tolerance);
  }
  const shape = sameShape(before.data, after.data);
  if (shape) return notComparable(f, before.value, after.value, shape, tolerance);
  const few = tooFewForQuantile(before.data) ?? tooFewForQuantile(after.data);
  if (few) return notComparable(f, before.value, after.value, few, tolerance);
  const change = changeOf(before.data, after.data, options, figureSeed(options.seed, f.name));
  if (!change) return notComparable(f, before.value, after.value, 'too little data for an interval', tolerance);
  return {
    name: f.name,
    objective: f.objective,
    measure: f.measure,
    unit: f.unit,
    better: after.better,
    tolerance,
    before: change.before,
    after: change.after,
    change: relativeChange(change.before, change.after),
    interval: { low: change.low, high: change.high },
    verdict: verdictFor(change, after.better, tolerance),
    reason: null,
  };
}

/** Every figure of either file, in the after file's order, then those only the before file has. */
export function compareFiles(before: BaselineFile, after: BaselineFile, options: CompareOptions = DEFAULT_COMPARE_OPTIONS): Comparison {
  const byName = new Map(before.figures.map((f) => [f.name, f]));
  const seen = new Set<string>();
  const figures: FigureComparison[] = [];
  for (const a of after.figures) {
    seen.add(a.name);
    figures.push(compareFigure(byName.get(a.name), a, options));
  }
  for (const b of before.figures) if (!seen.has(b.name)) figures.push(compareFigure(b, undefined, options));
  return {
    service: after.service,
    kind: after.kind,
    confidence: options.confidence,
    figures,
    regressed: figures.some((f) => f.verdict === 'regressed'),
  };
}
