import type { Config } from '../config/config.js';
import { objectivesOf, readBy } from '../config/resolve-config.js';
import { ERR, vigilError } from '../core/errors.js';
import { evaluate } from '../evaluate/evaluate.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { Scheduler } from '../sources/scheduler.js';
import { SampleStore } from '../store/sample-store.js';
import { retentionFor } from './retention.js';

export interface SampleOnceOptions {
  /** Only this service (and only the sources its objectives read). */
  service?: string | undefined;
  /** Gap between the two sampling rounds in ms. */
  gapMs: number;
}

/** The config narrowed to one service (its objectives keep their resolved sources). */
export function narrowConfig(config: Config, service: string | undefined): Config {
  if (service === undefined) return config;
  const services = config.services.filter((s) => s.slo.service === service);
  if (services.length === 0) {
    const known = config.services.map((s) => s.slo.service).join(', ') || 'none';
    throw vigilError(ERR.VIGIL_ERR_UNKNOWN_SERVICE, { service: JSON.stringify(service), known });
  }
  return Object.freeze({ ...config, services });
}

/**
 * Samples every source the objectives read, twice, `gapMs` apart, then evaluates once: CPU
 * (docker) and every counter (Redis hits/misses, pg_stat_statements, scraped histograms) are
 * deltas between samples, so one round alone says nothing about them. Gauges, probes and
 * Prometheus answers are current after the first round; the second only refreshes them.
 * Windows are then as long as the gap: `vigil check` judges the last few seconds, the daemon
 * judges the configured windows.
 */
export async function sampleOnce(fullConfig: Config, options: SampleOnceOptions): Promise<Snapshot> {
  const config = narrowConfig(fullConfig, options.service);
  const store = new SampleStore({ retentionMs: retentionFor(config), maxPointsPerSeries: config.daemon.store.maxPointsPerSeries });
  const scheduler = Scheduler.fromConfig(config, { store, stopTimeoutMs: 1_000 }, readBy(objectivesOf(config)));
  try {
    await scheduler.runOnce();
    await new Promise((r) => setTimeout(r, options.gapMs));
    await scheduler.runOnce();
    return evaluate(config, store, Date.now(), {
      sources: scheduler.health(),
    });
  } finally {
    await scheduler.close();
  }
}
