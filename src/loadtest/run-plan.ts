import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Config, ConfigIssue, LoadedSloFile } from '../config/config.js';
import { formatIssue } from '../config/issue-format.js';
import { loadConfig } from '../config/load-config.js';
import { loadSloPaths } from '../config/load-slo.js';
import { ERR, type VigilError, vigilError } from '../core/errors.js';
import { fromWire } from '../core/wire-keys.js';
import type { ArrivalProcess } from './arrivals.js';
import type { LoadSpec, TrafficKind } from './load-sender.js';
import { assertLoopback } from './loopback-guard.js';
import type { CorpusSpec, LoadProfile } from './profile-schema.js';
import { toPhases } from './profile-schema.js';
import { expectedRequests, type Slice, slices, totalDurationMs } from './rate-curve.js';
import { type SoakCheckpointFile, soakCheckpointFileSchema } from './report-schema.js';
import { implicitScrapeConfig } from './vigil-watch.js';

/**
 * Step 1 of a load test: from the caller's options to a complete, typed plan. Every default of a
 * run is filled in here and nowhere else, so the later steps read values, never options.
 */

export interface StressOptions {
  startRate: number;
  /** Each step's rate is the previous one times this. */
  factor: number;
  maxRate: number;
  stepMs: number;
  /** The run passes when at least this rate held (default: the first step). */
  minRate?: number;
}

export interface SoakOptions {
  durationMs: number;
  /** How often the run is summarised, judged for leaks and written to `checkpointFile`. */
  checkpointMs?: number;
  /** How often the target's memory is read. */
  memoryEveryMs?: number;
  /** Load at the same rate before the soak, not measured: start-up growth is not a leak. At least this long. */
  warmupMs?: number;
  /** The warm-up goes on while the target's memory still rises, up to this long in all. */
  maxWarmupMs?: number;
  /** Memory has settled when the leak detector calls this last stretch of the warm-up `ok`. */
  settleWindowMs?: number;
  /** The target's memory limit (for the leak detector's materiality and the time to exhaustion). */
  limitBytes?: number | null;
  /** Each checkpoint is written here (replaced whole), so a killed run keeps what it measured. */
  checkpointFile?: string | null;
  /**
   * Continue an interrupted soak from this checkpoint file: the rest of the planned duration is
   * sent, and the leak verdict covers the whole soak. Checkpoints go on being written to it
   * unless `checkpointFile` names another file.
   */
  resumeFrom?: string;
}

export interface LoadtestOptions {
  /** The target: a base URL with a profile, else the one URL every request goes to. */
  url: string;
  /** Constant rate mode (also with a profile: its mix and corpus at this rate). */
  rate?: number;
  durationMs?: number;
  profile?: { profile: LoadProfile; path: string };
  stress?: StressOptions;
  /** A long steady run at `rate` with checkpoints and the target's memory judged for leaks. */
  soak?: SoakOptions;
  /** Single-URL mode: method and body (with `{{task}}`). */
  method?: TrafficKind['method'];
  body?: unknown;
  sloPaths?: string[];
  configPath?: string;
  allowRemote?: boolean;
  timeoutS?: number;
  /** Error ratio (5xx + no answer) above which the run fails. */
  maxErrorRatio?: number;
  /** Share of the asked rate that must be answered for the rate to count as sustained. */
  minThroughputShare?: number;
  progress?: boolean;
  cwd?: string;
  /** Watch with vigil's sources and evaluator during the run (default true). */
  watch?: boolean;
  /** Open model: evenly spaced arrivals (default) or Poisson arrivals at the same mean rate. */
  arrivals?: ArrivalProcess;
  /** Seed of the Poisson arrivals. */
  seed?: number;
  /** Closed model (as wrk): this many connections, each sending when its last answer came; no rate. */
  connections?: number;
  /** Open model: at most this many connections (requests beyond them wait, and their wait counts). */
  maxConnections?: number;
  /**
   * Worker threads that send the load; 'auto' (the default) chooses from a short calibration of
   * one sender against the planned peak rate, and adds one when the generator falls behind.
   */
  workers?: number | 'auto';
}

