import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../../src/sources/scrape/exposition-parser.js';
import { expositionToPoints } from '../../../src/sources/scrape/scrape-source.js';

describe('parseExposition', () => {
  it('reads HELP, TYPE, labels with escapes, special values and timestamps', () => {
    const text = [
      '# HELP http_requests_total Requests served.\\nSecond line with a \\\\ backslash.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="POST",path="/a\\"b\\\\c\\nd",} 1027 1395066363000',
      'http_requests_total{ method = "GET" } 3',
      '# a free comment',
      '',
      'temperature -Inf',
      'ratio NaN',
      'big +Inf',
      'sci 1.5e-3\r',
      'gc_seconds Nan',
    ].join('\n');
    const { samples, families } = parseExposition(text);
    expect(families.get('http_requests_total')).toEqual({
      type: 'counter',
      help: 'Requests served.\nSecond line with a \\ backslash.',
    });
    expect(samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'POST', path: '/a"b\\c\nd' },
      series: 'http_requests_total{method="POST",path="/a\\"b\\\\c\\nd",}',
      value: 1027,
      timestampMs: 1395066363000,
    });
    expect(samples[1]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'GET' },
      series: 'http_requests_total{ method = "GET" }',
      value: 3,
    });
    expect(samples[2]!.value).toBe(Number.NEGATIVE_INFINITY);
    expect(samples[3]!.value).toBeNaN();
    expect(samples[4]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[5]).toEqual({ name: 'sci', labels: {}, series: 'sci', value: 0.0015 });
    // prom-client writes NaN as `Nan`; Prometheus reads the special values case-insensitively.
    expect(samples[6]!.value).toBeNaN();
    expect(samples).toHaveLength(7);
  });

  it('reads what prom-client serves, histogram buckets included', async () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'lat_seconds', help: 'h', labelNames: ['route'], buckets: [0.01, 0.1], registers: [registry] });
    const c = new Counter({ name: 'hits_total', help: 'c "quoted"', registers: [registry] });
    h.observe({ route: '/x' }, 0.005);
    h.observe({ route: '/x' }, 0.05);
    h.observe({ route: '/x' }, 5);
    c.inc(2);
    const { samples, families } = parseExposition(await registry.metrics());
    expect(families.get('lat_seconds')?.type).toBe('histogram');
    const buckets = samples.filter((s) => s.name === 'lat_seconds_bucket').map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ['0.01', 1],
      ['0.1', 2],
      ['+Inf', 3],
    ]);
    expect(samples.find((s) => s.name === 'lat_seconds_count')?.value).toBe(3);
    expect(samples.find((s) => s.name === 'lat_seconds_sum')?.value).toBeCloseTo(5.055, 9);
    expect(samples.find((s) => s.name === 'hits_total')?.value).toBe(2);
  });

  it.each([
    ['1abc 3', /expected a metric name/],
    ['m{a="1" 3', /expected "," or "}"/],
    ['m{a=1} 3', /quoted value/],
    ['m{a="1} 3', /unterminated/],
    ['m{a="1",a="2"} 3', /given twice/],
    ['m', /value/],
    ['m abc', /expected a number/],
    ['m 1 2.5', /integer timestamp/],
    ['m 1 2 3', /value \[timestamp\]/],
    ['# TYPE m histogramm', /unknown metric type/],
  ])('refuses %j with the line number', (line, message) => {
    const text = `ok 1\n${line}\n`;
    expect(() => parseExposition(text)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_SCRAPE_PARSE' }));
    expect(() => parseExposition(text)).toThrow(message);
    expect(() => parseExposition(text)).toThrow(/^line 2:/);
  });
});

describe('expositionToPoints', () => {
  it('prefixes names with scrape:, adds source, keeps a clashing source label as exported_source', () => {
    const points = expositionToPoints('ml', 'x_total{source="app",code="200"} 4\n', 1000);
    expect(points).toEqual([
      { metric: 'scrape:x_total', labels: { exported_source: 'app', code: '200', source: 'ml' }, t: 1000, value: 4 },
    ]);
  });
});
