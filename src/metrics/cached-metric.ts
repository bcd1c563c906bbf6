import { Counter, Gauge, type Registry } from 'prom-client';
import { pickLabels } from '../store/sample-store.js';

/** One exported sample: label values and the number. */
export interface CachedSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface CachedMetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Called on every scrape; returns the current samples (replacing the previous scrape's). */
  readonly read: () => Iterable<CachedSample>;
}

/**
 * A metric whose values live elsewhere (the store, the scheduler, the evaluator's snapshot) and
 * are copied in at scrape time. The children are cleared first, so a series that is no longer
 * read (a container that went) disappears from the exposition instead of repeating its last value.
 * Labels not declared in `labelNames` are dropped rather than failing the scrape.
 *
 * This is also how other parts add their metrics: `cachedGauge(metrics.registry, {...})`.
 */
export function cachedGauge(registry: Registry, spec: CachedMetricSpec): Gauge<string> {
  return new Gauge(copiedAtScrape<Gauge<string>>(registry, spec, (gauge, labels, value) => gauge.set(labels, value)));
}

/**
 * Like `cachedGauge` but typed `counter` in the exposition, for raw counters copied from the
 * system that owns them (they may reset; Prometheus's rate() handles that).
 */
export function cachedCounter(registry: Registry, spec: CachedMetricSpec): Counter<string> {
  return new Counter(
    copiedAtScrape<Counter<string>>(registry, spec, (counter, labels, value) => {
      if (value >= 0) counter.inc(labels, value);
    }),
  );
}

/** The options both share: declared labels, and a collect() that resets, then copies every finite sample in. */
function copiedAtScrape<M extends { reset(): void }>(
  registry: Registry,
  spec: CachedMetricSpec,
  write: (metric: M, labels: Record<string, string>, value: number) => void,
) {
  const labelNames = [...spec.labelNames];
  return {
    name: spec.name,
    help: spec.help,
    labelNames,
    registers: [registry],
    collect(this: M) {
      this.reset();
      for (const s of spec.read()) {
        if (Number.isFinite(s.value)) write(this, pickLabels(s.labels, labelNames), s.value);
      }
    },
  };
}
