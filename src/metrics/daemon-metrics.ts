import type { Registry } from 'prom-client';
import { cachedCounter, cachedGauge } from './cached-metric.js';

/** What the daemon knows about itself, read at scrape time. */
export interface DaemonFigures {
  /** Seconds since the current snapshot was published (monotonic clock); null before the first. */
  readonly snapshotAgeSeconds: () => number | null;
  /** Whether the snapshot is older than the daemon accepts (`/readyz` fails then too). */
  readonly snapshotStale: () => boolean;
  /** Store snapshots that failed to be written since start. */
  readonly persistFailures: () => number;
}

/** The daemon's own health figures: how fresh the snapshot is and whether history is being kept. */
export function registerDaemonMetrics(registry: Registry, figures: DaemonFigures): void {
  cachedGauge(registry, {
    name: 'vigil_snapshot_age_seconds',
    help: 'Seconds since the last evaluation published a snapshot (monotonic clock; absent before the first).',
    labelNames: [],
    read: () => {
      const age = figures.snapshotAgeSeconds();
      return age === null ? [] : [{ labels: {}, value: age }];
    },
  });
  cachedGauge(registry, {
    name: 'vigil_snapshot_stale',
    help: '1 when the snapshot is older than a few evaluation intervals (evaluation is stuck; /readyz fails), else 0.',
    labelNames: [],
    read: () => [{ labels: {}, value: figures.snapshotStale() ? 1 : 0 }],
  });
  cachedCounter(registry, {
    name: 'vigil_store_persist_failures_total',
    help: 'Store snapshots that could not be written to the data folder since start.',
    labelNames: [],
    read: () => [{ labels: {}, value: figures.persistFailures() }],
  });
}
