import type { SoakResult } from './report-schema.js';

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

/**
 * How the leak detector's verdict reads: growth per hour and minute, and the time to the limit
 * (one wording for the no-leak check, the soak's progress line and the text report).
 */
export function describeLeak(leak: SoakResult['leak']): string {
  if (!leak) return 'no memory readings';
  const growth =
    leak.growthBytesPerHour === null ? '' : `, growth ${mb(leak.growthBytesPerHour)}/h (${mb(leak.growthBytesPerHour / 60)}/min)`;
  const eta = leak.exhaustionEtaSeconds === null ? '' : `, limit reached in ${(leak.exhaustionEtaSeconds / 3600).toFixed(1)} h`;
  return `${leak.verdict}${growth}${eta} (confidence ${(leak.confidence * 100).toFixed(1)}%, ${leak.points} readings)`;
}
