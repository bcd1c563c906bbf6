import { executeRun } from './execute-run.js';
import { judgeRun, toReport } from './judge-run.js';
import type { LoadtestReport } from './report-schema.js';
import { planRun, type LoadtestOptions } from './run-plan.js';

export type { LoadtestOptions, StressOptions } from './run-plan.js';
export type { Check, KindReport, LoadtestReport, StressStep } from './report-schema.js';

/**
 * A load test in four typed steps: plan it (every default filled in), run it (measure), judge it
 * (objectives and checks), report it (one plain value). `runLoadtest({ url, rate })` is enough
 * from code: one minute at that rate against that URL.
 */
export async function runLoadtest(options: LoadtestOptions): Promise<LoadtestReport> {
  const plan = await planRun(options);
  const measured = await executeRun(plan);
  return toReport(plan, measured, judgeRun(plan, measured));
}
