import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Labels } from '../../../src/store/point.js';
import { SampleStore } from '../../../src/store/sample-store.js';

// The store's label index only narrows a scan: `select` with `where` must give what the predicate
// alone gives, whatever series were written, pruned or rewritten.

const value = fc.constantFrom('a', 'b', 'c', '');
const labels = fc.record({ service: value, route: value, source: value }, { requiredKeys: ['source'] });
const series = fc.record({ metric: fc.constantFrom('m1', 'm2'), labels, t: fc.integer({ min: 0, max: 100 }) });

const ids = (xs: readonly { id: string }[]) => xs.map((s) => s.id).sort();

describe('SampleStore label index', () => {
  it('select with `where` equals select by the predicate alone, across writes and prunes', () => {
    fc.assert(
      fc.property(fc.array(series, { maxLength: 60 }), labels, fc.integer({ min: 0, max: 200 }), (writes, wanted, pruneAt) => {
        const store = new SampleStore({ retentionMs: 50, maxPointsPerSeries: 16 });
        for (const w of writes) store.appendRaw(w.metric, w.labels as Labels, w.t, 1);
        store.prune(pruneAt);
        // Rewrite a few after the prune: series come back and must be indexed again.
        for (const w of writes.slice(0, 5)) store.appendRaw(w.metric, w.labels as Labels, pruneAt + 1, 2);
        const where: Record<string, string> = {};
        for (const [k, v] of Object.entries(wanted)) if (v !== undefined && v !== '') where[k] = v;
        const match = (l: Labels) => Object.entries(where).every(([k, v]) => l[k] === v);
        for (const metric of ['m1', 'm2', 'absent']) {
          expect(ids(store.select(metric, match, where))).toEqual(ids(store.select(metric, match)));
        }
      }),
    );
  });

  it('a label value no series carries selects nothing', () => {
    const store = new SampleStore({ retentionMs: 1000, maxPointsPerSeries: 16 });
    store.appendRaw('m', { source: 's', service: 'x' }, 1, 1);
    expect(store.select('m', () => true, { service: 'y' })).toEqual([]);
    expect(store.select('m', () => true, { service: 'x' })).toHaveLength(1);
  });
});
