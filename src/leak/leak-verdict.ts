/**
 * The leak detector's answer for one container's memory series. The detector itself lives in
 * `detect-leak.ts` as a pure function:
 *   detectLeak(t: Float64Array (unix ms), v: Float64Array (bytes), options: LeakOptions): LeakVerdict
 */
export type LeakVerdictKind = 'leak' | 'suspected' | 'ok' | 'insufficient_data';

/**
 * Tuning knobs of the detector. Every one has a default (`DEFAULT_LEAK_THRESHOLDS` in
 * `detect-leak.ts`); docs/leak-detection.md explains each and why its default is what it is.
 */
export interface LeakThresholds {
  /** Buckets the window is split into; each keeps its minimum (the post-GC floor). Default 48. */
  bucketCount: number;
  /** Fewer usable buckets than this: `insufficient_data`. Default 12. */
  minBuckets: number;
  /** Span of the data below this share of the window: `insufficient_data`. Default 0.25. */
  minCoverage: number;
  /**
   * Span below this share of the window is partial data: `leak` only when the limit would be reached
   * within one window, `suspected` otherwise. Default 0.5.
   */
  fullCoverage: number;
  /** One-sided Mann–Kendall significance level for an upward trend. Default 0.01. */
  alpha: number;
  /** Material growth with a limit: trend x window >= this share of the limit. Default 0.05. */
  minGrowthShareOfLimit: number;
  /** Material growth without a limit: trend x window >= this share of the starting floor. Default 0.1. */
  minGrowthShareOfFloor: number;
  /**
   * Persistence, part 1 (a leak that stopped is not a leak): the Theil–Sen slope of the most recent
   * `recentShare` of the buckets must reach `persistenceRatio` x the whole-window slope.
   * Defaults 1/3 and 0.5.
   */
  recentShare: number;
  persistenceRatio: number;
  /**
   * Persistence, part 2 (a one-time step such as a cache warming up is not a leak): the largest rise
   * of the (median-of-3 smoothed) floor over any `stepSpanShare` of the buckets must stay below
   * `maxStepShare` x the trend's growth over the data; when it does not, the detector judges only what follows
   * the step (at most 3 times). Defaults 0.125 (3 h of 24 h) and 0.35.
   */
  stepSpanShare: number;
  maxStepShare: number;
  /**
   * Partial data (less than `fullCoverage`) is called a `leak` only when the growth is steady: the
   * Theil–Sen slope of the later half of the data reaches this share of the earlier half's. A leak
   * grows at a steady rate; a cache or heap warming up slows down as it fills. Default 0.6.
   */
  steadyRatio: number;
}

export interface LeakOptions extends Partial<LeakThresholds> {
  /** The regression window in ms (24 h by default). */
  windowMs: number;
  /** Evaluation time, unix ms; points after it are ignored. */
  now: number;
  /** The memory ceiling: the container's limit or the objective's `limit`; null when unknown. */
  limitBytes: number | null;
}

/** Which of the detector's tests passed; the verdict is derived from these. */
export interface LeakChecks {
  /** Mann–Kendall: upward trend at the `alpha` level. */
  significant: boolean;
  /** Growth over the window reaches the materiality threshold. */
  material: boolean;
  /** The recent part still grows and the growth is not one step (see `LeakThresholds`). */
  persistent: boolean;
  /** The data covers less than `fullCoverage` of the window. */
  partial: boolean;
  /** The later half of the data grows at least `steadyRatio` times as fast as the earlier half. */
  steady: boolean;
}

export interface LeakVerdict {
  verdict: LeakVerdictKind;
  /** Trend of the post-GC floor; null when there is too little data. */
  growthBytesPerHour: number | null;
  /** 1 - p-value of the trend test, 0..1. */
  confidence: number;
  /** Growth over the window as a share of the limit; null without a limit. */
  growthShareOfLimit: number | null;
  /** Seconds until the limit at the current trend; null when not growing or no limit. */
  exhaustionEtaSeconds: number | null;
  /** How many points the verdict rests on, and the span they cover. */
  points: number;
  spanMs: number;
  /** The individual tests (absent only when there was too little data to run them). */
  checks?: LeakChecks;
}
