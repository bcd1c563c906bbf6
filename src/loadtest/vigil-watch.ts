import { SHIPPED_WINDOW_SETS } from '../config/window-sets.js';
import type { Config, LoadedSloFile } from '../config/config.js';
import { daemonConfigSchema, type SourceKind } from '../config/daemon-schema.js';
import { indicatorKind } from '../config/slo-schema.js';
import { indicatorSourceName } from '../config/source-lookup.js';
import { evaluate } from '../evaluate/evaluate.js';
import { STATUS_RANK, type ObjectiveStatus, type Snapshot } from '../snapshot/snapshot-schema.js';
import { createSources } from '../sources/create-sources.js';
import type { Source, SourceHealth } from '../sources/source.js';
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
  return { configPath: null, baseDir, daemon, services: files, windowSets: SHIPPED_WINDOW_SETS };
}

export class VigilWatch {
  private readonly store: SampleStore;
  private readonly sources: Source[];
  private readonly health = new Map<string, SourceHealth>();
  private readonly results = new Map<string, WatchedObjective>();
  private timer: NodeJS.Timeout | undefined;
  private evaluating: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<string>();
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
    const created = createSources(config);
    const wanted = (kind: SourceKind) => !options.kinds || options.kinds.includes(kind);
    this.sources = created.filter((s) => wanted(s.kind));
    for (const s of created) if (!wanted(s.kind)) void s.close().catch(() => undefined);
  }

  /** Samples every source once (a baseline before the load starts), then keeps sampling. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    await Promise.all(this.sources.map((s) => this.sampleOne(s)));
    this.timer = setInterval(() => {
      for (const s of this.sources) void this.sampleOne(s);
    }, this.options.sampleEveryMs ?? 1000);
    this.evaluating = setInterval(() => this.evaluateNow(), this.options.evaluateEveryMs ?? 5000);
  }

  private async sampleOne(source: Source): Promise<void> {
    const key = `${source.kind}/${source.name}`;
    if (this.inFlight.has(key)) return; // never overlap samples of one source
    this.inFlight.add(key);
    const started = Date.now();
    const prev = this.health.get(key);
    try {
      const result = await source.sample(AbortSignal.timeout(10_000));
      for (const p of result.points) this.store.append(p);
      for (const e of result.ended ?? []) this.store.markEnded(e.metric, e.labels);
      this.health.set(key, {
        kind: source.kind,
        name: source.name,
        up: true,
        lastSuccess: Date.now(),
        lastError: null,
        consecutiveFailures: 0,
        lastDurationMs: Date.now() - started,
      });
    } catch (err) {
      this.health.set(key, {
        kind: source.kind,
        name: source.name,
        up: false,
        lastSuccess: prev?.lastSuccess ?? null,
        lastError: err instanceof Error ? err.message : String(err),
        consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1,
        lastDurationMs: Date.now() - started,
      });
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Evaluates now and folds the result into the worst-seen statuses (after the warm-up). */
  evaluateNow(final = false): Snapshot {
    const now = Date.now();
    const snapshot = evaluate(this.config, this.store, now, { sources: [...this.health.values()] });
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
    await Promise.all(this.sources.map((s) => this.sampleOne(s)));
    this.evaluateNow(true);
    return [...this.results.values()];
  }

  sourceHealth(): SourceHealth[] {
    return [...this.health.values()];
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.evaluating);
    await Promise.all(this.sources.map((s) => s.close().catch(() => undefined)));
  }
}
