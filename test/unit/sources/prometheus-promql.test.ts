import type { QueryResult } from 'prometheus-query';
import { describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../../src/config/config.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import { fillWindow } from '../../../src/promql/fill-window.js';
import { bucketSelector } from '../../../src/promql/metric-suffix.js';
import { singleValue } from '../../../src/sources/prometheus/prometheus-source.js';
import { buildQueries, refreshIntervalMs } from '../../../src/sources/prometheus/promql-builder.js';

function file(objectives: unknown[]): LoadedSloFile {
  return {
    path: 'slo/ml.yaml',
    slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'ml-services', objectives }),
  };
}

describe('bucketSelector', () => {
  it('appends _bucket to the metric name and keeps the matchers', () => {
    expect(bucketSelector('http_request_duration_seconds{route="/api/decide",code=~"2.."}')).toBe(
      'http_request_duration_seconds_bucket{route="/api/decide",code=~"2.."}',
    );
    expect(bucketSelector(' rpc_seconds ')).toBe('rpc_seconds_bucket');
    expect(bucketSelector('{__name__="rpc_seconds", job="x"}')).toBe('{__name__="rpc_seconds_bucket", job="x"}');
    expect(bucketSelector('already_bucket{a="b"}')).toBe('already_bucket{a="b"}');
  });

  it('refuses what is not a plain selector', () => {
    expect(() => bucketSelector('rate(x[5m])')).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_PROMQL_SELECTOR' }));
    expect(() => bucketSelector('x{a="b"}[5m]')).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_PROMQL_SELECTOR' }));
    expect(() => bucketSelector('{job="x"}')).toThrow(/metric name/);
  });
});

describe('buildQueries', () => {
  const files = [
    file([
      {
        name: 'decide-latency-p95',
        indicator: { latency: { histogram: 'http_request_duration_seconds{route="/decide"}', quantile: 0.95 } },
        threshold: { max: '50ms' },
        window: '5m',
      },
      {
        name: 'decide-availability',
        indicator: {
          ratio: {
            errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))',
            total: 'sum(rate(http_requests_total[{{window}}]))',
          },
        },
        target: '99.9%',
        period: '28d',
        window: '10m',
      },
      {
        name: 'decide-good',
        indicator: { ratio: { source: 'other', good: 'sum(rate(ok[{{window}}]))', total: 'sum(rate(all[{{window}}]))' } },
        target: '99%',
      },
      { name: 'queue-depth', indicator: { promql: { query: 'max(queue_depth)' } }, threshold: { max: 100 } },
      { name: 'cache', indicator: { redisHitRatio: {} }, threshold: { min: '80%' } },
    ]),
  ];

  it('builds a histogram quantile over the objective window', () => {
    const { queries } = buildQueries('default', files, SHIPPED_WINDOW_SETS);
    expect(queries.filter((q) => q.objective === 'decide-latency-p95')).toEqual([
      {
        service: 'ml-services',
        objective: 'decide-latency-p95',
        part: 'value',
        window: '5m',
        query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{route="/decide"}[5m])))',
      },
    ]);
  });

  it('builds the error ratio for every burn-rate window, the objective window and the period', () => {
    const ratio = buildQueries('default', files, SHIPPED_WINDOW_SETS).queries.filter((q) => q.objective === 'decide-availability');
    expect(ratio.map((q) => q.window)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '10m', '28d']);
    expect(ratio.every((q) => q.part === 'ratio')).toBe(true);
    // No 5xx so far means no errors series at all: `or vector(0)` keeps the ratio at 0, not "no data".
    expect(ratio[2]!.query).toBe('(sum(rate(http_requests_total{code=~"5.."}[1h])) or vector(0))\n/\nsum(rate(http_requests_total[1h]))');
  });

  it('builds 1 - good/total, and only for objectives of this instance', () => {
    const other = buildQueries('other', files, SHIPPED_WINDOW_SETS).queries;
    expect(new Set(other.map((q) => q.objective))).toEqual(new Set(['decide-good']));
    expect(other[0]!.query).toBe('1 - ((sum(rate(ok[5m])) or vector(0))\n/\nsum(rate(all[5m])))');
    // 5m is both a burn-rate window and the default objective window: asked once.
    expect(other.map((q) => q.window)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
  });

  it('passes raw promql as is, with an empty window label', () => {
    const q = buildQueries('default', files, SHIPPED_WINDOW_SETS).queries.find((x) => x.objective === 'queue-depth');
    expect(q).toMatchObject({ part: 'value', window: '', query: 'max(queue_depth)' });
  });

  it('fills a raw promql `{{window}}` with the objective window, as the generated rules do', () => {
    const f = file([
      { name: 'q', indicator: { promql: { query: 'max(rate(jobs_failed_total[{{window}}]))' } }, threshold: { max: 1 }, window: '10m' },
    ]);
    expect(buildQueries('default', [f], SHIPPED_WINDOW_SETS).queries[0]).toMatchObject({
      window: '',
      query: 'max(rate(jobs_failed_total[10m]))',
    });
  });

  it('reports an unbuildable selector as a problem of that objective only', () => {
    const bad = file([
      { name: 'bad', indicator: { latency: { histogram: 'rate(x[5m])' } }, threshold: { max: '1s' } },
      { name: 'good', indicator: { promql: { query: 'up' } }, threshold: { min: 1 } },
    ]);
    const { queries, problems } = buildQueries('default', [bad], SHIPPED_WINDOW_SETS);
    expect(queries.map((q) => q.objective)).toEqual(['good']);
    expect(problems).toEqual([{ service: 'ml-services', objective: 'bad', message: expect.stringContaining('rate(x[5m])') }]);
  });

  it('fills every {{window}}', () => {
    expect(fillWindow('a[{{window}}] / b[{{ window }}]', '1h')).toBe('a[1h] / b[1h]');
  });
});

describe('singleValue', () => {
  const vector = (...values: number[]) =>
    ({
      resultType: 'vector',
      result: values.map((value) => ({ metric: {}, value: { time: new Date(), value } })),
    }) as unknown as QueryResult;

  it('reads one sample, an empty vector as no data, NaN as no data', () => {
    expect(singleValue(vector(0.042))).toEqual({ value: 0.042 });
    expect(singleValue(vector())).toEqual({ value: null });
    expect(singleValue(vector(Number.NaN))).toEqual({ value: null });
    expect(singleValue({ resultType: 'scalar', result: [1, '3.5'] } as unknown as QueryResult)).toEqual({ value: 3.5 });
  });

  it('refuses several series and +Inf with a reason', () => {
    expect(singleValue(vector(1, 2))).toEqual({ problem: expect.stringContaining('returned 2 series') });
    expect(singleValue(vector(Infinity))).toEqual({ problem: expect.stringContaining('+Inf') });
  });
});

describe('refreshIntervalMs', () => {
  it('asks short windows every sample and long ones at most every 1/720 of their length, capped at 1 h', () => {
    expect(refreshIntervalMs('')).toBe(0);
    expect(refreshIntervalMs('5m')).toBeLessThan(1_000);
    expect(refreshIntervalMs('1h')).toBe(5_000);
    expect(refreshIntervalMs('1d')).toBe(120_000);
    expect(refreshIntervalMs('4w2d')).toBe(3_600_000);
    expect(refreshIntervalMs('90d')).toBe(3_600_000);
  });
});
