import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineFileSchema } from '../../../src/compare/baseline-schema.js';
import { measureService, reservoir } from '../../../src/compare/measure.js';
import { recordMeasurement } from '../../../src/compare/record.js';
import type { Config } from '../../../src/config/config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Snapshot } from '../../../src/snapshot/snapshot-schema.js';
import { SampleStore } from '../../../src/store/sample-store.js';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const T1 = T0 + 10_000;

let dir: string;
let config: Config;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-measure-'));
  writeFileSync(
    join(dir, 'slo.yaml'),
    `apiVersion: vigil/v1
kind: ServiceLevels
service: svc
objectives:
  - name: decide
    indicator: { latency: { histogram: 'req_seconds{route="/d"}', quantile: 0.9 } }
    threshold: { max: 50ms }
    tolerance: 2%
  - name: errors
    indicator:
      ratio: { errors: 'sum(rate(reqs_total{code="500"}[{{window}}]))', total: 'sum(rate(reqs_total[{{window}}]))' }
    target: 99%
  - name: cache
    indicator: { redisHitRatio: {} }
    threshold: { min: 80% }
  - name: accuracy
    indicator: { promql: { source: prom, query: 'model_holdout_accuracy' } }
    threshold: { min: 0.9 }
`,
  );
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `slo: [slo.yaml]
sources:
  scrape: { default: { url: 'http://127.0.0.1:1/metrics' } }
  redis: { default: { url: 'redis://127.0.0.1:1' } }
  prometheus: { prom: { url: 'http://127.0.0.1:1' } }
`,
  );
  const loaded = await loadConfig({ configPath: join(dir, 'vigil.yaml'), cwd: dir, env: {} });
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('; '));
  config = loaded.config;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function store(): SampleStore {
  const s = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 100 });
  const bucket = (le: string, a: number, b: number) => {
    const labels = { source: 'default', route: '/d', le };
    s.appendRaw('scrape:req_seconds_bucket', labels, T0, a);
    s.appendRaw('scrape:req_seconds_bucket', labels, T1, b);
  };
  bucket('0.01', 100, 150);
  bucket('0.05', 200, 290);
  bucket('+Inf', 210, 310);
  const reqs = (code: string, a: number, b: number) => {
    s.appendRaw('scrape:reqs_total', { source: 'default', code }, T0, a);
    s.appendRaw('scrape:reqs_total', { source: 'default', code }, T1, b);
  };
  reqs('200', 1000, 1990);
  reqs('500', 5, 15);
  for (const [metric, a, b] of [
    ['redis_keyspace_hits_total', 50, 130],
    ['redis_keyspace_misses_total', 10, 30],
  ] as const) {
    s.appendRaw(metric, { source: 'default', run_id: 'r' }, T0, a);
    s.appendRaw(metric, { source: 'default', run_id: 'r' }, T1, b);
  }
  return s;
}

