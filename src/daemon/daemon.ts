import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AlertNotifier } from '../alerting/alert-notifier.js';
import type { Config, ConfigIssue } from '../config/config.js';
import type { Env } from '../config/env.js';
import { formatIssue, loadConfig } from '../config/load-config.js';
import { configForShard, resolveShard } from '../config/shard.js';
import { waitAtMost } from '../core/bounded-async.js';
import { describeError } from '../core/describe-error.js';
import { ERR, isVigilError, type VigilError, vigilError } from '../core/errors.js';
import { deepFreeze } from '../core/freeze.js';
import type { BudgetMemo } from '../evaluate/error-budget.js';
import { evaluate, evaluationSteps } from '../evaluate/evaluate.js';
import { serviceDashboardUid } from '../generate/service-rules.js';
import { registerDaemonMetrics } from '../metrics/daemon-metrics.js';
import { createMetricsRegistry } from '../metrics/metrics-registry.js';
import { registerObjectiveMetrics } from '../metrics/objective-metrics.js';
import { ApiFront, type FeedFigures } from '../server/api-front.js';
import { buildServer, type ReloadOutcome } from '../server/build-server.js';
import { SnapshotHolder } from '../snapshot/snapshot-holder.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { Scheduler } from '../sources/scheduler.js';
import type { SourceHealth } from '../sources/source.js';
import { StorePersister } from '../store/persist.js';
import { SampleStore } from '../store/sample-store.js';
import { objectivePairs } from '../ui/burn-pairs.js';
import { HistoryRecorder } from '../ui/history-recorder.js';
import { ConfigWatcher } from './config-watcher.js';
import { createLogger } from './logger.js';
import { retentionFor } from './retention.js';

export interface DaemonOptions {
  configPath?: string | undefined;
  /** SLO files/folders replacing the config's `slo` list. */
  sloPaths?: string[] | undefined;
  env?: Env;
  cwd?: string;
  /** Overrides `listen` (tests use port 0). */
  listen?: { host?: string; port?: number };
  logger?: Logger;
  /** Watch the config and SLO files for changes (default true). */
  watch?: boolean;
  /** Host name whose ordinal (`vigil-2`) is the shard index when `shard.index` is unset (default: the machine's). */
  hostname?: string;
}

/** The config was invalid at start: nothing was started. `details.issues` lists why. */
export type DaemonConfigError = VigilError<typeof ERR.VIGIL_ERR_CONFIG_INVALID, { issues: readonly ConfigIssue[] }>;

function daemonConfigError(issues: readonly ConfigIssue[]): DaemonConfigError {
  const detail = `\n${issues.map(formatIssue).join('\n')}`;
  return vigilError(ERR.VIGIL_ERR_CONFIG_INVALID, { count: issues.length, detail }, { details: { issues } });
}

export function isDaemonConfigError(err: unknown): err is DaemonConfigError {
  return isVigilError(err, ERR.VIGIL_ERR_CONFIG_INVALID) && Array.isArray((err.details as { issues?: unknown } | undefined)?.issues);
}

/** What must finish before SIGTERM's 2 s are up: each step gets a bounded slice. */
const STOP_SCHEDULER_MS = 700;
const STOP_SIDE_MS = 400;

/**
 * `/readyz` fails, and `vigil_snapshot_stale` says 1, once the snapshot is older than this many
 * evaluation intervals (and at least `MIN_STALE_MS`, so a short GC pause never flips it).
 */
const STALE_AFTER_EVALUATIONS = 3;
const MIN_STALE_MS = 10_000;

/** Each evaluation cycle's event-loop slices are at most about this long (a service's objectives are not split). */
const EVALUATION_SLICE_MS = 5;

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** What the last published evaluation cost. */
export interface EvaluationFigures {
  /** The snapshot's time (unix ms). */
  readonly evaluatedAt: number;
  /** From the cycle's start to its snapshot being published, pauses between slices included. */
  readonly wallMs: number;
  /** Time the cycle held the event loop (its slices and the publishing). */
  readonly busyMs: number;
  /** CPU time of the process during those slices (less than `busyMs` when other processes share the cores). */
  readonly cpuMs: number;
  /** The publishing alone (one block on the event loop: holder, alerting, history). */
  readonly publishMs: number;
}

