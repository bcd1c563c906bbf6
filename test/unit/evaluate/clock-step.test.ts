import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { SnapshotHolder } from '../../../src/snapshot/snapshot-holder.js';
import type { SampleStore } from '../../../src/store/sample-store.js';
import { SeriesBuffer } from '../../../src/store/series-buffer.js';
import { configWith, container, fill, H, MIN, NOW, newStore, S } from './evaluate-fixtures.js';

// Issue 12 item 2: after the wall clock ran fast and was corrected, new points were dropped as
// "old", a reader threw on the empty window and the whole snapshot stopped moving.

const SEED = 20261201;

describe('a series follows the wall clock when it steps back', () => {
  it('whatever the sequence of timestamps, the newest append is the newest point and times stay ascending', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }), (times) => {
        const buffer = new SeriesBuffer(64, 4);
        times.forEach((t, i) => {
          buffer.append(t, i, 1e9);
          expect(buffer.timeAt(buffer.length - 1)).toBe(t);
        });
        for (let i = 1; i < buffer.length; i++) expect(buffer.timeAt(i)).toBeGreaterThan(buffer.timeAt(i - 1));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('evaluation after a clock step back', () => {
  const objectives = [
    { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99%', period: '1d', window: '5m' },
    { name: 'mem', indicator: { containerMemory: { containers: 'ml-serving*' } }, threshold: { max: '100MiB' } },
  ] as const;
  const config = configWith([...objectives]);
  const probe = { source: 'default', url: 'http://127.0.0.1:8095/health' };

  it('points written by a clock that ran ahead by longer than the window do not freeze the objective', () => {
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 24 * 60 }), (aheadMinutes) => {
        const store = newStore();
        // The clock was `aheadMinutes` fast for an hour, then corrected at NOW - 1 min.
        fill(store, 'probe_success', probe, NOW + aheadMinutes * MIN - H, NOW + aheadMinutes * MIN, 15 * S, () => 1);
        fill(store, 'probe_success', probe, NOW - MIN, NOW, 15 * S, () => 0);
        fill(store, 'container_memory_working_set_bytes', container('ml-serving-1'), NOW - 5 * MIN, NOW, 15 * S, () => 50 * 2 ** 20);
        const [uptime, mem] = evaluate(config, store, NOW).services[0]!.objectives;
        // The failed probes after the correction are read (the value moves), and they are the newest data.
        expect(uptime!.value?.value).toBeLessThan(1);
        expect(uptime!.dataAgeSeconds).toBe(0);
        expect(mem!.status).toBe('ok');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("an objective whose reader throws is that objective's error; the others are evaluated as without it", () => {
    const metrics = ['probe_success', 'probe_duration_seconds', 'container_memory_working_set_bytes'];
    fc.assert(
      fc.property(fc.constantFrom(...metrics), fc.string({ minLength: 1, maxLength: 40 }), (poisoned, message) => {
        const store = newStore();
        fill(store, 'probe_success', probe, NOW - H, NOW, 15 * S, () => 1);
        fill(store, 'container_memory_working_set_bytes', container('ml-serving-1'), NOW - 5 * MIN, NOW, 15 * S, () => 50 * 2 ** 20);
        const healthy = evaluate(config, store, NOW).services[0]!.objectives;
        const broken = evaluate(config, throwingOn(store, poisoned, message), NOW).services[0]!.objectives;
        const victim = poisoned.startsWith('probe') ? 0 : 1;
        expect(broken[victim]!.status).toBe('no_data');
        expect(broken[victim]!.error).toContain(message);
        expect(broken[1 - victim]).toEqual(healthy[1 - victim]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('snapshot age is measured on the monotonic clock', () => {
  it('grows with the monotonic clock only, and restarts at each publish', () => {
    let mono = 1_000;
    const holder = new SnapshotHolder(() => mono);
    expect(holder.ageMs()).toBeNull();
    holder.publish({ evaluatedAt: NOW, services: [], sources: [] });
    mono += 42_000;
    expect(holder.ageMs()).toBe(42_000);
    holder.publish({ evaluatedAt: NOW - 3 * H, services: [], sources: [] });
    expect(holder.ageMs()).toBe(0);
  });
});

/** The store, but reading `metric` throws (a reader bug, or data no reader expected). */
function throwingOn(store: SampleStore, metric: string, message: string): SampleStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'select') {
        return (m: string, match?: (l: Record<string, string>) => boolean) => {
          if (m === metric) throw new Error(message);
          return target.select(m, match);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
