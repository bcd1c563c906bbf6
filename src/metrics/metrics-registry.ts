import { collectDefaultMetrics, Registry } from 'prom-client';
import type { SourceHealth } from '../sources/source.js';
import type { SampleStore } from '../store/sample-store.js';
import { registerHealthMetrics } from './health-metrics.js';
import { registerSampledMetrics } from './sampled-metrics.js';

export interface MetricsRegistryOptions {
  readonly store: SampleStore;
  /** The scheduler's `health()`; a function so this module does not depend on the scheduler. */
  readonly health: () => readonly SourceHealth[];
  /** The process's default metrics (`process_*`, `nodejs_*`, standard names). Default true. */
  readonly defaultMetrics?: boolean;
  /**
   * A series whose newest point is older than the newest of its metric and source by more than
   * this is no longer exported (see `latestValues`). Default 5 s.
   */
  readonly staleToleranceMs?: number;
}

/** Adds metrics to the registry; see `cachedGauge` for metrics read at scrape time. */
export type MetricsCollector = (registry: Registry) => void;

/**
 * vigil's own `/metrics`: a prom-client Registry of its own (never the global one, so tests and
 * embedders get no duplicates), holding every sampled figure, source health, the store's size and
 * the default process metrics. Other parts add theirs with `register()`, e.g. the evaluator's
 * objective metrics from its snapshot.
 */
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(options: MetricsRegistryOptions) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    registerSampledMetrics(this.registry, options.store, options.staleToleranceMs ?? 5_000);
    registerHealthMetrics(this.registry, options.health, options.store);
  }

  register(collector: MetricsCollector): this {
    collector(this.registry);
    return this;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

export function createMetricsRegistry(options: MetricsRegistryOptions): MetricsRegistry {
  return new MetricsRegistry(options);
}