/** One running set of sources: rebuilt whole on a reload; the store outlives it. */
interface Sampling {
  scheduler: Scheduler;
}

/**
 * The daemon's wiring: config -> sources + scheduler -> store -> evaluator -> snapshot ->
 * (HTTP API, /metrics, alerting). Everything with a lifetime is started and stopped here.
 */
export class Daemon {
  private config: Config;
  private sampling: Sampling;
  private readonly holder = new SnapshotHolder();
  /** Each cycle's objective figures into the store, for the status page's history. */
  private readonly history = new HistoryRecorder();
  private readonly budgetMemo: BudgetMemo = new WeakMap();
  private readonly notifier: AlertNotifier;
  private readonly persister: StorePersister;
  private readonly watcher: ConfigWatcher;
  private evaluateTimer: NodeJS.Timeout | null = null;
  /** A sliced evaluation is under way (the timer skips a beat rather than run two). */
  private evaluating = false;
  private evaluationFigures: EvaluationFigures | null = null;
  private reloading: Promise<ReloadOutcome> = Promise.resolve({ ok: true, services: [] });
  private stopping: Promise<void> | null = null;
  /** Set once the store was loaded: only then does stopping write it. */
  private persisting = false;
  /** Snapshots evaluated before this time (unix ms) are not handed to alerting. */
  private alertsFrom = Number.POSITIVE_INFINITY;
  private address = '';

  private constructor(
    private readonly options: DaemonOptions,
    config: Config,
    private readonly store: SampleStore,
    private readonly registry: Registry,
    private readonly server: ReturnType<typeof buildServer>,
    /** The API front thread that listens in place of `server`; null: `server` listens itself. */
    private readonly front: ApiFront | null,
    readonly logger: Logger,
  ) {
    this.config = config;
    this.sampling = this.startSampling(config);
    this.notifier = new AlertNotifier(config, logger.child({ component: 'alerting' }), { dashboardUid: serviceDashboardUid });
    this.persister = new StorePersister({
      store,
      dataDir: resolve(config.baseDir, config.daemon.dataDir),
      intervalMs: config.daemon.store.persistInterval,
      logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
    });
    this.watcher = new ConfigWatcher(
      (path) => void this.reload(`file changed: ${path}`),
      300,
      (m) => logger.warn(m),
    );
    if (front) this.holder.subscribe((snapshot) => front.onSnapshot(snapshot));
    this.holder.subscribe((snapshot) => {
      // Before every source has had its first sample, `no_data` means "not sampled yet", not
      // "the data went missing": alerting starts after that warm-up.
      if (snapshot.evaluatedAt < this.alertsFrom) return;
      try {
        this.notifier.onSnapshot(snapshot);
      } catch (err) {
        logger.error({ err: describeError(err) }, 'alerting failed on a snapshot');
      }
    });
  }

  /** Loads the config, restores the store, starts sampling, evaluation and the HTTP server. */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    const loaded = await loadConfigFor(options);
    if (!loaded.ok) throw daemonConfigError(loaded.issues);
    const config = loaded.config;
    const logger = options.logger ?? createLogger(config.daemon.logLevel);
    if (loaded.warnings.length > 0) logger.warn({ warnings: loaded.warnings }, 'SLO files converted with warnings');
    const store = new SampleStore({ retentionMs: retentionFor(config), maxPointsPerSeries: config.daemon.store.maxPointsPerSeries });

