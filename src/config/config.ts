import type { VigilErrorCode } from '../core/errors.js';
import type { DaemonConfig, SourceKind, SourceSettings } from './daemon-schema.js';
import type { Objective, SloFile } from './slo-schema.js';
import type { WindowSets } from './window-sets.js';

/** One validated SLO file and where it came from. */
export interface LoadedSloFile {
  readonly path: string;
  readonly slo: SloFile;
}

/**
 * One source instance vigil runs, with every default filled in: configured in vigil.yaml, or
 * implied by an objective whose kind runs on defaults (docker on its default socket, probe with
 * absolute URLs).
 */
export type SourceInstance = {
  [K in SourceKind]: {
    readonly kind: K;
    readonly name: string;
    /** Its settings as the schema outputs them (`timeout` in ms, defaults filled in). */
    readonly settings: SourceSettings<K>;
    /** Not in vigil.yaml: an objective names it and its kind runs without settings. */
    readonly implicit: boolean;
    /** node-cron expression: the instance's own, or the kind's default. */
    readonly schedule: string;
    /** Gap between firings of `schedule`. */
    readonly intervalMs: number;
    /** Bound on one sample. */
    readonly timeoutMs: number;
  };
}[SourceKind];

/** An objective whose `source` names no usable instance (undefined, of the wrong kind, or ambiguous). */
export interface UnresolvedSource {
  readonly kind: null;
  readonly name: string;
}

/** The instance an objective reads: the same object as its entry in `Config.sources`. */
export type ObjectiveSource = SourceInstance | UnresolvedSource;

/** An objective as the rest of vigil sees it: the validated one plus the instance it reads. */
export type ResolvedObjective = Objective & { readonly source: ObjectiveSource };

/** An SLO file whose objectives carry their resolved source. */
export interface ResolvedSloFile extends LoadedSloFile {
  readonly slo: Omit<SloFile, 'objectives'> & { objectives: ResolvedObjective[] };
}

/** The whole validated configuration; immutable once loaded, replaced whole on reload. */
export interface Config {
  /** Absolute path of vigil.yaml, or null when running on defaults. */
  readonly configPath: string | null;
  /** Folder relative paths in the daemon config resolve against. */
  readonly baseDir: string;
  readonly daemon: DaemonConfig;
  readonly services: readonly ResolvedSloFile[];
  /** Every instance to run (configured ones by kind, then implicit ones), in a stable order. */
  readonly sources: readonly SourceInstance[];
  /** Burn-rate window sets by name: the shipped ones and those named by `windowSets`. */
  readonly windowSets: WindowSets;
}

/** What `resolveConfig` starts from: the validated parts before sources are resolved. */
export type ConfigParts = Omit<Config, 'services' | 'sources'> & { readonly services: readonly LoadedSloFile[] };

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
