import { OBJECTIVE_STATUSES, type ObjectiveStatus, type Snapshot, STATUS_RANK } from '../snapshot/snapshot-schema.js';
import type { SampleStore } from '../store/sample-store.js';

/**
 * Each evaluation's objective figures written back into the store, so the status page's charts
 * read what vigil said at each cycle (value, budget, status) from the same store, with the same
 * retention and persistence as the samples. The names never reach `/metrics` (the exporter lists
 * the store names it exports) and never collide with a source's names.
 */
export const HISTORY_METRICS = {
  value: 'vigil_history_objective_value',
  budget: 'vigil_history_error_budget_remaining',
  status: 'vigil_history_objective_status',
} as const;

export function historyLabels(service: string, objective: string): Record<string, string> {
  return { service, objective };
}

/** Status as a number for the store (its rank: larger is worse), and back. */
export function statusCode(status: ObjectiveStatus): number {
  return STATUS_RANK[status];
}

export function statusOfCode(code: number): ObjectiveStatus | null {
  return OBJECTIVE_STATUSES.find((s) => STATUS_RANK[s] === code) ?? null;
}

/** Appends one point per objective figure at the snapshot's time; null figures are left out (a gap). */
export function recordSnapshot(store: SampleStore, snapshot: Snapshot, worstSince?: ReadonlyMap<string, number>): void {
  const t = snapshot.evaluatedAt;
  for (const service of snapshot.services) {
    for (const o of service.objectives) {
      const labels = historyLabels(service.service, o.name);
      const worst = worstSince?.get(historyKey(service.service, o.name));
      store.appendRaw(HISTORY_METRICS.status, labels, t, Math.max(statusCode(o.status), worst ?? -1));
      if (o.value !== null) store.appendRaw(HISTORY_METRICS.value, labels, t, o.value.value);
      if (o.errorBudgetRemaining !== null) store.appendRaw(HISTORY_METRICS.budget, labels, t, o.errorBudgetRemaining);
    }
  }
}

const historyKey = (service: string, objective: string) => `${service}\n${objective}`;

/** By default a figure is recorded at most every 15 s: a day is 5 760 points per figure, whatever `evaluateEvery` is. */
export const HISTORY_SPACING_MS = 15_000;

/**
 * Records snapshots at most every `spacingMs`, so the history's memory does not follow a short
 * evaluation interval (three figures per objective, 16 bytes a point). Between two records it
 * keeps each objective's worst status, so a breach shorter than the spacing still shows in the
 * history (and on the chart's shading); values are the latest, as a sample would be.
 */
export class HistoryRecorder {
  private lastAt = -Infinity;
  private readonly worst = new Map<string, number>();

  constructor(private readonly spacingMs = HISTORY_SPACING_MS) {}

  onSnapshot(store: SampleStore, snapshot: Snapshot): void {
    if (snapshot.evaluatedAt - this.lastAt >= this.spacingMs) {
      recordSnapshot(store, snapshot, this.worst);
      this.worst.clear();
      this.lastAt = snapshot.evaluatedAt;
      return;
    }
    for (const service of snapshot.services) {
      for (const o of service.objectives) {
        const key = historyKey(service.service, o.name);
        this.worst.set(key, Math.max(this.worst.get(key) ?? -1, statusCode(o.status)));
      }
    }
  }
}