/** The defaults of a run, in one place (the CLI shows them in its help). */
export const LOADTEST_DEFAULTS = Object.freeze({
  durationMs: 60_000,
  timeoutS: 10,
  maxErrorRatio: 0.01,
  minThroughputShare: 0.95,
  arrivals: 'uniform' as ArrivalProcess,
  seed: 1,
  maxConnections: 512,
  workers: 'auto' as number | 'auto',
  corpus: Object.freeze({ distinct: 5000, hotSet: 50, hotShare: 0.7, seed: 42 }) satisfies CorpusSpec,
});

/** What the run does over time: one constant rate, a profile's curve, or stress steps. */
export type RunShape =
  | {
      readonly mode: 'constant';
      readonly rate: number;
      readonly durationMs: number;
      readonly slices: readonly Slice[];
      readonly requested: number;
    }
  | { readonly mode: 'profile'; readonly durationMs: number; readonly slices: readonly Slice[]; readonly requested: number }
  | { readonly mode: 'stress'; readonly stress: Readonly<Required<StressOptions>> }
  | { readonly mode: 'closed'; readonly connections: number; readonly durationMs: number }
  | {
      readonly mode: 'soak';
      readonly rate: number;
      /** What this run sends: the whole soak, or what is left of it when resuming. */
      readonly durationMs: number;
      /** The whole soak, resumed parts included: the leak detector's window. */
      readonly plannedMs: number;
      /** The interrupted run this one continues; null for a fresh soak. */
      readonly resume: SoakCheckpointFile | null;
      readonly requested: number;
      readonly checkpointMs: number;
      readonly memoryEveryMs: number;
      readonly warmupMs: number;
      readonly maxWarmupMs: number;
      readonly settleWindowMs: number;
      readonly limitBytes: number | null;
      readonly checkpointFile: string | null;
    };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * A soak's checkpoints (a twelfth of the run, 10 s to 10 min), memory reads (240 per run, 1 s to
 * 1 min) and unmeasured warm-up before it: at least a twelfth of the run (at most 10 min), then on
 * until the target's memory has settled — judged as the soak will judge it, over the last
 * run-length (1 to 30 min) of the warm-up — up to twice the run's length (2 min to 1 h). A
 * service's heap grows for minutes after it starts taking load, which is not a leak; a leak never
 * settles, so its warm-up runs to the maximum and the soak judges it anyway. A resumed soak
 * sends what is left of the planned duration, with no warm-up: the target was under this load
 * until the interruption (give `warmupMs` if it was restarted since).
 */
function soakShape(rate: number, soak: SoakOptions, resume: SoakCheckpointFile | null): RunShape {
  const plannedMs = soak.durationMs;
  const doneMs = resume ? resume.soak.doneS * 1000 : 0;
  const durationMs = Math.max(0, plannedMs - doneMs);
  const warmupMs = soak.warmupMs ?? (resume ? 0 : clamp(plannedMs / 12, 0, 600_000));
  return {
    mode: 'soak',
    rate,
    durationMs,
    plannedMs,
    resume,
    requested: (rate * durationMs) / 1000,
    checkpointMs: soak.checkpointMs ?? clamp(plannedMs / 12, 10_000, 600_000),
    memoryEveryMs: soak.memoryEveryMs ?? clamp(plannedMs / 240, 1000, 60_000),
    warmupMs,
    maxWarmupMs: Math.max(warmupMs, soak.maxWarmupMs ?? (resume ? 0 : clamp(2 * plannedMs, 120_000, 3_600_000))),
    settleWindowMs: soak.settleWindowMs ?? clamp(plannedMs, 60_000, 1_800_000),
    limitBytes: soak.limitBytes ?? null,
    checkpointFile: soak.checkpointFile ?? soak.resumeFrom ?? null,
  };
}