describe('measureService', () => {
  it('turns the store into figures with the data behind them', () => {
    // A gauge (here a model's holdout accuracy from Prometheus) is read from the evaluation after each round.
    const round = (value: number | null) =>
      ({
        services: [
          {
            service: 'svc',
            objectives: [
              {
                name: 'accuracy',
                status: value === null ? 'no_data' : 'ok',
                value: value === null ? null : { value, unit: 'number', display: '' },
              },
            ],
          },
        ],
      }) as unknown as Snapshot;
    const rounds = [round(0.91), round(null), round(0.93), round(0.92)];
    const figures = measureService({ config, slo: config.services[0]!.slo, store: store(), from: T0 - 1, to: T1, rounds, seed: 1 });
    const byName = Object.fromEntries(figures.map((f) => [f.name, f]));
    expect(Object.keys(byName)).toEqual([
      'decide.p50',
      'decide.p90',
      'decide.p99',
      'decide.throughput',
      'errors.error_ratio',
      'cache.hit_ratio',
      'accuracy.mean',
    ]);
    expect(byName['decide.p90']).toMatchObject({
      tolerance: 0.02,
      better: 'lower',
      data: {
        kind: 'histogram',
        q: 0.9,
        buckets: [
          { le: 0.01, count: 50 },
          { le: 0.05, count: 90 },
          { le: '+Inf', count: 100 },
        ],
      },
    });
    // 100 requests in 10 s.
    expect(byName['decide.throughput']).toMatchObject({ data: { kind: 'rate', events: 100, seconds: 10.001 } });
    expect(byName['decide.throughput']!.value).toBeCloseTo(10, 2);
    // Counts, not rates: 10 errors of 1000 requests.
    expect(byName['errors.error_ratio']).toMatchObject({ value: 0.01, data: { kind: 'proportion', successes: 10, trials: 1000 } });
    expect(byName['cache.hit_ratio']).toMatchObject({
      better: 'higher',
      value: 0.8,
      data: { kind: 'proportion', successes: 80, trials: 100 },
    });
    expect(byName['accuracy.mean']).toMatchObject({
      better: 'higher',
      tolerance: 0.05,
      data: { kind: 'samples', statistic: { type: 'mean' }, values: [0.91, 0.93, 0.92] },
    });
    expect(byName['accuracy.mean']!.value).toBeCloseTo(0.92, 10);
  });

  it('figures without data say so (value null) rather than 0', () => {
    const empty = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 100 });
    const figures = measureService({ config, slo: config.services[0]!.slo, store: empty, from: T0, to: T1, rounds: [], seed: 1 });
    expect(figures.every((f) => f.value === null && f.data === null)).toBe(true);
  });
});

describe('reservoir', () => {
  it('keeps everything up to the cap, and a seeded, reproducible subset beyond it', () => {
    expect(reservoir([1, 2, 3], 5, 1)).toEqual({ values: [1, 2, 3] });
    const many = Array.from({ length: 1000 }, (_, i) => i);
    const a = reservoir(many, 100, 7);
    expect(a.values).toHaveLength(100);
    expect(a.sampledFrom).toBe(1000);
    expect(reservoir(many, 100, 7)).toEqual(a);
    expect(new Set(a.values).size).toBe(100);
  });
});

describe('recordMeasurement', () => {
  it('says when, how and against what, and never writes a password', async () => {
    const secretDir = mkdtempSync(join(tmpdir(), 'vigil-record-'));
    try {
      writeFileSync(
        join(secretDir, 'slo.yaml'),
        'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: svc\nobjectives:\n  - name: cache\n    indicator: { redisHitRatio: {} }\n    threshold: { min: 80% }\n',
      );
      writeFileSync(
        join(secretDir, 'vigil.yaml'),
        "slo: [slo.yaml]\nsources:\n  redis: { default: { url: 'redis://:s3cr3t-pw@127.0.0.1:6379/0' } }\n",
      );
      const loaded = await loadConfig({ configPath: join(secretDir, 'vigil.yaml'), cwd: secretDir, env: {} });
      if (!loaded.ok) throw new Error('config did not load');
      const how = {
        command: 'vigil baseline',
        vigil_version: '0',
        node_version: 'v20',
        host: 'h',
        sampling_rounds: 3,
        sampling_every_seconds: 2,
        seed: 1,
      };
      const file = recordMeasurement({ kind: 'baseline', service: 'svc', config: loaded.config, from: T0, to: T1, figures: [], how });
      expect(file).toMatchObject({
        format: 'vigil-measurement',
        version: 1,
        started_at: '2026-12-01T10:00:00.000Z',
        ended_at: '2026-12-01T10:00:10.000Z',
      });
      expect(file.against.sources).toEqual([{ kind: 'redis', name: 'default', target: 'redis://:***@127.0.0.1:6379/0' }]);
      expect(JSON.stringify(file)).not.toContain('s3cr3t-pw');
      expect(baselineFileSchema.safeParse(file).success).toBe(true);
    } finally {
      rmSync(secretDir, { recursive: true, force: true });
    }
  });
});
