import { resolve } from 'node:path';
import type { Config, ConfigIssue } from './config.js';
import type { Env } from './env.js';
import { compareIssues } from './issue-format.js';
import { loadDaemonConfig } from './load-daemon.js';
import { loadSloPaths } from './load-slo.js';
import { loadWindowSets } from './load-window-sets.js';
import { resolveConfig } from './resolve-config.js';

export { formatIssue } from './issue-format.js';

/**
 * The one entry point: daemon config and SLO files -> an immutable, resolved `Config`, or every issue
 * found in all of them (never only the first, never a thrown stack trace for bad input).
 */

export interface LoadConfigOptions {
  /** vigil.yaml; defaults plus `VIGIL_*` variables when left out. */
  readonly configPath?: string | undefined;
  /** Defaults to `process.env`. */
  readonly env?: Env;
  /** SLO files or folders; replaces the config's `slo` list when given. Relative to `cwd`. */
  readonly sloPaths?: readonly string[] | undefined;
  /** Defaults to `process.cwd()`. */
  readonly cwd?: string;
}

/** `warnings`: what converting Sloth/OpenSLO files dropped or reinterpreted; every verb shows them. */
export type LoadConfigResult =
  | { readonly ok: true; readonly config: Config; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly issues: ConfigIssue[]; readonly warnings: readonly string[] };

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadConfigResult> {
  const cwd = options.cwd ?? process.cwd();
  const daemon = await loadDaemonConfig({ configPath: options.configPath, env: options.env ?? process.env, cwd });
  if (!daemon.ok && options.sloPaths === undefined) return { ok: false, issues: daemon.issues, warnings: [] };

  // Source names are only checked against a config someone wrote: on defaults every objective
  // would fail for want of instances, which says nothing about the SLO file.
  const checkSources = daemon.ok && daemon.configPath !== null;
  const windows = await loadWindowSets(daemon.ok ? daemon.daemon.windowSets : [], cwd);
  const slo = await loadSloPaths(options.sloPaths ?? (daemon.ok ? daemon.daemon.slo : []), {
    cwd,
    windowSets: windows.sets,
    ...(checkSources ? { daemon: daemon.daemon } : {}),
  });
  const issues = [...(daemon.ok ? [] : daemon.issues), ...windows.issues, ...slo.issues];
  if (!daemon.ok || issues.length > 0) return { ok: false, issues: issues.sort(compareIssues), warnings: slo.warnings };

  const config = resolveConfig({
    configPath: daemon.configPath,
    baseDir: daemon.baseDir,
    daemon: options.sloPaths === undefined ? daemon.daemon : { ...daemon.daemon, slo: options.sloPaths.map((p) => resolve(cwd, p)) },
    services: slo.files,
    windowSets: windows.sets,
  });
  return { ok: true, config, warnings: slo.warnings };
}
