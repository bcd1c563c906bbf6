import type { Registry } from 'prom-client';
import type { SourceHealth } from '../sources/source.js';
import type { SampleStore } from '../store/sample-store.js';
import { type CachedSample, cachedGauge } from './cached-metric.js';

const LABELS = ['kind', 'source'] as const;

function perSource(health: () => readonly SourceHealth[], value: (h: SourceHealth) => number | null): () => CachedSample[] {
  return () => {
    const out: CachedSample[] = [];
    for (const h of health()) {
      const v = value(h);
      if (v !== null) out.push({ labels: { kind: h.kind, source: h.name }, value: v });
    }
    return out;
  };
}

/** Source health from the scheduler, and the store's own size. */
export function registerHealthMetrics(registry: Registry, health: () => readonly SourceHealth[], store: SampleStore): void {
  cachedGauge(registry, {
    name: 'vigil_source_up',
    help: '1 when the last sample of the source succeeded, else 0.',
    labelNames: LABELS,
    read: perSource(health, (h) => (h.up ? 1 : 0)),
  });
  cachedGauge(registry, {
    name: 'vigil_source_last_success_timestamp_seconds',
    help: 'Unix time of the last successful sample of the source (absent before the first).',
    labelNames: LABELS,
    read: perSource(health, (h) => (h.lastSuccess === null ? null : h.lastSuccess / 1000)),
  });
  cachedGauge(registry, {
    name: 'vigil_source_consecutive_failures',
    help: 'Failed samples of the source since its last success.',
    labelNames: LABELS,
    read: perSource(health, (h) => h.consecutiveFailures),
  });
  cachedGauge(registry, {
    name: 'vigil_source_sample_duration_seconds',
    help: 'Wall time of the last sample of the source, successful or not.',
    labelNames: LABELS,
    read: perSource(health, (h) => (h.lastDurationMs === null ? null : h.lastDurationMs / 1000)),
  });
  cachedGauge(registry, {
    name: 'vigil_store_series',
    help: 'Series held in the in-memory sample store.',
    labelNames: [],
    read: () => [{ labels: {}, value: store.seriesCount }],
  });
  cachedGauge(registry, {
    name: 'vigil_store_memory_bytes',
    help: "Bytes held by the sample store's point buffers.",
    labelNames: [],
    read: () => [{ labels: {}, value: store.memoryBytes() }],
  });
}
