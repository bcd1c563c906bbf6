import { describe, expect, it } from 'vitest';
import { errorRatioQuery, errorsQuery, isSingleAggregate, orZero, totalQuery } from '../../../src/promql/error-ratio-query.js';

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
    expect(orZero('sum by (route) (rate(x[5m]))')).toBe('sum by (route) (rate(x[5m]))');
    expect(errorRatioQuery({ errors: 'sum by (route) (rate(e[{{window}}]))', total: 'sum by (route) (rate(t[{{window}}]))' }, '5m')).toBe(
      'sum by (route) (rate(e[5m]))\n/\nsum by (route) (rate(t[5m]))',
    );
  });
});
