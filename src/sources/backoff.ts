/**
 * Exponential backoff for a failing source, as pure functions of time, so the scheduler can
 * decide on each cron tick whether to try again or skip.
 *
 * After `failures` consecutive failures the next attempt waits `interval × 2^(failures-1)`
 * from the start of the failed attempt, capped at `maxMs`. One failure waits one interval (the
 * next tick runs as usual); two wait two intervals (one tick skipped); three wait four; ...
 */

export interface BackoffPolicy {
  /** The source's schedule interval: the first step of the backoff. */
  readonly intervalMs: number;
  /** The longest wait between attempts of a failing source. */
  readonly maxMs: number;
}

/** Absolute cap: a source that is down is still tried at least every 5 minutes. */
export const DEFAULT_MAX_BACKOFF_MS = 5 * 60_000;

/**
 * The cap relative to the source's interval: a failing source is tried at least every 4
 * intervals, so a restored dependency is seen within about 4 intervals (4 s for a 1 s schedule,
 * 1 min for the default 15 s) rather than after minutes. Backing off still spares a dependency
 * that is down 3 in 4 attempts.
 */
export const BACKOFF_CAP_INTERVALS = 4;

/** The longest wait between attempts of a failing source on this interval. */
export function backoffCapMs(intervalMs: number): number {
  return Math.min(DEFAULT_MAX_BACKOFF_MS, Math.max(intervalMs, BACKOFF_CAP_INTERVALS * intervalMs));
}

export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  if (failures <= 0) return 0;
  // Bounded exponent: 2^30 intervals is far beyond any cap and keeps the number finite.
  const steps = Math.min(failures - 1, 30);
  return Math.min(policy.intervalMs * 2 ** steps, Math.max(policy.maxMs, policy.intervalMs));
}

/**
 * Whether a tick at `now` may attempt the source. Ticks are not exact (cron slots, jitter), so
 * an attempt is allowed once half an interval short of the computed time: otherwise a tick that
 * fires a few ms "early" would be skipped and the real wait would double.
 */
export function mayAttempt(now: number, lastAttemptStart: number | null, failures: number, policy: BackoffPolicy): boolean {
  if (failures <= 0 || lastAttemptStart === null) return true;
  const due = lastAttemptStart + backoffDelay(failures, policy);
  return now >= due - policy.intervalMs / 2;
}
