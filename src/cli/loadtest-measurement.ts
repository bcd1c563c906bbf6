import { hostname } from 'node:os';
import type { BaselineFile, Figure, FigureData } from '../compare/baseline-schema.js';
import { BASELINE_FORMAT, BASELINE_VERSION } from '../compare/baseline-schema.js';
import { figureValue } from '../compare/compare.js';
import { DEFAULT_TOLERANCE, MAX_RAW_VALUES, reservoir } from '../compare/measure.js';
import type { LoadtestReport, RunLatencies } from '../loadtest/run-loadtest.js';
import { vigilVersion } from './baseline-save.js';

/**
 * A load-test run as a saved measurement (`vigil loadtest --save`, `--compare`): the latencies the
 * generator recorded (raw, so the bootstrap resamples real responses), throughput and error ratio,
 * overall and per request kind. `kind: loadtest`, so it is only compared with another load test.
 */

function figure(name: string, measure: string, unit: Figure['unit'], better: Figure['better'], data: FigureData | null): Figure {
  return { name, objective: null, measure, unit, better, tolerance: DEFAULT_TOLERANCE, value: data ? figureValue(data) : null, data };
}

function latencyFigures(prefix: string, latenciesMs: Float64Array, seed: number): Figure[] {
  if (latenciesMs.length === 0) return [];
  const kept = reservoir(
    Array.from(latenciesMs, (ms) => ms / 1000),
    MAX_RAW_VALUES,
    seed,
  );
  const extra = kept.sampledFrom !== undefined ? { sampled_from: kept.sampledFrom } : {};
  return [0.5, 0.95, 0.99].map((q) =>
    figure(`${prefix}.p${q * 100}`, 'latency', 'seconds', 'lower', {
      kind: 'samples',
      statistic: { type: 'quantile', q },
      values: kept.values,
      ...extra,
    }),
  );
}

export function loadtestMeasurement(
  report: LoadtestReport,
  latencies: RunLatencies,
  meta: { service: string; command: string; seed: number; load: Record<string, string | number | boolean | null> },
): BaselineFile {
  const attempts = report.responses + report.errors.connection;
  const figures: Figure[] = [
    ...latencyFigures('all', latencies.overallMs, meta.seed),
    figure(
      'all.throughput',
      'throughput',
      'per_second',
      'higher',
      report.durationS > 0 ? { kind: 'rate', events: report.responses, seconds: report.durationS } : null,
    ),
    figure(
      'all.error_ratio',
      'error_ratio',
      'ratio',
      'lower',
      attempts > 0 ? { kind: 'proportion', successes: report.errors.server + report.errors.connection, trials: attempts } : null,
    ),
  ];
  if (latencies.perKindMs.size > 1) for (const [kind, ms] of latencies.perKindMs) figures.push(...latencyFigures(kind, ms, meta.seed));
  const started = Date.parse(report.startedAt);
  return {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    kind: 'loadtest',
    service: meta.service,
    started_at: report.startedAt,
    ended_at: new Date(started + report.durationS * 1000).toISOString(),
    how: {
      command: meta.command,
      vigil_version: vigilVersion(),
      node_version: process.version,
      host: hostname(),
      sampling_rounds: 0,
      sampling_every_seconds: 0,
      seed: meta.seed,
    },
    against: { config_file: null, slo_files: [], sources: [], load: { ...meta.load, target: report.target, mode: report.mode } },
    figures,
  };
}