/** Reads the checkpoint file of an interrupted soak; refuses one of another target or rate, or a finished one. */
export function readSoakCheckpoint(file: string, expected: { target: string; rate: number; plannedMs: number }): SoakCheckpointFile {
  const refuse = (detail: string) => vigilError(ERR.VIGIL_ERR_LOADTEST_RESUME, { file, detail });
  let parsed: SoakCheckpointFile;
  try {
    // Written in wire form (snake_case keys); an older camelCase file reads as well.
    parsed = fromWire(soakCheckpointFileSchema, JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw refuse(err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err));
  }
  if (parsed.target !== expected.target) throw refuse(`it soaked ${parsed.target}, not ${expected.target}`);
  if (parsed.rate !== expected.rate) throw refuse(`it soaked at ${parsed.rate} req/s, not ${expected.rate}`);
  if (parsed.soak.plannedS * 1000 !== expected.plannedMs)
    throw refuse(`it planned ${parsed.soak.plannedS} s, not ${expected.plannedMs / 1000} s: give the same --soak`);
  if (parsed.soak.doneS * 1000 >= expected.plannedMs) throw refuse('that soak is complete');
  return parsed;
}

export interface Objectives {
  readonly files: readonly LoadedSloFile[];
  /** The config vigil watches the run with; null when there is nothing to watch. */
  readonly watchConfig: Config | null;
  readonly configLabel: string;
  /** The implicit config watches with scrape sources only. */
  readonly implicit: boolean;
}

export interface RunPlan {
  /** Origin of the target (`http://127.0.0.1:8095`). */
  readonly base: string;
  readonly kinds: readonly TrafficKind[];
  readonly corpus: LoadSpec['corpus'];
  readonly shape: RunShape;
  readonly arrivals: ArrivalProcess;
  readonly seed: number;
  readonly maxConnections: number;
  readonly workers: number | 'auto';
  /** Automatic workers never exceed this (the cores). */
  readonly maxWorkers: number;
  readonly timeoutS: number;
  readonly maxErrorRatio: number;
  readonly minShare: number;
  readonly progress: boolean;
  readonly objectives: Objectives;
}

/** What to send: the profile's mix, else the given URL (GET, or POST when a body is given). */
export function resolveKinds(options: Pick<LoadtestOptions, 'url' | 'profile' | 'method' | 'body'>): {
  base: string;
  kinds: TrafficKind[];
} {
  const url = new URL(options.url);
  const base = url.origin;
  if (options.profile) {
    return { base, kinds: options.profile.profile.requests.map((r) => ({ ...r })) };
  }
  const method = options.method ?? (options.body !== undefined ? 'POST' : 'GET');
  const path = `${url.pathname}${url.search}`;
  return { base, kinds: [{ name: `${method} ${url.pathname}`, method, path, weight: 1, body: options.body }] };
}

/** The run's shape from the options; a usage error when they ask for none. */
export function runShape(
  options: Pick<LoadtestOptions, 'rate' | 'durationMs' | 'profile' | 'stress' | 'connections' | 'soak'> &
    Partial<Pick<LoadtestOptions, 'url'>>,
): RunShape {
  if (options.soak) {
    if (options.rate === undefined) throw vigilError(ERR.VIGIL_ERR_LOADTEST_USAGE, { detail: 'a soak needs a rate: --soak D --rate R' });
    const { soak } = options;
    const resume = soak.resumeFrom
      ? readSoakCheckpoint(soak.resumeFrom, {
          target: options.url ? new URL(options.url).origin : '',
          rate: options.rate,
          plannedMs: soak.durationMs,
        })
      : null;
    return soakShape(options.rate, soak, resume);
  }
  if (options.stress) {
    const s = options.stress;
    return { mode: 'stress', stress: { ...s, minRate: s.minRate ?? s.startRate } };
  }
  if (options.rate !== undefined) {
    const durationMs = options.durationMs ?? LOADTEST_DEFAULTS.durationMs;
    const phases = [{ name: 'constant', durationMs, shape: { kind: 'constant', rate: options.rate } as const }];
    return { mode: 'constant', rate: options.rate, durationMs, slices: slices(phases, durationMs), requested: expectedRequests(phases) };
  }
  if (options.profile) {
    const phases = toPhases(options.profile.profile.phases);
    const slice = options.profile.profile.slice;
    return { mode: 'profile', durationMs: totalDurationMs(phases), slices: slices(phases, slice), requested: expectedRequests(phases) };
  }
  if (options.connections !== undefined) {
    return { mode: 'closed', connections: options.connections, durationMs: options.durationMs ?? LOADTEST_DEFAULTS.durationMs };
  }
  throw vigilError(ERR.VIGIL_ERR_LOADTEST_USAGE, {
    detail: 'give a rate (--rate R [--duration D]), --connections N (closed model), --stress, or --profile file.yaml',
  });
}

