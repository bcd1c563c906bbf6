import { loadSloPaths } from '../../../src/config/load-slo.js';
import type { SloFile, SloFileInput } from '../../../src/config/slo-schema.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import type { GenerateOptions } from '../../../src/generate/generate-context.js';

/** Shared test inputs: the shipped window sets and SLO documents parsed by the real schema. */

export const ROOT = new URL('../../../', import.meta.url).pathname;

export async function shippedOptions(): Promise<GenerateOptions> {
  return { windowSets: SHIPPED_WINDOW_SETS };
}

export function slo(input: SloFileInput): SloFile {
  return sloFileSchema.parse(input);
}

export async function loadSlo(paths: string[]) {
  const result = await loadSloPaths(paths, { cwd: ROOT });
  if (result.issues.length > 0)
    throw new Error(result.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.path}: ${i.message}`).join('\n'));
  return result.files;
}
