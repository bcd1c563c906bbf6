import { describe, expect, it } from 'vitest';
import { matchesSelector, parseRangeQuery, parseSelector } from '../../../src/sources/scrape/promql-subset.js';

describe('parseSelector', () => {
  it('reads a metric with every matcher kind, both quote styles and escapes', () => {
    expect(parseSelector(`http_request_duration_seconds{route="/decide", code=~'5..',method!="GET",x!~"a\\"b" }`)).toEqual({
      metric: 'http_request_duration_seconds',
      matchers: [
        { name: 'route', op: '=', value: '/decide' },
        { name: 'code', op: '=~', value: '5..' },
        { name: 'method', op: '!=', value: 'GET' },
        { name: 'x', op: '!~', value: 'a"b' },
      ],
    });
    expect(parseSelector('up')).toEqual({ metric: 'up', matchers: [] });
    expect(parseSelector('up{}')).toEqual({ metric: 'up', matchers: [] });
  });

  it('refuses what it does not support, with the code and the supported shape', () => {
    for (const bad of ['{route="/x"}', 'm{route="/x"', 'm{route=/x}', 'm{a=~"("}', 'm offset 5m', 'm{a=="x"}']) {
      expect(() => parseSelector(bad), bad).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_SCRAPE_UNSUPPORTED_QUERY' }));
    }
    try {
      parseSelector('rate(m[5m])');
    } catch (err) {
      expect((err as { code: string }).code).toBe('VIGIL_ERR_SCRAPE_UNSUPPORTED_QUERY');
      expect((err as Error).message).toMatch(/use a prometheus source/);
    }
  });
});

describe('parseRangeQuery', () => {
  it('reads sum(rate(...[{{window}}])) as in slo/ml-services.yaml', () => {
    expect(parseRangeQuery('sum(rate(http_requests_total{code=~"5.."}[{{window}}]))')).toEqual({
      fn: 'rate',
      selector: { metric: 'http_requests_total', matchers: [{ name: 'code', op: '=~', value: '5..' }] },
      windowMs: null,
    });
    // The same placeholder syntax as everywhere else in vigil (src/promql/fill-window.ts).
    expect(parseRangeQuery('sum(rate(x_total[{{ window }}]))').windowMs).toBeNull();
  });

  it('reads increase and a literal window', () => {
    expect(parseRangeQuery(' sum ( increase ( x_total [ 5m ] ) ) ')).toEqual({
      fn: 'increase',
      selector: { metric: 'x_total', matchers: [] },
      windowMs: 300_000,
    });
  });

  it.each([
    'rate(x_total[5m])',
    'sum(rate(x_total[5m])) / 2',
    'sum by (code) (rate(x_total[5m]))',
    'avg(rate(x_total[5m]))',
    'sum(irate(x_total[5m]))',
    'sum(rate(x_total))',
    'sum(rate(x_total[five]))',
    'histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))',
  ])('refuses %j clearly', (query) => {
    expect(() => parseRangeQuery(query)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_SCRAPE_UNSUPPORTED_QUERY' }));
    expect(() => parseRangeQuery(query)).toThrow(/sum\(rate\(metric\{matchers\}\[\{\{window\}\}\]\)\)/);
  });
});

describe('matchesSelector', () => {
  const { matchers } = parseSelector('m{code=~"5..",route!~"/health|/metrics",method="POST",zone!="eu"}');
  it('anchors regexes and treats a missing label as empty', () => {
    expect(matchesSelector({ code: '503', route: '/decide', method: 'POST' }, matchers)).toBe(true);
    expect(matchesSelector({ code: '5003', route: '/decide', method: 'POST' }, matchers)).toBe(false);
    expect(matchesSelector({ code: '500', route: '/health', method: 'POST' }, matchers)).toBe(false);
    expect(matchesSelector({ code: '500', route: '/healthz', method: 'POST' }, matchers)).toBe(true);
    expect(matchesSelector({ code: '500', route: '/x', method: 'POST', zone: 'eu' }, matchers)).toBe(false);
    expect(matchesSelector({ code: '500', route: '/x' }, matchers)).toBe(false);
    expect(matchesSelector({}, parseSelector('m{zone=""}').matchers)).toBe(true);
  });
});
