import { ERR, type VigilErrorCode } from '../core/errors.js';
import type { ConfigIssue } from './config.js';
import { formatPath } from './issue-format.js';
import type { SloFile } from './slo-schema.js';
import { type WindowSets, windowSetMisfit, windowSetName } from './window-sets.js';
import type { PathSegment, YamlSource } from './yaml-source.js';

/**
 * Every objective with a target must name a known window set (or take the default for its period),
 * and that set must fit the period. Issues point at `alert.burnRateWindows` when the objective
 * names the set, else at its `period`.
 */
export function checkWindowSetUse(slo: SloFile, source: YamlSource, sets: WindowSets): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  slo.objectives.forEach((objective, index) => {
    if (objective.target === undefined) return;
    const named = objective.alert.burnRateWindows !== undefined;
    const at: PathSegment[] = named ? ['objectives', index, 'alert', 'burnRateWindows'] : ['objectives', index, 'period'];
    const name = windowSetName(objective);
    const set = sets[name];
    if (set === undefined) {
      const known = Object.keys(sets).sort().join(', ');
      issues.push(
        windowSetIssue(
          source,
          at,
          `unknown burn-rate window set "${name}" (known: ${known}; add your own with windowSets in vigil.yaml)`,
          ERR.VIGIL_ERR_CONFIG_WINDOW_SET,
        ),
      );
      return;
    }
    const misfit = windowSetMisfit(set, objective.period);
    if (misfit === null) return;
    const fitting = Object.values(sets)
      .filter((s) => windowSetMisfit(s, objective.period) === null)
      .map((s) => s.name)
      .sort();
    const advice =
      fitting.length > 0 ? `use one that fits (${fitting.join(', ')})` : 'write one made for this period (windowSets in vigil.yaml)';
    const chosen = named ? '' : ' (the default for this period)';
    issues.push(windowSetIssue(source, at, `${misfit}${chosen}; ${advice}`, ERR.VIGIL_ERR_CONFIG_WINDOW_SET_PERIOD));
  });
  return issues;
}

/** An issue at `path` of `source`, positioned. */
export function windowSetIssue(source: YamlSource, path: PathSegment[], message: string, code: VigilErrorCode): ConfigIssue {
  const { line, column } = source.locate(path);
  return { file: source.file, line, column, path: formatPath(path), message, code };
}
