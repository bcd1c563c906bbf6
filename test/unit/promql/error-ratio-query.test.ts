import { describe, expect, it } from 'vitest';
import {
  errorRatioQuery,
  errorsQuery,
  isGroupedAggregate,
  isSingleAggregate,
  orZero,
  totalQuery,
} from '../../../src/promql/error-ratio-query.js';

describe('error ratio query', () => {
  const errors = { errors: 'sum(rate(req_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(req_total[{{window}}]))' };
  const good = { good: 'sum(rate(req_total{code!~"5.."}[{{ window }}]))', total: 'sum(rate(req_total[{{window}}]))' };

  it('writes errors/total with a missing errors series read as zero', () => {
    expect(errorRatioQuery(errors, '5m')).toBe('(sum(rate(req_total{code=~"5.."}[5m])) or vector(0))\n/\nsum(rate(req_total[5m]))');
    expect(errorsQuery(errors, '1h')).toBe('sum(rate(req_total{code=~"5.."}[1h])) or vector(0)');
    expect(totalQuery(errors, '1h')).toBe('sum(rate(req_total[1h]))');
  });

  it('writes 1 - good/total and total - good, a missing good series read as zero', () => {
    expect(errorRatioQuery(good, '5m')).toBe('1 - ((sum(rate(req_total{code!~"5.."}[5m])) or vector(0))\n/\nsum(rate(req_total[5m])))');
    expect(errorsQuery(good, '5m')).toBe('sum(rate(req_total[5m])) - (sum(rate(req_total{code!~"5.."}[5m])) or vector(0))');
  });

  it('adds `or vector(0)` only to one aggregated value without grouping', () => {
    expect(isSingleAggregate(' sum(rate(x[5m])) ')).toBe(true);
    expect(isSingleAggregate('count (up{job="a"})')).toBe(true);
    expect(isSingleAggregate('sum by (route) (rate(x[5m]))')).toBe(false);
    expect(isSingleAggregate('sum(rate(a[5m])) + sum(rate(b[5m]))')).toBe(false);
    expect(isSingleAggregate('rate(x[5m])')).toBe(false);
    expect(orZero('rate(x[5m])', 'rate(t[5m])')).toBe('rate(x[5m])');
    expect(orZero('sum(rate(a[5m])) + sum(rate(b[5m]))', 'sum(rate(t[5m]))')).toBe('sum(rate(a[5m])) + sum(rate(b[5m]))');
  });

  // Issue 12 item 11: a grouped side used to be left as written, so a group without errors read
  // "no data" and a group with only errors had no good series, hence no ratio and no alert.
  it.each(['sum', 'count', 'max', 'avg'])('counts a missing group as zero events on a side aggregated %s by labels', (agg) => {
    for (const grouping of ['by (route)', 'by (route, code)', 'without (instance)']) {
      const side = (metric: string) => `${agg} ${grouping} (rate(${metric}[{{window}}]))`;
      expect(isGroupedAggregate(side('x'))).toBe(true);
      const total = side('t').replace('{{window}}', '5m');
      expect(errorRatioQuery({ errors: side('e'), total: side('t') }, '5m')).toBe(
        `(${side('e').replace('{{window}}', '5m')} or ${total} * 0)\n/\n${total}`,
      );
      expect(errorRatioQuery({ good: side('g'), total: side('t') }, '5m')).toBe(
        `1 - ((${side('g').replace('{{window}}', '5m')} or ${total} * 0)\n/\n${total})`,
      );
    }
  });
});
