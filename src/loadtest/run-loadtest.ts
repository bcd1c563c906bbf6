import { executeRun, type Measured } from './execute-run.js';
import { judgeRun, toReport } from './judge-run.js';
import type { LoadtestReport } from './report-schema.js';
import { type LoadtestOptions, planRun } from './run-plan.js';

export type { Check, KindReport, LoadtestReport, StressStep } from './report-schema.js';
export type { LoadtestOptions, StressOptions } from './run-plan.js';

/**
 * Every response's latency (ms) from its intended start (the due time of an open model's
 * arrival), as the report's percentiles are: overall and per request kind (the last step of a
 * stress run, as the report's per-kind figures). What `--save` and `--compare` resample.
 */
export interface RunLatencies {
  readonly overallMs: Float64Array;
  readonly perKindMs: ReadonlyMap<string, Float64Array>;
}

export interface LoadtestRun {
  readonly report: LoadtestReport;
  readonly latencies: RunLatencies;
}

function latenciesOf(measured: Measured): RunLatencies {
  return {
    overallMs: measured.overall.latencies(),
    perKindMs: new Map([...measured.perKind].map(([kind, recorder]) => [kind, recorder.latencies()])),
  };
}

/**
 * A load test in four typed steps: plan it (every default filled in), run it (measure), judge it
 * (objectives and checks), report it (one plain value), with the raw latencies the report was
 * summarised from beside it.
 */
export async function runLoadtestWithLatencies(options: LoadtestOptions): Promise<LoadtestRun> {
  const plan = await planRun(options);
  const measured = await executeRun(plan);
  return { report: toReport(plan, measured, judgeRun(plan, measured)), latencies: latenciesOf(measured) };
}

/** `runLoadtest({ url, rate })` is enough from code: one minute at that rate against that URL. */
export async function runLoadtest(options: LoadtestOptions): Promise<LoadtestReport> {
  return (await runLoadtestWithLatencies(options)).report;
}
