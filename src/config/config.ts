import type { VigilErrorCode } from '../core/errors.js';
import type { DaemonConfig } from './daemon-schema.js';
import type { SloFile } from './slo-schema.js';
import type { WindowSets } from './window-sets.js';

/** One validated SLO file and where it came from. */
export interface LoadedSloFile {
  readonly path: string;
  readonly slo: SloFile;
}

/** The whole validated configuration; immutable once loaded, replaced whole on reload. */
export interface Config {
  /** Absolute path of vigil.yaml, or null when running on defaults. */
  readonly configPath: string | null;
  /** Folder relative paths in the daemon config resolve against. */
  readonly baseDir: string;
  readonly daemon: DaemonConfig;
  readonly services: readonly LoadedSloFile[];
  /** Burn-rate window sets by name: the shipped ones and those named by `windowSets`. */
  readonly windowSets: WindowSets;
}

/** A config error with its position: `file:line:col path: message`. */
export interface ConfigIssue {
  readonly file: string;
  /** 1-based; 0 when the error has no position (unreadable file). */
  readonly line: number;
  readonly column: number;
  /** Field path like `objectives[2].threshold.max`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  /** Stable code from the error catalogue (docs/errors.md), such as ERR.VIGIL_ERR_CONFIG_UNKNOWN_KEY. */
  readonly code: VigilErrorCode;
}
