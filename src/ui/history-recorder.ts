import { OBJECTIVE_STATUSES, type ObjectiveStatus, type Snapshot, STATUS_RANK } from '../snapshot/snapshot-schema.js';
import type { Labels } from '../store/point.js';
import type { SampleStore, StoredSeries } from '../store/sample-store.js';

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
export function recordSnapshot(store: SampleStore, snapshot: Snapshot): void {
  new HistoryRecorder(0).onSnapshot(store, snapshot);
}

/** By default a figure is recorded at most every 15 s: a day is 5 760 points per figure, whatever `evaluateEvery` is. */
export const HISTORY_SPACING_MS = 15_000;

/** One objective's history series (kept, so a record builds no series id) and its worst status since the last record. */
interface ObjectiveFigures {
  readonly labels: Labels;
  status?: StoredSeries;
  value?: StoredSeries;
  budget?: StoredSeries;
  /** Worst status code seen since the last record (−1: none). */
  worst: number;
  /** The last snapshot that had this objective (a record forgets objectives a reload removed). */
  seenAt: number;
}

/**
 * Records snapshots at most every `spacingMs`, so the history's memory does not follow a short
 * evaluation interval (three figures per objective, 16 bytes a point). Between two records it
 * keeps each objective's worst status, so a breach shorter than the spacing still shows in the
 * history (and on the chart's shading); values are the latest, as a sample would be.
 */
export class HistoryRecorder {
  private lastAt = -Infinity;
  /** service -> objective -> its series: two levels, so a cycle builds no key string per objective. */
  private readonly figures = new Map<string, Map<string, ObjectiveFigures>>();

  constructor(private readonly spacingMs = HISTORY_SPACING_MS) {}

  onSnapshot(store: SampleStore, snapshot: Snapshot): void {
    for (const service of snapshot.services) this.onService(store, snapshot.evaluatedAt, service);
    this.endCycle(snapshot.evaluatedAt);
  }

  /**
   * One service's results of the cycle at `t`; `endCycle(t)` closes the cycle. The daemon hands
   * each service over as its evaluation step finishes, so recording 20 000 objectives is sliced
   * with the evaluation instead of being one block at publishing. A cycle dropped before its end
   * (a reload) leaves what it recorded; the next cycle records again.
   */
  onService(store: SampleStore, t: number, service: Snapshot['services'][number]): void {
    const record = t - this.lastAt >= this.spacingMs;
    for (const o of service.objectives) {
      const f = this.figuresOf(service.service, o.name);
      f.seenAt = t;
      const status = Math.max(statusCode(o.status), f.worst);
      if (!record) {
        f.worst = status;
        continue;
      }
      f.worst = -1;
      f.status = append(store, f.status, HISTORY_METRICS.status, f.labels, t, status);
      if (o.value !== null) f.value = append(store, f.value, HISTORY_METRICS.value, f.labels, t, o.value.value);
      if (o.errorBudgetRemaining !== null) f.budget = append(store, f.budget, HISTORY_METRICS.budget, f.labels, t, o.errorBudgetRemaining);
    }
  }

  endCycle(t: number): void {
    if (t - this.lastAt < this.spacingMs) return;
    this.lastAt = t;
    this.forgetUnseen(t);
  }

  private figuresOf(service: string, objective: string): ObjectiveFigures {
    let objectives = this.figures.get(service);
    if (!objectives) this.figures.set(service, (objectives = new Map()));
    let f = objectives.get(objective);
    if (!f) objectives.set(objective, (f = { labels: historyLabels(service, objective), worst: -1, seenAt: Number.NaN }));
    return f;
  }

  /** Objectives the recorded snapshot did not have (a reload removed them) are forgotten. */
  private forgetUnseen(t: number): void {
    for (const [service, objectives] of this.figures) {
      for (const [name, f] of objectives) if (f.seenAt !== t) objectives.delete(name);
      if (objectives.size === 0) this.figures.delete(service);
    }
  }
}

/** Appends through the series kept from the last append (created on the first finite value). */
function append(store: SampleStore, kept: StoredSeries | undefined, metric: string, labels: Labels, t: number, value: number) {
  if (kept) return store.appendTo(kept, t, value);
  if (!Number.isFinite(value)) return undefined;
  return store.appendTo(store.seriesFor(metric, labels), t, value);
}
