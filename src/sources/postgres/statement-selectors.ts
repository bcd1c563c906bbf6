import type { LoadedSloFile } from '../../config/config.js';

/** One (match, database) pair from the objectives; either part may be absent. */
export interface StatementSelector {
  readonly match: string | null;
  readonly database: string | null;
}

/** The `selector` label: `<match>|<database>` with an empty string for a missing part. */
export function selectorLabel(selector: StatementSelector): string {
  return `${selector.match ?? ''}|${selector.database ?? ''}`;
}

/** Every distinct selector of the `postgresQueryLatency` objectives that use source `name`. */
export function statementSelectors(name: string, files: readonly LoadedSloFile[]): StatementSelector[] {
  const seen = new Map<string, StatementSelector>();
  for (const file of files) {
    for (const objective of file.slo.objectives) {
      if (!('postgresQueryLatency' in objective.indicator)) continue;
      const ind = objective.indicator.postgresQueryLatency;
      if (ind.source !== name) continue;
      const selector = { match: ind.match ?? null, database: ind.database ?? null };
      seen.set(selectorLabel(selector), selector);
    }
  }
  return [...seen.values()];
}