    let daemon: Daemon | null = null;
    // The exporter's registry (sampled figures, source health, store size, process metrics);
    // the objective metrics join it in begin().
    const registry = createMetricsRegistry({ store, health: () => daemon?.health() ?? [] }).registry;
    const server = buildServer({
      getSnapshot: () => daemon?.snapshot() ?? null,
      snapshotStale: () => daemon?.snapshotStale() ?? false,
      metricsRegistry: registry,
      reload: () => daemon!.reload('POST /-/reload'),
      reloadToken: () => daemon?.config.daemon.reloadToken,
      shard: () => (daemon ? shardOf(daemon.config, options) : null),
      logger: logger.child({ component: 'http' }),
      store,
      pollSeconds: () => (daemon?.config ?? config).daemon.evaluateEvery / 1000,
      burnPairs: (service, objective) => objectivePairs(daemon?.config ?? config, service, objective),
    });
    const front =
      config.daemon.apiThread && ApiFront.available()
        ? new ApiFront({
            app: server,
            shard: () => (daemon ? shardOf(daemon.config, options) : null),
            logger: logger.child({ component: 'http' }),
          })
        : null;
    // The server reads the daemon's snapshot through the closure above.
    daemon = new Daemon(options, config, store, registry, server, front, logger);
    try {
      await daemon.begin();
    } catch (err) {
      // The port is taken, say: undo what began (timers, sources) before reporting it.
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  private async begin(): Promise<void> {
    const { logger, config } = this;
    registerObjectiveMetrics(this.registry, () => this.holder.get());
    registerDaemonMetrics(this.registry, {
      snapshotAgeSeconds: () => {
        const age = this.holder.ageMs();
        return age === null ? null : age / 1000;
      },
      snapshotStale: () => this.snapshotStale(),
      persistFailures: () => this.persister.failures,
      lastEvaluation: () => this.evaluationFigures,
    });
    // Listen first: a taken port fails before anything else starts (and before the store file
    // could be written by a daemon that never ran). Until the first evaluation /readyz says 503.
    const host = this.options.listen?.host ?? config.daemon.listen.host;
    const port = this.options.listen?.port ?? config.daemon.listen.port;
    this.address = this.front ? await this.front.listen(host, port) : await this.server.listen({ host, port });
    // A data folder that cannot take the store, or a store file that exists but cannot be read,
    // stops the start here (StoreAccessError): history is never silently replaced by an empty store.
    await this.persister.checkWritable();
    await this.persister.load();
    this.persisting = true;
    this.persister.start();
    this.sampling.scheduler.start();
    this.startAlertWarmup(config);
    this.scheduleEvaluation();
    if (this.options.watch !== false) this.watcher.watchConfig(config);
    logger.info(
      {
        url: this.address,
        services: config.services.map((s) => s.slo.service),
        sources: this.sampling.scheduler.health().map((h) => `${h.kind}/${h.name}`),
      },
      'vigil started',
    );
  }

  get url(): string {
    return this.address;
  }

  get currentConfig(): Config {
    return this.config;
  }

  get metricsRegistry(): Registry {
    return this.registry;
  }

  /** Every source's health now (instances this build cannot sample shown as down). */
  health(): SourceHealth[] {
    return this.sampling.scheduler.health();
  }

  snapshot(): Snapshot | null {
    return this.holder.get();
  }

  /** The snapshot exists but has not been replaced for a few evaluation intervals (monotonic clock). */
  snapshotStale(): boolean {
    const age = this.holder.ageMs();
    return age !== null && age > Math.max(STALE_AFTER_EVALUATIONS * this.config.daemon.evaluateEvery, MIN_STALE_MS);
  }

  /** Evaluates now, in one go, and publishes the snapshot (at start, after a reload, and for callers that need it now). */
  evaluateNow(): Snapshot | null {
    const started = performance.now();
    const cpu = process.cpuUsage();
    try {
      const now = Date.now();
      this.store.prune(now);
      const snapshot = evaluate(this.config, this.store, now, this.evaluateInputs());
      return this.publish(snapshot, started, { busyMs: performance.now() - started, cpuMs: cpuMsSince(cpu) });
    } catch (err) {
      return this.evaluationFailed(err);
    }
  }

  /** What sending the last snapshot's views to the API front thread cost; null without the front. */
  get lastApiFeed(): FeedFigures | null {
    return this.front?.lastFeed ?? null;
  }

  /** Figures of the last published evaluation: wall time from start to publish, and time it held the event loop. */
  get lastEvaluation(): EvaluationFigures | null {
    return this.evaluationFigures;
  }

  /**
   * The timer's evaluation: the same snapshot as `evaluateNow`, computed a few services at a time
   * (slices of EVALUATION_SLICE_MS, the event loop free in between), so HTTP answers and samples
   * are not held for a whole cycle of a large fleet. One cycle at a time; a cycle overtaken by a
   * reload or a stop is dropped (its snapshot would describe the old config).
   */
  private async evaluateInSlices(): Promise<void> {
    if (this.evaluating) return;
    this.evaluating = true;
    const started = performance.now();
    const spent = { busyMs: 0, cpuMs: 0 };
    const config = this.config;
    try {
      const now = Date.now();
      let sliceStart = started;
      let sliceCpu = process.cpuUsage();
      const endSlice = () => {
        spent.busyMs += performance.now() - sliceStart;
        spent.cpuMs += cpuMsSince(sliceCpu);
      };
      this.store.prune(now);
      const steps = evaluationSteps(config, this.store, now, this.evaluateInputs());
      for (;;) {
        const step = steps.next();
        if (step.done) {
          endSlice();
          if (this.config === config && !this.stopping) this.publish(step.value, started, spent, true);
          return;
        }
        // Frozen and recorded for the status page's history as each service is done, inside the
        // slices: publishing then freezes only the top (deep-freezing and recording 20 000
        // objective results at once held the event loop for tens of ms).
        deepFreeze(step.value);
        this.history.onService(this.store, now, step.value);
        if (performance.now() - sliceStart >= EVALUATION_SLICE_MS) {
          endSlice();
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.config !== config || this.stopping) return;
          sliceStart = performance.now();
          sliceCpu = process.cpuUsage();
        }
      }
    } catch (err) {
      this.evaluationFailed(err);
    } finally {
      this.evaluating = false;
    }
  }

