import type { Config } from '../config/config.js';
import { objectiveBurnWindows } from '../config/window-sets.js';

const DAY_MS = 86_400_000;

/**
 * How long the store keeps points: the longest span any objective reads. A threshold objective
 * reads its window; an objective with a target reads its period and the burn-rate windows of its window set (its
 * compliance rests on the history kept); a leak objective its regression window, and at least 24 h.
 * `store.maxPointsPerSeries` still caps memory whatever this says.
 */
export function retentionFor(config: Config): number {
  let longest = 15 * 60_000;
  for (const { slo } of config.services) {
    for (const o of slo.objectives) {
      longest = Math.max(longest, o.window);
      if (o.target !== undefined) {
        longest = Math.max(longest, o.period, ...objectiveBurnWindows(config.windowSets, o).map((w) => w.ms));
      }
      if ('memoryLeak' in o.indicator) longest = Math.max(longest, o.indicator.memoryLeak.window, DAY_MS);
    }
  }
  return longest;
}
