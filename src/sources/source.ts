import type { SourceKind } from '../config/daemon-schema.js';
import type { Labels, Point } from '../store/point.js';

/**
 * The contract every source keeps. A source samples one real system and returns points;
 * it never throws out of `sample()` into the scheduler's caller: the scheduler catches,
 * marks the source down, records the error and retries on the schedule with backoff.
 */

export interface SampleResult {
  readonly points: readonly Point[];
  /**
   * Series that ended since the last sample (a container that stopped or was replaced):
   * the store stops following them and /metrics drops them.
   */
  readonly ended?: ReadonlyArray<{ metric: string; labels: Labels }>;
}

export interface SourceHealth {
  readonly kind: SourceKind;
  readonly name: string;
  readonly up: boolean;
  /** Unix ms of the last successful sample, null before the first. */
  readonly lastSuccess: number | null;
  readonly lastError: string | null;
  readonly consecutiveFailures: number;
  /** Wall time of the last sample in ms. */
  readonly lastDurationMs: number | null;
}

export interface Source {
  readonly kind: SourceKind;
  /** Instance name from the daemon config (`default`, `cache`, ...). */
  readonly name: string;
  /** Takes one sample. May throw or reject: the scheduler records it as a failure. */
  sample(signal: AbortSignal): Promise<SampleResult>;
  close(): Promise<void>;
}