  private evaluateInputs() {
    return { sources: this.sampling.scheduler.health(), budgetMemo: this.budgetMemo };
  }

  /**
   * `spent`: what the evaluation cost before publishing (publishing adds its own). `recorded`:
   * the history has each service's figures already (the sliced cycle hands them over per step).
   */
  private publish(snapshot: Snapshot, started: number, spent: { busyMs: number; cpuMs: number }, recorded = false): Snapshot | null {
    const publishing = performance.now();
    const cpu = process.cpuUsage();
    this.holder.publish(snapshot);
    // The status page's charts read each cycle's figures back from the store.
    if (recorded) this.history.endCycle(snapshot.evaluatedAt);
    else this.history.onSnapshot(this.store, snapshot);
    const done = performance.now();
    const figures = {
      evaluatedAt: snapshot.evaluatedAt,
      wallMs: done - started,
      busyMs: spent.busyMs + (done - publishing),
      cpuMs: spent.cpuMs + cpuMsSince(cpu),
      publishMs: done - publishing,
    };
    this.evaluationFigures = figures;
    if (figures.busyMs > 50) this.logger.debug({ ms: Math.round(figures.wallMs), busyMs: Math.round(figures.busyMs) }, 'slow evaluation');
    return this.holder.get();
  }

  private evaluationFailed(err: unknown): null {
    // The previous snapshot stays: readers keep a whole answer, if an older one.
    this.logger.error({ err: describeError(err) }, 'evaluation failed');
    return null;
  }

  /**
   * Loads the config again. Invalid: the issues are logged and returned, the running config stays.
   * Valid: sources and scheduler are rebuilt with the new config, the store (history) is kept.
   * Reloads run one at a time.
   */
  reload(reason: string): Promise<ReloadOutcome> {
    this.reloading = this.reloading
      .then(() => this.reloadNow(reason))
      .catch((err: unknown) => {
        this.logger.error({ err: describeError(err) }, 'reload failed');
        return {
          ok: false as const,
          issues: [
            { file: this.config.configPath ?? '', line: 0, column: 0, path: '', message: describeError(err), code: ERR.VIGIL_ERR_RELOAD },
          ],
        };
      });
    return this.reloading;
  }

