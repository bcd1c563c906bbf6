/**
 * The Google SRE workbook's multiwindow burn-rate windows (page: 1h/5m at 14.4x, 6h/30m at 6x;
 * ticket: 1d/2h at 3x, 3d/6h at 1x). Burn rates are reported for each, as data.
 */
export const BURN_RATE_WINDOWS: ReadonlyArray<{ label: string; ms: number }> = Object.freeze([
  { label: '5m', ms: 5 * 60_000 },
  { label: '30m', ms: 30 * 60_000 },
  { label: '1h', ms: 3_600_000 },
  { label: '2h', ms: 2 * 3_600_000 },
  { label: '6h', ms: 6 * 3_600_000 },
  { label: '1d', ms: 86_400_000 },
  { label: '3d', ms: 3 * 86_400_000 },
]);
