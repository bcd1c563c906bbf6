import { describe, expect, it } from 'vitest';
import { fillWindow } from '../../../src/promql/fill-window.js';
import { withMetricSuffix } from '../../../src/promql/metric-suffix.js';
import { globToRegex, matchers, paren, promDuration, promNumber } from '../../../src/promql/promql-text.js';

describe('PromQL helpers', () => {
  it('writes windows as Prometheus users do, days never as weeks', () => {
    expect(promDuration(300_000)).toBe('5m');
    expect(promDuration(30 * 86_400_000)).toBe('30d');
    expect(promDuration(90 * 60_000)).toBe('1h30m');
  });

  it('fills {{window}} (with or without spaces)', () => {
    expect(fillWindow('rate(x[{{window}}]) / rate(y[{{ window }}])', promDuration(3_600_000))).toBe('rate(x[1h]) / rate(y[1h])');
  });

  it('prints numbers without float noise', () => {
    expect(promNumber(1 - 0.999)).toBe('0.001');
    expect(promNumber(0.02 * 720)).toBe('14.4');
    expect(promNumber(2 * 2 ** 30)).toBe('2147483648');
  });

  it('turns a container glob into an escaped regex', () => {
    expect(globToRegex('ml-serving*')).toBe('ml-serving.*');
    expect(globToRegex('a.b?')).toBe('a\\.b.');
    expect(matchers([['container', '=~', globToRegex('a.b*')]])).toBe('{container=~"a\\\\.b.*"}');
  });

  it('puts a suffix on a histogram metric name, keeping its matchers', () => {
    expect(withMetricSuffix('http_request_duration_seconds{route="/decide"}', '_bucket')).toBe(
      'http_request_duration_seconds_bucket{route="/decide"}',
    );
    expect(withMetricSuffix('ml_inference_seconds', '_count')).toBe('ml_inference_seconds_count');
    // One selector rule for the daemon and the rules: the {__name__="..."} form and a stray _bucket are understood.
    expect(withMetricSuffix('{__name__="x"}', '_bucket')).toBe('{__name__="x_bucket"}');
    expect(withMetricSuffix('x_bucket{a="b"}', '_count')).toBe('x_count{a="b"}');
    expect(() => withMetricSuffix('{job="x"}', '_bucket')).toThrow(/metric name/);
  });

  it('parenthesises only what needs it', () => {
    expect(paren('up{job="a"}')).toBe('up{job="a"}');
    expect(paren('sum(rate(x[5m]))')).toBe('sum(rate(x[5m]))');
    expect(paren('max by (c) (avg_over_time(x[5m]))')).toBe('max by (c) (avg_over_time(x[5m]))');
    expect(paren('sum(a) / sum(b)')).toBe('(sum(a) / sum(b))');
    expect(paren('a + b')).toBe('(a + b)');
    expect(paren('(a + b)')).toBe('(a + b)');
    expect(paren('(a) + (b)')).toBe('((a) + (b))');
    expect(paren('sum(x{l=")"}) - 1')).toBe('(sum(x{l=")"}) - 1)');
  });
});