function invalidConfig(issues: readonly ConfigIssue[]): VigilError {
  return vigilError(ERR.VIGIL_ERR_CONFIG_INVALID, { count: issues.length, detail: `\n${issues.map(formatIssue).join('\n')}` });
}

async function loadObjectives(options: LoadtestOptions, base: string): Promise<Objectives> {
  const cwd = options.cwd ?? process.cwd();
  if (options.configPath) {
    const result = await loadConfig({ configPath: options.configPath, sloPaths: options.sloPaths, cwd });
    if (!result.ok) throw invalidConfig(result.issues);
    return { files: [...result.config.services], watchConfig: result.config, configLabel: options.configPath, implicit: false };
  }
  const paths = options.sloPaths ?? (existsSync(resolve(cwd, 'slo')) ? ['slo'] : []);
  if (paths.length === 0) return { files: [], watchConfig: null, configLabel: 'none', implicit: true };
  const loaded = await loadSloPaths(paths, { cwd });
  if (loaded.issues.length) throw invalidConfig(loaded.issues);
  return {
    files: loaded.files,
    watchConfig: implicitScrapeConfig(loaded.files, `${base}/metrics`, cwd),
    configLabel: `scrape ${base}/metrics (no vigil config given)`,
    implicit: true,
  };
}

function corpusFor(profile: LoadtestOptions['profile']): LoadSpec['corpus'] {
  if (!profile) return { spec: LOADTEST_DEFAULTS.corpus, extra: [] };
  const spec = profile.profile.corpus;
  if (!spec.tasksFile) return { spec, extra: [] };
  const extra = readFileSync(resolve(dirname(profile.path), spec.tasksFile), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return { spec, extra };
}

const workersOption = (w: number | 'auto'): number | 'auto' => (w === 'auto' ? w : Math.max(1, Math.floor(w)));

/** Plans a run: refuses a remote target, resolves what to send and when, loads the objectives. */
export async function planRun(options: LoadtestOptions): Promise<RunPlan> {
  assertLoopback(options.url, options.allowRemote ?? false);
  const { base, kinds } = resolveKinds(options);
  const shape = runShape(options);
  const objectives = await loadObjectives(options, base);
  return {
    base,
    kinds,
    corpus: corpusFor(options.profile),
    shape,
    arrivals: options.arrivals ?? LOADTEST_DEFAULTS.arrivals,
    seed: options.seed ?? LOADTEST_DEFAULTS.seed,
    maxConnections: options.maxConnections ?? LOADTEST_DEFAULTS.maxConnections,
    workers: workersOption(options.workers ?? LOADTEST_DEFAULTS.workers),
    maxWorkers: Math.max(1, availableParallelism()),
    timeoutS: options.timeoutS ?? LOADTEST_DEFAULTS.timeoutS,
    maxErrorRatio: options.maxErrorRatio ?? LOADTEST_DEFAULTS.maxErrorRatio,
    minShare: options.minThroughputShare ?? LOADTEST_DEFAULTS.minThroughputShare,
    progress: options.progress ?? true,
    objectives: options.watch === false ? { ...objectives, watchConfig: null } : objectives,
  };
}
