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
  /** The last evaluation cycle: start to publish, and the part of it spent on the event loop (ms); null before the first. */
  readonly lastEvaluation: () => { readonly wallMs: number; readonly busyMs: number } | null;
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
  cachedGauge(registry, {
    name: 'vigil_evaluation_duration_seconds',
    help: 'The last evaluation cycle, from its start to its snapshot being published (pauses between its slices included).',
    labelNames: [],
    read: () => {
      const last = figures.lastEvaluation();
      return last === null ? [] : [{ labels: {}, value: last.wallMs / 1000 }];
    },
  });
  cachedGauge(registry, {
    name: 'vigil_evaluation_busy_seconds',
    help: 'Time the last evaluation cycle held the event loop (its slices and publishing the snapshot).',
    labelNames: [],
    read: () => {
      const last = figures.lastEvaluation();
      return last === null ? [] : [{ labels: {}, value: last.busyMs / 1000 }];
    },
  });
  cachedCounter(registry, {
    name: 'vigil_store_persist_failures_total',
    help: 'Store snapshots that could not be written to the data folder since start.',
    labelNames: [],
    read: () => [{ labels: {}, value: figures.persistFailures() }],
  });
}
