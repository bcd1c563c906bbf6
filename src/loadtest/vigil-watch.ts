import type { Config, LoadedSloFile, SourceInstance } from '../config/config.js';
import { daemonConfigSchema, type SourceKind } from '../config/daemon-schema.js';
import { resolveConfig } from '../config/resolve-config.js';
import { indicatorKind } from '../config/slo-schema.js';
import { indicatorSourceName } from '../config/source-lookup.js';
import { SHIPPED_WINDOW_SETS } from '../config/window-sets.js';
import { evaluate } from '../evaluate/evaluate.js';
import { type ObjectiveStatus, type Snapshot, STATUS_RANK } from '../snapshot/snapshot-schema.js';
import { Scheduler } from '../sources/scheduler.js';
import type { SourceHealth } from '../sources/source.js';
import { SampleStore } from '../store/sample-store.js';

/**
 * vigil watching the target while the load runs: its sources sample into a private store and its
 * evaluator judges every objective, exactly as the daemon would. With a vigil config, that
 * config's sources are used; without one, every latency/ratio objective's source becomes a scrape
 * of the target's own `/metrics` (what `vigil demo` configures too).
 */

export interface WatchedObjective {
  service: string;
  objective: string;
  kind: string;
  /** Worst status seen after the warm-up (ok < warning < breach); no_data when never judged. */
  worst: ObjectiveStatus;
  /** The last evaluation's status and value. */
  last: ObjectiveStatus;
  lastValue: string | null;
  /** The value at the worst evaluation. */
  worstValue: string | null;
  error?: string | undefined;
  /** Every evaluation: seconds into the run, status, value (how the objective moved under load). */
  history: Array<{ atS: number; status: ObjectiveStatus; value: string | null }>;
}

/** A Config whose scrape instances read the target for every latency/ratio objective's source. */
export function implicitScrapeConfig(files: readonly LoadedSloFile[], metricsUrl: string, baseDir: string): Config {
  const scrape: Record<string, { url: string; schedule: string }> = {};
  for (const { slo } of files) {
    for (const objective of slo.objectives) {
      const kind = indicatorKind(objective.indicator);
      if (kind !== 'latency' && kind !== 'ratio') continue;
      const name = indicatorSourceName(objective.indicator);
      scrape[name] = { url: metricsUrl, schedule: '* * * * * *' };
    }
  }
  const daemon = daemonConfigSchema.parse({ sources: { scrape } });
  // The SLO files were loaded without a vigil.yaml, so against the shipped window sets.
  return resolveConfig({ configPath: null, baseDir, daemon, services: files, windowSets: SHIPPED_WINDOW_SETS });
}

/**
 * Samples on its own clock (`sampleEveryMs`, not the instances' cron schedules: a load test
 * wants fine-grained figures) through the daemon's `Scheduler` and `SourceRunner`s, so the overlap
 * guard, each instance's resolved timeout and the health are the daemon's own.
 */
export class VigilWatch {
  private readonly store: SampleStore;
  private readonly scheduler: Scheduler;
  private readonly results = new Map<string, WatchedObjective>();
  private timer: NodeJS.Timeout | undefined;
  private evaluating: NodeJS.Timeout | undefined;
  private startedAt = 0;
  lastSnapshot: Snapshot | null = null;

  constructor(
    private readonly config: Config,
    private readonly options: {
      sampleEveryMs?: number;
      evaluateEveryMs?: number;
      warmupMs?: number;
      /** Only these source kinds (the implicit config: scrape only, not docker on a default socket). */
      kinds?: readonly SourceKind[];
    } = {},
  ) {
    this.store = new SampleStore({ retentionMs: 2 * 3_600_000, maxPointsPerSeries: 20_000 });
    const kinds = options.kinds;
    const include = kinds ? (instance: SourceInstance) => kinds.includes(instance.kind) : undefined;
    // A load test ends on the operator's clock: a sample still running at close gets 1 s.
    this.scheduler = Scheduler.fromConfig(config, { store: this.store, stopTimeoutMs: 1_000 }, include);
  }

  /** Samples every source once (a baseline before the load starts), then keeps sampling. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    await this.scheduler.runOnce();
    // A source still sampling when the next tick comes is skipped by its runner's overlap guard.
    this.timer = setInterval(() => void this.scheduler.runOnce(), this.options.sampleEveryMs ?? 1000);
    this.evaluating = setInterval(() => this.evaluateNow(), this.options.evaluateEveryMs ?? 5000);
  }

  /** Evaluates now and folds the result into the worst-seen statuses (after the warm-up). */
  evaluateNow(final = false): Snapshot {
    const now = Date.now();
    const snapshot = evaluate(this.config, this.store, now, { sources: this.scheduler.health() });
    this.lastSnapshot = snapshot;
    // Early evaluations rest on a few seconds of data; the final one covers the whole run and always counts.
    const counted = final || now - this.startedAt >= (this.options.warmupMs ?? 10_000);
    for (const service of snapshot.services) {
      for (const o of service.objectives) {
        const key = `${service.service}/${o.name}`;
        const prev = this.results.get(key);
        const value = o.value?.display ?? null;
        const entry: WatchedObjective = prev ?? {
          service: service.service,
          objective: o.name,
          kind: o.kind,
          worst: 'no_data',
          worstValue: null,
          last: o.status,
          lastValue: value,
          history: [],
        };
        entry.history.push({ atS: Math.round((now - this.startedAt) / 100) / 10, status: o.status, value });
        entry.last = o.status;
        entry.lastValue = value;
        entry.error = o.error;
        if (counted && o.status !== 'no_data' && (entry.worst === 'no_data' || STATUS_RANK[o.status] > STATUS_RANK[entry.worst])) {
          entry.worst = o.status;
          entry.worstValue = value;
        }
        this.results.set(key, entry);
      }
    }
    return snapshot;
  }

  /** A last sample of every source, a last evaluation, and the verdicts. */
  async finish(): Promise<WatchedObjective[]> {
    clearInterval(this.timer);
    clearInterval(this.evaluating);
    await this.scheduler.runOnce();
    this.evaluateNow(true);
    return [...this.results.values()];
  }

  sourceHealth(): SourceHealth[] {
    return this.scheduler.health();
  }

  /** Stops sampling and closes every source (runs in flight are waited for, then aborted). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.evaluating);
    await this.scheduler.close();
  }
}
