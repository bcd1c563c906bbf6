import type { LatencyRecorder } from './latency-recorder.js';
import type { ObjectiveVerdict } from './report-schema.js';

/**
 * The judgement of one stress step, pure: why it broke (empty when it held). A step breaks on
 * errors past the bound, on a throughput shortfall (the service saturated), on an objective its own
 * measurements break, and on an objective vigil's evaluation has in breach at the step's end.
 */
export interface StepInputs {
  readonly step: LatencyRecorder;
  readonly rate: number;
  readonly seconds: number;
  readonly maxErrorRatio: number;
  /** Share of the asked rate that must be answered. */
  readonly minShare: number;
  /** Client-side verdicts on this step's measurements. */
  readonly verdicts: readonly ObjectiveVerdict[];
  /** `name: value` of objectives vigil has in breach. */
  readonly vigilBreaches: readonly string[];
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export function errorRatioOf(r: LatencyRecorder): number {
  return r.attempts ? (r.serverErrors + r.connectionErrors) / r.attempts : 0;
}

export function stepReasons(input: StepInputs): string[] {
  const reasons: string[] = [];
  const errors = errorRatioOf(input.step);
  if (errors > input.maxErrorRatio) reasons.push(`errors ${pct(errors)} > ${pct(input.maxErrorRatio)}`);
  const achieved = input.step.responses / input.seconds;
  if (achieved < input.rate * input.minShare) reasons.push(`answered ${achieved.toFixed(0)} req/s of ${input.rate} asked`);
  for (const v of input.verdicts) {
    if (v.verdict !== 'broken' || !v.client) continue;
    const c = v.client;
    reasons.push(
      c.what === 'good share'
        ? `${v.objective}: good share ${pct(c.value)} < ${pct(c.bound)}`
        : `${v.objective}: ${c.what.replace(' (ms)', '')} ${c.value.toFixed(1)}ms > ${Number(c.bound.toPrecision(6))}ms`,
    );
  }
  for (const b of input.vigilBreaches) reasons.push(`${b} by vigil`);
  return reasons;
}

/** The next step's rate, or null past `maxRate`. */
export function nextStressRate(rate: number, factor: number, maxRate: number): number | null {
  const next = Math.max(rate + 1, Math.ceil(rate * factor));
  return next > maxRate ? null : next;
}
