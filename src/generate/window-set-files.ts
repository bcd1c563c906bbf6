import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ERR, vigilError } from '../core/errors.js';
import { windowSetSchema, type WindowSet } from './window-sets.js';

/** Reads every `*.yaml` window set of a folder; the file name (without .yaml) must be the set's name. */
export async function loadWindowSets(dir: string): Promise<Map<string, WindowSet>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw vigilError(ERR.VIGIL_ERR_GENERATE_WINDOW_SET, { detail: `cannot read burn-rate window sets from ${dir}: ${(err as Error).message}` });
  }
  const sets = new Map<string, WindowSet>();
  for (const name of names) {
    const file = join(dir, name);
    const parsed = windowSetSchema.safeParse(parse(await readFile(file, 'utf8')));
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      throw vigilError(ERR.VIGIL_ERR_GENERATE_WINDOW_SET, { detail: `${file}: ${first.path.join('.') || '(root)'}: ${first.message}` });
    }
    const expected = name.replace(/\.ya?ml$/, '');
    if (parsed.data.name !== expected) {
      throw vigilError(ERR.VIGIL_ERR_GENERATE_WINDOW_SET, { detail: `${file}: name is ${parsed.data.name}; expected ${expected} (the file name)` });
    }
    sets.set(parsed.data.name, parsed.data);
  }
  return sets;
}
