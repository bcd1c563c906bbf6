import type { BaselineFile, Figure } from '../../src/compare/baseline-schema.js';
import { type CompareOptions, compareFiles, figureValue, type Verdict } from '../../src/compare/compare.js';
import { type Random, seededRandom } from '../../src/compare/random.js';

/**
 * Synthetic measurements for the statistics of `vigil compare`: latencies drawn from a log-normal
 * (a right-skewed shape like real request latencies), kept raw (probe or load-test data) and also
 * counted into the example service's histogram buckets. A planted regression multiplies every
 * latency by a factor, so the P95 moves by exactly that factor.
 */

/** The example service's decide-latency buckets (src/examples/ml-serving/serving-metrics.ts). */
const BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5,
];

export function logNormalLatencies(random: Random, n: number, medianSeconds: number, sigma: number, factor = 1): number[] {
  return Array.from({ length: n }, () => medianSeconds * Math.exp(sigma * random.normal()) * factor);
}

function histogramOf(values: readonly number[]): Array<{ le: number | '+Inf'; count: number }> {
  const out: Array<{ le: number | '+Inf'; count: number }> = BUCKETS.map((le) => ({ le, count: values.filter((v) => v <= le).length }));
  out.push({ le: '+Inf', count: values.length });
  return out;
}

function figureOf(name: string, data: Figure['data']): Figure {
  return {
    name,
    objective: 'decide',
    measure: 'latency',
    unit: 'seconds',
    better: 'lower',
    tolerance: 0.05,
    value: data ? figureValue(data) : null,
    data,
  };
}

export function measurementOf(figures: Figure[], service = 'ml-services'): BaselineFile {
  return {
    format: 'vigil-measurement',
    version: 1,
    kind: 'baseline',
    service,
    started_at: '2026-12-01T10:00:00.000Z',
    ended_at: '2026-12-01T10:01:00.000Z',
    how: {
      command: 'synthetic',
      vigil_version: '0',
      node_version: process.version,
      host: 'test',
      sampling_rounds: 0,
      sampling_every_seconds: 0,
      seed: 0,
    },
    against: { config_file: null, slo_files: [], sources: [], load: null },
    figures,
  };
}

/** One run: raw P95 and histogram P95 figures from the same latencies. */
export function syntheticRun(random: Random, n: number, factor: number): BaselineFile {
  const values = logNormalLatencies(random, n, 0.02, 0.5, factor);
  return measurementOf([
    figureOf('decide.raw_p95', { kind: 'samples', statistic: { type: 'quantile', q: 0.95 }, values }),
    figureOf('decide.histogram_p95', { kind: 'histogram', q: 0.95, buckets: histogramOf(values) }),
  ]);
}

export interface VerdictRates {
  runs: number;
  /** Per figure name: how often each verdict came out. */
  byFigure: Record<string, Record<Verdict, number>>;
  /** Runs in which at least one figure was called regressed. */
  anyRegressed: number;
}

/** `runs` comparisons of a before and an after run (after's latencies × `factor`), each from its own seed. */
export function verdictRates(runs: number, n: number, factor: number, options: CompareOptions, seed = 1): VerdictRates {
  const byFigure: VerdictRates['byFigure'] = {};
  let anyRegressed = 0;
  for (let r = 0; r < runs; r++) {
    const random = seededRandom(seed * 100_003 + r);
    const before = syntheticRun(random, n, 1);
    const after = syntheticRun(random, n, factor);
    const result = compareFiles(before, after, { ...options, seed: r + 1 });
    if (result.regressed) anyRegressed++;
    for (const f of result.figures) {
      const counts = (byFigure[f.name] ??= { improved: 0, regressed: 0, 'no significant change': 0, 'not comparable': 0 });
      counts[f.verdict]++;
    }
  }
  return { runs, byFigure, anyRegressed };
}
