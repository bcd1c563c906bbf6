import cron, { type ScheduledTask } from 'node-cron';
import type { Config, SourceInstance } from '../config/config.js';
import { cronIntervalMs } from '../config/cron-interval.js';
import { describeError } from '../core/describe-error.js';
import type { SampleStore } from '../store/sample-store.js';
import { createSources, type InstanceFilter } from './create-sources.js';
import { HealthTransitions } from './health-transitions.js';
import type { Source, SourceHealth } from './source.js';
import { type RunOutcome, type SampleEvent, type SampleListener, SourceRunner } from './source-runner.js';

export type { RunOutcome, SampleEvent, SampleListener } from './source-runner.js';

/**
 * How one source is scheduled: a resolved instance of the config is one. `intervalMs` is worked
 * out from the schedule when left out (sources added by hand, in tests and tools).
 */
export type SourceSchedule = Pick<SourceInstance, 'schedule' | 'timeoutMs'> & {
  readonly intervalMs?: number;
  readonly maxBackoffMs?: number;
};

export interface SchedulerLogger {
  debug(message: string): void;
  /** A source came back (once per recovery); warn is used when absent. */
  info?(message: string): void;
  warn(message: string): void;
}

export interface SchedulerOptions {
  readonly store: SampleStore;
  readonly logger?: SchedulerLogger;
  /** How long `stop()` waits for runs in flight before aborting them. */
  readonly stopTimeoutMs?: number;
  /** Injected for tests. */
  readonly random?: () => number;
  readonly now?: () => number;
}

/** Jitter is at most this share of the interval, and at most `MAX_JITTER_MS`. */
const JITTER_SHARE = 0.1;
const MAX_JITTER_MS = 1_000;

/** Jitter for one tick: uniform in [0, min(10 % of the interval, 1 s)). */
export function jitterMs(intervalMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(intervalMs * JITTER_SHARE, MAX_JITTER_MS));
}

interface Entry {
  readonly runner: SourceRunner;
  readonly schedule: SourceSchedule;
  readonly intervalMs: number;
  task: ScheduledTask | null;
  jitterTimer: NodeJS.Timeout | null;
  /** Up/down as last logged, so each transition is logged once. */
  readonly transitions: HealthTransitions;
}

/**
 * One node-cron job per source instance. Each tick waits a small random jitter (so sources on
 * the same schedule do not hit the network together), then runs the source through its
 * `SourceRunner`: no overlap, timeout, backoff, health, store writes.
 */
