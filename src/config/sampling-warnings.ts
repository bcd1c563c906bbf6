import { historyPointsHeld } from '../store/series-buffer.js';
import { formatDuration } from '../units/units.js';
import type { Config } from './config.js';

/**
 * Configurations that validate but cannot give the figures they promise, found from the resolved
 * sources (pure: config in, sentences out):
 * - a source that samples too rarely for an objective's window: a 5-minute cron against a 5m window
 *   leaves one point per window, and a counter's delta needs two;
 * - a period longer than the store can hold for that source: `maxPointsPerSeries` raw points and
 *   the compressed history behind them, at the source's interval, is all the history compliance
 *   and the error budget can rest on.
 * Only a written daemon config is judged. Prometheus-backed objectives are judged by Prometheus over its own history: only the window rule
 * applies to them.
 */

/** At least this many samples per window: two for a delta, one more so one late sample is not a gap. */
export const MIN_SAMPLES_PER_WINDOW = 3;

export function samplingWarnings(config: Config): string[] {
  // On defaults (no vigil.yaml) there are no sources someone chose: judge only a written config.
  if (config.configPath === null) return [];
  const warnings: string[] = [];
  const maxPoints = config.daemon.store.maxPointsPerSeries;
  for (const file of config.services) {
    for (const objective of file.slo.objectives) {
      const ref = objective.source;
      if (ref.kind === null) continue;
      const intervalMs = ref.intervalMs;
      const where = `${file.path}: ${file.slo.service}/${objective.name}: source ${ref.kind}/${ref.name} samples every ${formatDuration(intervalMs)}`;
      if (intervalMs * MIN_SAMPLES_PER_WINDOW > objective.window) {
        warnings.push(
          `${where}, not well inside the objective's ${formatDuration(objective.window)} window (fewer than ${MIN_SAMPLES_PER_WINDOW} samples per window): ` +
            `sample at least every ${formatDuration(Math.floor(objective.window / MIN_SAMPLES_PER_WINDOW))} or widen the window`,
        );
      }
      const points = historyPointsHeld(maxPoints);
      const held = points * intervalMs;
      if (objective.target !== undefined && ref.kind !== 'prometheus' && held < objective.period) {
        warnings.push(
          `${where}; the store keeps ${maxPoints} raw points per series (store.maxPointsPerSeries) and about ${points - maxPoints} compressed, about ${formatDuration(held)} of history, ` +
            `shorter than the ${formatDuration(objective.period)} period: compliance and the error budget cover at most ${Math.floor((held / objective.period) * 100)}% of it ` +
            `(raise maxPointsPerSeries to ${Math.ceil(objective.period / intervalMs) - (points - maxPoints)} or sample less often)`,
        );
      }
    }
  }
  return warnings;
}
