import { ERR } from '../core/errors.js';
import type { ConfigIssue } from './config.js';
import { displayPath, expandSloPaths } from './load-slo.js';
import { windowSetIssue } from './window-set-checks.js';
import { SHIPPED_WINDOW_SETS, type WindowSet, type WindowSets, windowSetSchema } from './window-sets.js';
import { readYamlFile } from './yaml-source.js';
import { PARSE_OPTIONS, toConfigIssues } from './zod-issues.js';

/**
 * A team's own burn-rate window sets (`windowSets` in vigil.yaml: files or folders of them), one
 * set per file, validated with positions, added to the shipped sets. A name may not be taken
 * twice, shipped sets included: an objective's `burnRateWindows` must mean one thing.
 */
export async function loadWindowSets(paths: readonly string[], cwd: string): Promise<{ sets: WindowSets; issues: ConfigIssue[] }> {
  const sets: Record<string, WindowSet> = { ...SHIPPED_WINDOW_SETS };
  const origin = new Map<string, string>(Object.keys(SHIPPED_WINDOW_SETS).map((name) => [name, 'the sets shipped with vigil']));
  const expanded = await expandSloPaths(paths, cwd);
  const issues: ConfigIssue[] = expanded.issues.map((i) => ({
    ...i,
    code: i.code === ERR.VIGIL_ERR_CONFIG_NO_FILES ? ERR.VIGIL_ERR_CONFIG_WINDOW_SET : i.code,
  }));
  for (const file of expanded.files) {
    const read = await readYamlFile(file, displayPath(file, cwd));
    if (!read.ok) {
      issues.push(...read.issues);
      continue;
    }
    const parsed = windowSetSchema.safeParse(read.source.value, PARSE_OPTIONS);
    if (!parsed.success) {
      issues.push(...toConfigIssues(parsed.error.issues, { source: read.source, input: read.source.value, schema: windowSetSchema }));
      continue;
    }
    const name = parsed.data.name;
    const taken = origin.get(name);
    if (taken !== undefined) {
      issues.push(
        windowSetIssue(
          read.source,
          ['name'],
          `window set "${name}" is already defined in ${taken}; pick another name`,
          ERR.VIGIL_ERR_CONFIG_WINDOW_SET,
        ),
      );
      continue;
    }
    origin.set(name, read.source.file);
    sets[name] = parsed.data;
  }
  return { sets, issues };
}