export class Scheduler {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<SampleListener>();
  private readonly random: () => number;
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: SchedulerOptions) {
    this.random = options.random ?? Math.random;
  }

  /**
   * A scheduler over the config's source instances that `include` keeps (all by default): it
   * builds only those sources, each scheduled as its instance says, and closes them in `close()`.
   */
  static fromConfig(config: Config, options: SchedulerOptions, include?: InstanceFilter): Scheduler {
    const scheduler = new Scheduler(options);
    for (const { source, instance } of createSources(config, include)) scheduler.add(source, instance);
    return scheduler;
  }

  add(source: Source, schedule: SourceSchedule): void {
    if (this.started) throw new Error('add sources before start()');
    const intervalMs = schedule.intervalMs ?? cronIntervalMs(schedule.schedule);
    const runner = new SourceRunner(source, this.options.store, {
      timeoutMs: schedule.timeoutMs,
      intervalMs,
      ...(schedule.maxBackoffMs !== undefined ? { maxBackoffMs: schedule.maxBackoffMs } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
      onSample: (event) => this.emit(event),
      warn: (message) => this.options.logger?.warn(message),
    });
    this.entries.push({ runner, schedule, intervalMs, task: null, jitterTimer: null, transitions: new HealthTransitions() });
  }

  /** Calls `listener` after every successful sample of any source; returns the unsubscribe. */
  onSample(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const logger = this.cronLogger();
    for (const entry of this.entries) {
      const { source } = entry.runner;
      entry.task = cron.schedule(entry.schedule.schedule, () => this.tick(entry), {
        name: `vigil-${source.kind}-${source.name}`,
        // Our own guard (SourceRunner) prevents overlap and keeps the health; node-cron's would not.
        noOverlap: false,
        logger,
      });
    }
  }

  /**
   * Samples every source once, concurrently, each with its timeout, ignoring backoff
   * (`vigil check`). Resolves with the health of every source afterwards; never rejects.
   */
  async runOnce(): Promise<SourceHealth[]> {
    await Promise.all(this.entries.map((e) => e.runner.run(true)));
    return this.health();
  }

  health(): SourceHealth[] {
    return this.entries.map((e) => e.runner.health());
  }

  /**
   * Stops the cron jobs, then waits for runs in flight up to `stopTimeoutMs` (default 5 s);
   * runs still going after that are aborted. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  /** `stop()`, then closes every source (each bounded, errors logged). */
  async close(): Promise<void> {
    await this.stop();
    await Promise.all(
      this.entries.map(async ({ runner: { source } }) => {
        try {
          await withBound(
            Promise.resolve().then(() => source.close()),
            this.options.stopTimeoutMs ?? 5_000,
          );
        } catch (err) {
          this.options.logger?.warn(`closing ${source.kind}/${source.name} failed: ${describeError(err)}`);
        }
      }),
    );
  }

  private async stopNow(): Promise<void> {
    for (const entry of this.entries) {
      if (entry.jitterTimer) clearTimeout(entry.jitterTimer);
      entry.jitterTimer = null;
      const task = entry.task;
      entry.task = null;
      if (task) {
        try {
          await task.destroy();
        } catch (err) {
          this.options.logger?.warn(`stopping the cron job failed: ${describeError(err)}`);
        }
      }
    }
    const idle = Promise.all(this.entries.map((e) => e.runner.idle()));
    try {
      await withBound(idle, this.options.stopTimeoutMs ?? 5_000);
    } catch {
      for (const entry of this.entries) {
        if (entry.runner.busy) {
          this.options.logger?.warn(`${entry.runner.source.kind}/${entry.runner.source.name} still sampling at shutdown: aborted`);
          entry.runner.abort(new Error('scheduler stopped'));
        }
      }
    }
  }

  private tick(entry: Entry): void {
    if (this.stopping || entry.jitterTimer) return;
    const delay = jitterMs(entry.intervalMs, this.random);
    entry.jitterTimer = setTimeout(() => {
      entry.jitterTimer = null;
      if (this.stopping) return;
      void entry.runner.run().then((outcome) => this.logOutcome(entry, outcome));
    }, delay);
  }

  private logOutcome(entry: Entry, outcome: RunOutcome): void {
    const { source } = entry.runner;
    const health = entry.runner.health();
    const logger = this.options.logger;
    if (!logger) return;
    const name = `${source.kind}/${source.name}`;
    const change = entry.transitions.record(outcome, health, performance.now());
    if (change?.to === 'down') {
      logger.warn(`${name} down: ${health.lastError}`);
    } else if (change?.to === 'up') {
      (logger.info ?? logger.warn).call(
        logger,
        `${name} up again after ${change.failures} failed sample(s), ${(change.downMs / 1000).toFixed(1)} s down`,
      );
    } else if (outcome === 'failed') {
      logger.debug(`${name} still down (${health.consecutiveFailures} in a row): ${health.lastError}`);
    } else if (outcome === 'skipped-overlap') {
      logger.debug(`${name}: previous sample still running, tick skipped`);
    } else if (outcome === 'skipped-backoff') {
      logger.debug(`${name}: backing off after ${health.consecutiveFailures} failures`);
    }
  }

  private emit(event: SampleEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.options.logger?.warn(`sample listener failed: ${describeError(err)}`);
      }
    }
  }

  /** node-cron logs to the console by default; route it to ours (missed ticks are debug noise under load). */
  private cronLogger() {
    const logger = this.options.logger;
    const text = (m: string | Error) => (m instanceof Error ? m.message : m);
    return {
      info: (m: string) => logger?.debug(m),
      warn: (m: string) => logger?.debug(m),
      error: (m: string | Error) => logger?.warn(text(m)),
      debug: (m: string | Error) => logger?.debug(text(m)),
    };
  }
}

/** Resolves with `promise`, or rejects once `ms` have passed; the timer never outlives it. */
function withBound<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}
