import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedFile } from './generate.js';

/**
 * The I/O edge of `vigil generate`: compare generated files with what is on disk (`--check`)
 * or write them (atomically, and only when the bytes differ, so mtimes stay put).
 */

export interface OutputFolders {
  readonly alerts: string;
  readonly dashboards: string;
}

export interface Drift {
  /** Files whose content differs or that are missing. */
  readonly outdated: string[];
  /** Generated-looking files on disk that generation no longer produces. */
  readonly stale: string[];
}

function target(folders: OutputFolders, file: GeneratedFile): string {
  return join(folders[file.folder], file.name);
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** Files vigil generate owns in a folder: `*.rules.yaml` in alerts, `*.json` in dashboards. */
async function ownedFiles(folders: OutputFolders): Promise<string[]> {
  const out: string[] = [];
  for (const [folder, pattern] of [
    [folders.alerts, /\.rules\.yaml$/],
    [folders.dashboards, /\.json$/],
  ] as const) {
    let names: string[] = [];
    try {
      names = await readdir(folder);
    } catch {
      names = [];
    }
    out.push(...names.filter((n) => pattern.test(n)).map((n) => join(folder, n)));
  }
  return out.sort();
}

export async function findDrift(files: readonly GeneratedFile[], folders: OutputFolders): Promise<Drift> {
  const outdated: string[] = [];
  const expected = new Set<string>();
  for (const file of files) {
    const path = target(folders, file);
    expected.add(path);
    if ((await readOrNull(path)) !== file.content) outdated.push(path);
  }
  const stale = (await ownedFiles(folders)).filter((p) => !expected.has(p));
  return { outdated, stale };
}

/** Writes what changed; returns the paths written. Stale files are reported, not deleted. */
export async function writeOutputs(files: readonly GeneratedFile[], folders: OutputFolders): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const path = target(folders, file);
    if ((await readOrNull(path)) === file.content) continue;
    await mkdir(folders[file.folder], { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, file.content);
    await rename(tmp, path);
    written.push(path);
  }
  return written;
}
