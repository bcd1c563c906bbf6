import { formatDuration } from '../units/units.js';

/**
 * The Google SRE workbook's multiwindow burn-rate windows (page: 1h/5m at 14.4x, 6h/30m at 6x;
 * ticket: 1d/2h at 3x, 3d/6h at 1x, over 30 days). The evaluator reports a burn rate for each,
 * the Prometheus source asks for the error ratio over each, and the generated rules record each,
 * so all three speak of the same windows.
 */
export const BURN_RATE_WINDOWS_MS: readonly number[] = Object.freeze([
  5 * 60_000,
  30 * 60_000,
  3_600_000,
  2 * 3_600_000,
  6 * 3_600_000,
  86_400_000,
  3 * 86_400_000,
]);

/** The same windows with their PromQL label (`5m` ... `3d`). */
export const BURN_RATE_WINDOWS: ReadonlyArray<{ readonly label: string; readonly ms: number }> = Object.freeze(
  BURN_RATE_WINDOWS_MS.map((ms) => Object.freeze({ label: formatDuration(ms), ms })),
);
