import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { configWith, H, MIN, NOW, newStore, S } from './evaluate-fixtures.js';

// A scrape-backed ratio rests only on what vigil scraped itself: its compliance and budget must say
// how much of the period that is (it used to be null, which the API documents as "Prometheus keeps
// the history", hiding a 30-day budget computed from four minutes).
describe('scrape-backed ratio objectives report their coverage', () => {
  const config = configWith(
    [
      {
        name: 'availability',
        indicator: {
          ratio: { source: 'direct', errors: 'sum(rate(req_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(req_total[{{window}}]))' },
        },
        target: '99%',
        period: '1d',
      },
    ],
    { sources: { scrape: { direct: { url: 'http://127.0.0.1:8095/metrics' } } } },
  );

  it('coverage = stored history / period', () => {
    const store = newStore();
    // Six hours of scrapes every 15 s: 10 req per scrape, 1 in 100 a 500.
    for (let t = NOW - 6 * H, i = 0; t <= NOW; t += 15 * S, i++) {
      store.append({ metric: 'scrape:req_total', labels: { source: 'direct', code: '200' }, t, value: i * 9.9 });
      store.append({ metric: 'scrape:req_total', labels: { source: 'direct', code: '500' }, t, value: i * 0.1 });
    }
    const av = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(av.source.kind).toBe('scrape');
    expect(av.complianceCoverage).toBeCloseTo(6 / 24, 3);
    expect(av.compliance).toBeCloseTo(0.99, 3);
  });

  it('four minutes of history is a small share of the period, not null', () => {
    const store = newStore();
    for (let t = NOW - 4 * MIN, i = 0; t <= NOW; t += 5 * S, i++) {
      store.append({ metric: 'scrape:req_total', labels: { source: 'direct', code: '200' }, t, value: i * 10 });
    }
    const av = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(av.complianceCoverage).toBeCloseTo(4 / (24 * 60), 4);
  });
});
