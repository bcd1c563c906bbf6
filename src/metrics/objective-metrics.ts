import { Gauge, type Registry } from 'prom-client';
import { OBJECTIVE_STATUSES, type Snapshot } from '../snapshot/snapshot-schema.js';

/**
 * Objective figures on /metrics. Nothing is computed here: each scrape reads the current snapshot
 * (the evaluator's last cycle), so these are cached values as of `evaluatedAt`, not live reads.
 *
 * `vigil_objective_status` is one-hot: one series per status, 1 for the current one, so
 * `vigil_objective_status{status="breach"} == 1` selects breached objectives without a number code.
 */
export function registerObjectiveMetrics(registry: Registry, getSnapshot: () => Snapshot | null): void {
  const note = ' (from the last evaluation cycle; cached, not read at scrape time)';
  const each = (fn: (snapshot: Snapshot) => void) => () => {
    const s = getSnapshot();
    if (s) fn(s);
  };

  new Gauge({
    name: 'vigil_objective_value',
    help: `Current value of each objective in base units (seconds, bytes, ratio 0..1; leak: bytes/hour)${note}`,
    labelNames: ['service', 'objective', 'kind', 'unit'],
    registers: [registry],
    collect(this: Gauge) {
      this.reset();
      each((snap) => {
        for (const svc of snap.services) {
          for (const o of svc.objectives) {
            if (o.value) this.set({ service: svc.service, objective: o.name, kind: o.kind, unit: o.value.unit }, o.value.value);
          }
        }
      })();
    },
  });

  new Gauge({
    name: 'vigil_objective_status',
    help: `Objective status, one-hot: 1 for the current status (ok, warning, breach, no_data), 0 for the others${note}`,
    labelNames: ['service', 'objective', 'status'],
    registers: [registry],
    collect(this: Gauge) {
      this.reset();
      each((snap) => {
        for (const svc of snap.services) {
          for (const o of svc.objectives) {
            for (const status of OBJECTIVE_STATUSES) this.set({ service: svc.service, objective: o.name, status }, o.status === status ? 1 : 0);
          }
        }
      })();
    },
  });

  new Gauge({
    name: 'vigil_error_budget_remaining_ratio',
    help: `Error budget left over the objective's period, 1 - (1 - compliance)/(1 - target); negative when overspent${note}`,
    labelNames: ['service', 'objective'],
    registers: [registry],
    collect(this: Gauge) {
      this.reset();
      each((snap) => {
        for (const svc of snap.services) {
          for (const o of svc.objectives) {
            if (o.errorBudgetRemaining !== null) this.set({ service: svc.service, objective: o.name }, o.errorBudgetRemaining);
          }
        }
      })();
    },
  });

  new Gauge({
    name: 'vigil_burn_rate',
    help: `Error budget burn rate over each workbook window: error ratio / (1 - target); 1 spends the budget exactly over the period${note}`,
    labelNames: ['service', 'objective', 'window'],
    registers: [registry],
    collect(this: Gauge) {
      this.reset();
      each((snap) => {
        for (const svc of snap.services) {
          for (const o of svc.objectives) {
            for (const b of o.burnRates) if (b.rate !== null) this.set({ service: svc.service, objective: o.name, window: b.window }, b.rate);
          }
        }
      })();
    },
  });

  const leakGauge = (name: string, help: string, value: (leak: NonNullable<Snapshot['services'][number]['objectives'][number]['leak']>) => number | null) =>
    new Gauge({
      name,
      help: `${help}${note}`,
      labelNames: ['service', 'objective', 'container', 'container_id'],
      registers: [registry],
      collect(this: Gauge) {
        this.reset();
        each((snap) => {
          for (const svc of snap.services) {
            for (const o of svc.objectives) {
              if (o.kind !== 'memoryLeak') continue;
              for (const part of o.breakdown) {
                if (!part.leak) continue;
                const v = value(part.leak);
                if (v === null) continue;
                this.set(
                  { service: svc.service, objective: o.name, container: part.labels.container ?? '', container_id: part.labels.container_id ?? '' },
                  v,
                );
              }
            }
          }
        })();
      },
    });

  leakGauge('vigil_memory_leak_suspected', 'Per container: 1 when the leak detector says leak or suspected, else 0', (l) =>
    l.verdict === 'leak' || l.verdict === 'suspected' ? 1 : 0,
  );
  leakGauge('vigil_memory_growth_bytes_per_second', 'Per container: trend of the post-GC memory floor over the leak window', (l) =>
    l.growthBytesPerHour === null ? null : l.growthBytesPerHour / 3600,
  );
  leakGauge('vigil_memory_exhaustion_eta_seconds', 'Per container: seconds until the memory limit at the current trend (absent when not growing or no limit)', (l) => l.exhaustionEtaSeconds);
}
