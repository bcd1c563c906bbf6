import type { Registry } from 'prom-client';
import { OBJECTIVE_STATUSES, type Snapshot } from '../snapshot/snapshot-schema.js';
import { cachedGauge } from './cached-metric.js';

/**
 * Objective figures on /metrics. Nothing is computed here: each scrape reads the current snapshot
 * (the evaluator's last cycle), so these are cached values as of `evaluatedAt`, not live reads.
 *
 * `vigil_objective_status` is one-hot: one series per status, 1 for the current one, so
 * `vigil_objective_status{status="breach"} == 1` selects breached objectives without a number code.
 */
type SnapshotObjective = Snapshot['services'][number]['objectives'][number];
type Leak = NonNullable<SnapshotObjective['leak']>;

export function registerObjectiveMetrics(registry: Registry, getSnapshot: () => Snapshot | null): void {
  const note = ' (from the last evaluation cycle; cached, not read at scrape time)';
  /** Every objective of the current snapshot (none before the first cycle). */
  function* objectives(): Generator<{ service: string; o: SnapshotObjective }> {
    const s = getSnapshot();
    if (!s) return;
    for (const svc of s.services) for (const o of svc.objectives) yield { service: svc.service, o };
  }

  cachedGauge(registry, {
    name: 'vigil_objective_value',
    help: `Current value of each objective in base units (seconds, bytes, ratio 0..1; leak: bytes/hour)${note}`,
    labelNames: ['service', 'objective', 'kind', 'unit'],
    *read() {
      for (const { service, o } of objectives()) {
        if (o.value) yield { labels: { service, objective: o.name, kind: o.kind, unit: o.value.unit }, value: o.value.value };
      }
    },
  });

  cachedGauge(registry, {
    name: 'vigil_objective_status',
    help: `Objective status, one-hot: 1 for the current status (ok, warning, breach, no_data), 0 for the others${note}`,
    labelNames: ['service', 'objective', 'status'],
    *read() {
      for (const { service, o } of objectives()) {
        for (const status of OBJECTIVE_STATUSES)
          yield { labels: { service, objective: o.name, status }, value: o.status === status ? 1 : 0 };
      }
    },
  });

  cachedGauge(registry, {
    name: 'vigil_error_budget_remaining_ratio',
    help: `Error budget left over the objective's period, 1 - (1 - compliance)/(1 - target); negative when overspent${note}`,
    labelNames: ['service', 'objective'],
    *read() {
      for (const { service, o } of objectives()) {
        if (o.errorBudgetRemaining !== null) yield { labels: { service, objective: o.name }, value: o.errorBudgetRemaining };
      }
    },
  });

  cachedGauge(registry, {
    name: 'vigil_burn_rate',
    help: `Error budget burn rate over each workbook window: error ratio / (1 - target); 1 spends the budget exactly over the period${note}`,
    labelNames: ['service', 'objective', 'window'],
    *read() {
      for (const { service, o } of objectives()) {
        for (const b of o.burnRates) if (b.rate !== null) yield { labels: { service, objective: o.name, window: b.window }, value: b.rate };
      }
    },
  });

  const leakGauge = (name: string, help: string, value: (leak: Leak) => number | null) =>
    cachedGauge(registry, {
      name,
      help: `${help}${note}`,
      labelNames: ['service', 'objective', 'container', 'container_id'],
      *read() {
        for (const { service, o } of objectives()) {
          if (o.kind !== 'memoryLeak') continue;
          for (const part of o.breakdown) {
            if (!part.leak) continue;
            const v = value(part.leak);
            if (v === null) continue;
            yield {
              labels: { service, objective: o.name, container: part.labels.container ?? '', container_id: part.labels.container_id ?? '' },
              value: v,
            };
          }
        }
      },
    });

  leakGauge('vigil_memory_leak_suspected', 'Per container: 1 when the leak detector says leak or suspected, else 0', (l) =>
    l.verdict === 'leak' || l.verdict === 'suspected' ? 1 : 0,
  );
  leakGauge('vigil_memory_growth_bytes_per_second', 'Per container: trend of the post-GC memory floor over the leak window', (l) =>
    l.growthBytesPerHour === null ? null : l.growthBytesPerHour / 3600,
  );
  leakGauge(
    'vigil_memory_exhaustion_eta_seconds',
    'Per container: seconds until the memory limit at the current trend (absent when not growing or no limit)',
    (l) => l.exhaustionEtaSeconds,
  );
}
