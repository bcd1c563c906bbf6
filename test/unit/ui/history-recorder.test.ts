import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OBJECTIVE_STATUSES, type ObjectiveStatus, type Snapshot } from '../../../src/snapshot/snapshot-schema.js';
import { SampleStore } from '../../../src/store/sample-store.js';
import { HISTORY_METRICS, HistoryRecorder, historyLabels, statusCode, statusOfCode } from '../../../src/ui/history-recorder.js';
import { objectiveResult, serviceSnapshot } from '../../support/snapshot-builders.js';

function points(store: SampleStore, metric: string): Array<[number, number]> {
  const [s] = store.select(metric, () => true);
  if (!s) return [];
  const { t, v } = s.buffer.range(-Infinity, Infinity);
  return Array.from(t, (x, i) => [x, v[i]!]);
}

describe('HistoryRecorder', () => {
  it('records at most every spacing, keeping the worst status seen in between and the latest value', () => {
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });
    const recorder = new HistoryRecorder(15_000);
    const cycle = (t: number, status: ObjectiveStatus, value: number) =>
      recorder.onSnapshot(
        store,
        serviceSnapshot(
          'svc',
          [objectiveResult({ name: 'p95', kind: 'latency', status, value: { value, unit: 'seconds', display: '' } })],
          t,
        ),
      );
    cycle(0, 'ok', 0.01);
    cycle(5_000, 'breach', 0.09); // a breach shorter than the spacing
    cycle(10_000, 'ok', 0.02);
    cycle(15_000, 'ok', 0.03);
    cycle(20_000, 'ok', 0.04);
    cycle(30_000, 'warning', 0.05);
    expect(points(store, HISTORY_METRICS.value)).toEqual([
      [0, 0.01],
      [15_000, 0.03],
      [30_000, 0.05],
    ]);
    expect(points(store, HISTORY_METRICS.status).map(([t, code]) => [t, statusOfCode(code)])).toEqual([
      [0, 'ok'],
      [15_000, 'breach'],
      [30_000, 'warning'],
    ]);
  });
});

/**
 * The recorder as it was before it kept series references: every figure through `appendRaw`
 * (the series id built from the labels each time), worst statuses in a map by service and name.
 */
class ReferenceRecorder {
  private lastAt = -Infinity;
  private readonly worst = new Map<string, number>();

  constructor(private readonly spacingMs: number) {}

  onSnapshot(store: SampleStore, snapshot: Snapshot): void {
    const t = snapshot.evaluatedAt;
    const record = t - this.lastAt >= this.spacingMs;
    for (const service of snapshot.services) {
      for (const o of service.objectives) {
        const key = `${service.service}\n${o.name}`;
        const status = Math.max(statusCode(o.status), this.worst.get(key) ?? -1);
        if (!record) {
          this.worst.set(key, status);
          continue;
        }
        const labels = historyLabels(service.service, o.name);
        store.appendRaw(HISTORY_METRICS.status, labels, t, status);
        if (o.value !== null) store.appendRaw(HISTORY_METRICS.value, labels, t, o.value.value);
        if (o.errorBudgetRemaining !== null) store.appendRaw(HISTORY_METRICS.budget, labels, t, o.errorBudgetRemaining);
      }
    }
    if (!record) return;
    this.worst.clear();
    this.lastAt = t;
  }
}

/** Every series of the store with its points, in id order. */
function contents(store: SampleStore): Array<[string, number[], number[]]> {
  return [...store.all()]
    .map((s): [string, number[], number[]] => {
      const { t, v } = s.buffer.range(-Infinity, Infinity);
      return [s.id, [...t], [...v]];
    })
    .sort((a, b) => a[0].localeCompare(b[0]));
}

const figure = fc.option(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)), {
  nil: null,
});
/** One cycle: the clock's step, which of a small fleet's objectives the snapshot has (a reload adds or drops some), their figures, and a prune. */
const cycle = fc.record({
  stepMs: fc.integer({ min: 0, max: 20_000 }),
  objectives: fc.uniqueArray(
    fc.record({
      service: fc.constantFrom('a', 'b', 'c'),
      name: fc.constantFrom('p95', 'errors', 'uptime'),
      status: fc.constantFrom(...OBJECTIVE_STATUSES),
      value: figure,
      budget: figure,
    }),
    { selector: (o) => `${o.service}/${o.name}`, maxLength: 9 },
  ),
  prune: fc.boolean(),
  perService: fc.boolean(),
});

function snapshotOf(
  t: number,
  objectives: ReadonlyArray<{ service: string; name: string; status: ObjectiveStatus; value: number | null; budget: number | null }>,
): Snapshot {
  const services = [...new Set(objectives.map((o) => o.service))];
  return {
    evaluatedAt: t,
    sources: [],
    services: services.map((service) => {
      const snap = serviceSnapshot(
        service,
        objectives
          .filter((o) => o.service === service)
          .map((o) =>
            objectiveResult({
              name: o.name,
              kind: 'latency',
              status: o.status,
              value: o.value === null ? null : { value: o.value, unit: 'seconds', display: '' },
              errorBudgetRemaining: o.budget,
            }),
          ),
        t,
      );
      return snap.services[0]!;
    }),
  };
}

describe('HistoryRecorder keeping series references', () => {
  it('writes what the recorder building ids each time wrote, through prunes and reloads', () => {
    fc.assert(
      fc.property(fc.array(cycle, { minLength: 1, maxLength: 40 }), fc.constantFrom(0, 15_000), (cycles, spacingMs) => {
        // A short retention, so prunes drop series the recorder still holds.
        const fresh = () => new SampleStore({ retentionMs: 30_000, maxPointsPerSeries: 1000 });
        const [kept, rebuilt] = [fresh(), fresh()];
        const recorder = new HistoryRecorder(spacingMs);
        const reference = new ReferenceRecorder(spacingMs);
        let t = 1_000_000;
        for (const c of cycles) {
          t += c.stepMs;
          const snapshot = snapshotOf(t, c.objectives);
          // Whole, as at start and after a reload, or a service at a time, as the sliced cycle hands it over.
          if (c.perService) {
            for (const service of snapshot.services) recorder.onService(kept, t, service);
            recorder.endCycle(t);
          } else recorder.onSnapshot(kept, snapshot);
          reference.onSnapshot(rebuilt, snapshot);
          if (c.prune) {
            kept.prune(t);
            rebuilt.prune(t);
          }
          expect(contents(kept)).toEqual(contents(rebuilt));
        }
      }),
      { seed: 20261201, numRuns: 200 },
    );
  });
});