  private async reloadNow(reason: string): Promise<ReloadOutcome> {
    if (this.stopping) return { ok: false, issues: [] };
    const loaded = await loadConfigFor(this.options);
    if (!loaded.ok) {
      this.logger.error(
        { reason, issues: loaded.issues.map((i) => formatIssue(i)) },
        'reload rejected: the new config is invalid; the running config is kept',
      );
      return { ok: false, issues: loaded.issues };
    }
    const next = loaded.config;
    if (loaded.warnings.length > 0) this.logger.warn({ warnings: loaded.warnings }, 'SLO files converted with warnings');
    // Build the new sources before touching the running ones: if that fails, nothing changed.
    let sampling: Sampling;
    try {
      sampling = this.startSampling(next);
    } catch (err) {
      const message = describeError(err);
      this.logger.error({ reason, err: message }, 'reload rejected: the sources could not be created; the running config is kept');
      return {
        ok: false,
        issues: [{ file: next.configPath ?? '', line: 0, column: 0, path: 'sources', message, code: ERR.VIGIL_ERR_RELOAD_SOURCES }],
      };
    }
    await this.sampling.scheduler.close();
    this.config = next;
    this.store.setRetention(retentionFor(next));
    this.sampling = sampling;
    this.sampling.scheduler.start();
    this.notifier.reconfigure(next);
    if (this.options.watch !== false) this.watcher.watchConfig(next);
    this.scheduleEvaluation();
    const services = next.services.map((s) => s.slo.service);
    const listen = next.daemon.listen;
    if (!this.options.listen && !this.address.endsWith(`:${listen.port}`)) {
      this.logger.warn('the listen address changed: it takes effect at the next start');
    }
    this.logger.info({ reason, services }, 'config reloaded');
    return { ok: true, services };
  }

  private startSampling(config: Config): Sampling {
    const scheduler = Scheduler.fromConfig(config, {
      store: this.store,
      stopTimeoutMs: STOP_SCHEDULER_MS,
      logger: { debug: (m) => this.logger.debug(m), info: (m) => this.logger.info(m), warn: (m) => this.logger.warn(m) },
    });
    return { scheduler };
  }

  /**
   * At start, alerting waits one interval of the slowest source plus its timeout (at most 2 min).
   * Not on reload: the store already holds data, and the tracker's firing state carries over.
   */
  private startAlertWarmup(config: Config): void {
    let longest = 0;
    for (const instance of config.sources) longest = Math.max(longest, instance.intervalMs + instance.timeoutMs);
    this.alertsFrom = Date.now() + Math.min(longest, 120_000);
  }

  private scheduleEvaluation(): void {
    if (this.evaluateTimer) clearInterval(this.evaluateTimer);
    this.evaluateNow();
    this.evaluateTimer = setInterval(() => void this.evaluateInSlices(), this.config.daemon.evaluateEvery);
  }

  /** Stops within 2 s: sampling first, then the store is written, then the rest. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    const started = performance.now();
    this.watcher.close();
    if (this.evaluateTimer) clearInterval(this.evaluateTimer);
    this.evaluateTimer = null;
    const closing = waitAtMost(
      (async () => {
        await this.front?.close();
        await this.server.close();
      })(),
      STOP_SIDE_MS + STOP_SCHEDULER_MS,
    );
    await this.sampling.scheduler.stop();
    if (this.persisting) {
      try {
        const saved = await this.persister.stop();
        this.logger.info({ series: saved.series, points: saved.points, ms: Math.round(saved.ms) }, 'store written');
      } catch (err) {
        this.logger.error({ err: describeError(err) }, 'store: final snapshot failed');
      }
    }
    await Promise.all([waitAtMost(this.sampling.scheduler.close(), STOP_SIDE_MS), waitAtMost(this.notifier.stop(), STOP_SIDE_MS), closing]);
    this.logger.info({ ms: Math.round(performance.now() - started) }, 'vigil stopped');
  }
}

/**
 * The config as the daemon's options name it (at start and on every reload), narrowed to the
 * services this shard owns when `shard` is set.
 */
async function loadConfigFor(options: DaemonOptions): ReturnType<typeof loadConfig> {
  const loaded = await loadConfig({
    configPath: options.configPath,
    sloPaths: options.sloPaths,
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (!loaded.ok) return loaded;
  try {
    return { ...loaded, config: configForShard(loaded.config, shardOf(loaded.config, options)) };
  } catch (err) {
    const issue: ConfigIssue = {
      file: loaded.config.configPath ?? '',
      line: 0,
      column: 0,
      path: 'shard.index',
      message: describeError(err),
      code: ERR.VIGIL_ERR_CONFIG_SHARD,
    };
    return { ok: false, issues: [issue], warnings: loaded.warnings };
  }
}

function shardOf(config: Config, options: DaemonOptions): ReturnType<typeof resolveShard> {
  return resolveShard(config.daemon.shard, options.hostname ?? hostname());
}
