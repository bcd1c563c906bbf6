/**
 * The leak detector's answer for one container's memory series. The detector itself lives in
 * `detect-leak.ts` as a pure function:
 *   detectLeak(t: Float64Array (unix ms), v: Float64Array (bytes), options: LeakOptions): LeakVerdict
 */
export type LeakVerdictKind = 'leak' | 'suspected' | 'ok' | 'insufficient_data';

export interface LeakOptions {
  /** The regression window in ms (24 h by default). */
  windowMs: number;
  /** Evaluation time, unix ms; points after it are ignored. */
  now: number;
  /** The memory ceiling: the container's limit or the objective's `limit`; null when unknown. */
  limitBytes: number | null;
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
}
