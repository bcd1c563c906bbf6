import type { Config } from '../config/config.js';
import { objectivesOf, readBy } from '../config/resolve-config.js';
import { evaluate } from '../evaluate/evaluate.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { Scheduler } from '../sources/scheduler.js';
import { SampleStore } from '../store/sample-store.js';
import { retentionFor } from './retention.js';
import { narrowConfig } from './sample-once.js';

export interface SamplePeriodOptions {
  service: string;
  /** How long to measure, ms. */
  durationMs: number;
  /** Time between sampling rounds, ms. */
  everyMs: number;
  /** Stops early (Ctrl-C); what was sampled so far is kept. */
  signal?: AbortSignal;
}

export interface SampledPeriod {
  readonly config: Config;
  readonly store: SampleStore;
  /** The first round's time: counters rise from here. */
  readonly from: number;
  readonly to: number;
  /** The evaluation after each round (gauges are read from these). */
  readonly rounds: readonly Snapshot[];
}

/**
 * Samples one service's sources in rounds, `everyMs` apart, for `durationMs`, keeping the store
 * and an evaluation after every round: what `vigil baseline --save` measures from. Like
 * `sampleOnce`, but for a period long enough that counters give many events and gauges many values.
 */
export async function samplePeriod(fullConfig: Config, options: SamplePeriodOptions): Promise<SampledPeriod> {
  const config = narrowConfig(fullConfig, options.service);
  const store = new SampleStore({
    retentionMs: Math.max(retentionFor(config), options.durationMs * 2),
    maxPointsPerSeries: Math.max(config.daemon.store.maxPointsPerSeries, Math.ceil(options.durationMs / options.everyMs) + 10),
  });
  const scheduler = Scheduler.fromConfig(config, { store, stopTimeoutMs: 1_000 }, readBy(objectivesOf(config)));
  const rounds: Snapshot[] = [];
  try {
    const from = Date.now();
    await scheduler.runOnce();
    rounds.push(evaluate(config, store, Date.now(), { sources: scheduler.health() }));
    const end = from + options.durationMs;
    while (Date.now() < end && !options.signal?.aborted) {
      const wait = Math.min(options.everyMs, end - Date.now());
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await scheduler.runOnce();
      rounds.push(evaluate(config, store, Date.now(), { sources: scheduler.health() }));
    }
    return { config, store, from: from - 1, to: Date.now(), rounds };
  } finally {
    await scheduler.close();
  }
}
