import { describe, expect, it } from 'vitest';
import type { ObjectiveStatus } from '../../../src/snapshot/snapshot-schema.js';
import { SampleStore } from '../../../src/store/sample-store.js';
import { HISTORY_METRICS, HistoryRecorder, statusOfCode } from '../../../src/ui/history-recorder.js';
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
