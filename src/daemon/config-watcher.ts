import { type FSWatcher, statSync, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/config.js';

/**
 * The file a watch event is about. A folder's watch names the entry inside it; a file's watch
 * names the file itself (its basename), which must not be joined onto the file's own path
 * (that logged `vigil.yaml/vigil.yaml`).
 */
export function changedPath(watched: string, isFolder: boolean, file: string | Buffer | null): string {
  if (!file || !isFolder) return watched;
  return resolve(watched, String(file));
}

/**
 * Watches the config file and the SLO files/folders and calls `onChange` once per burst of
 * changes (editors write a file in several steps: truncate, write, rename). Folders are watched
 * as a whole, so a new SLO file in a watched folder triggers a reload too.
 */
export class ConfigWatcher {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onChange: (path: string) => void,
    private readonly debounceMs = 300,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Watches what `config` was loaded from, replacing earlier watches. */
  watchConfig(config: Config): void {
    this.close();
    const paths = new Set<string>();
    if (config.configPath) paths.add(config.configPath);
    for (const p of config.daemon.slo) paths.add(resolve(config.baseDir, p));
    // A team's burn-rate window sets are config too: editing one changes alerts, API and queries.
    for (const p of config.daemon.windowSets) paths.add(resolve(config.baseDir, p));
    // Each loaded file's folder too: an atomic save (write temp, rename) replaces the inode a
    // file watch follows, and the folder's watch still sees it.
    for (const f of config.services) paths.add(dirname(f.path));
    for (const path of paths) this.watchPath(path);
  }

  private watchPath(path: string): void {
    try {
      const isFolder = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
      const w = watch(path, { persistent: false }, (_event, file) => this.changed(changedPath(path, isFolder, file)));
      w.on('error', (err) => this.warn(`watching ${path} failed: ${err.message}`));
      this.watchers.push(w);
    } catch (err) {
      this.warn(`cannot watch ${path}: ${(err as Error).message}`);
    }
  }

  private changed(path: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onChange(path);
    }, this.debounceMs);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
