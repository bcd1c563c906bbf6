import { answersCheck } from './answer-check.js';
import type { Measured } from './execute-run.js';
import { LatencyRecorder, summarize } from './latency-recorder.js';
import { describeLeak } from './leak-text.js';
import type { TrafficKind } from './load-sender.js';
import type { Check, KindReport, LoadtestReport, ObjectiveVerdict, PerSecond, SoakResult, StressResult } from './report-schema.js';
import type { RunPlan } from './run-plan.js';
import { objectiveVerdicts } from './slo-verdicts.js';
import { errorRatioOf } from './stress-step.js';

/**
 * Steps 3 and 4 of a load test, pure: judge what was measured against the plan (objectives and
 * checks), then put plan, measurements and judgement into the report value.
 */

export interface Judgement {
  readonly checks: Check[];
  readonly objectives: ObjectiveVerdict[];
  readonly failed: string[];
  readonly passed: boolean;
}

const pctOf = (share: number) => `${Math.round(share * 100)}%`;

function errorBound(overall: LatencyRecorder, maxErrorRatio: number): Check {
  const ratio = errorRatioOf(overall);
  return {
    name: 'error-bound',
    held: ratio <= maxErrorRatio,
    value: ratio,
    bound: maxErrorRatio,
    detail: `${overall.serverErrors} server errors and ${overall.connectionErrors} unanswered of ${overall.attempts}`,
  };
}

/** A constant run sustained its rate when enough of the asked requests were answered over the planned duration. */
export function sustainedRate(responses: number, shape: { readonly rate: number; readonly durationMs: number }, minShare: number): Check {
  const answered = responses / (shape.durationMs / 1000);
  const bound = shape.rate * minShare;
  return {
    name: 'sustained-rate',
    held: answered >= bound,
    value: answered,
    bound,
    detail: `answered ${answered.toFixed(1)} req/s of ${shape.rate} asked (at least ${pctOf(minShare)} needed)`,
  };
}

/** A soak fails when the target's memory leaks; `suspected` is reported, not failed. */
function noLeak(soak: SoakResult): Check {
  const growth = soak.leak?.growthBytesPerHour ?? 0;
  return {
    name: 'no-leak',
    held: soak.leak?.verdict !== 'leak',
    value: growth,
    bound: 0,
    detail: soak.memorySource
      ? `memory (${soak.memorySource}): ${describeLeak(soak.leak)}`
      : `memory not followed: ${soak.memoryError ?? 'no source'}`,
  };
}

function stressChecks(stress: StressResult, minRate: number): Check[] {
  const held = stress.highestHeldRate ?? 0;
  const { recovery } = stress;
  return [
    {
      name: 'held-rate',
      held: held >= minRate,
      value: held,
      bound: minRate,
      detail: `highest rate that held: ${stress.highestHeldRate ?? 'none'} req/s (at least ${minRate} needed)`,
    },
    {
      name: 'recovery',
      held: recovery.answered,
      value: recovery.afterMs ?? -1,
      bound: 30_000,
      detail: recovery.answered
        ? `target answered ${recovery.afterMs} ms after the last step`
        : 'target did not answer within 30 s after the run',
    },
  ];
}

export function judgeRun(plan: RunPlan, measured: Measured): Judgement {
  const { shape } = plan;
  const checks: Check[] = [];
  if (shape.mode === 'stress') {
    if (measured.stress) checks.push(...stressChecks(measured.stress, shape.stress.minRate));
  } else {
    checks.push(errorBound(measured.overall, plan.maxErrorRatio));
    // Mostly 4xx means the run measured an error page, not the service (a wrong --url or path).
    checks.push(answersCheck(measured.overall, { base: plan.base, kinds: plan.kinds }, plan.maxErrorRatio));
    if (shape.mode === 'constant') checks.push(sustainedRate(measured.overall.responses, shape, plan.minShare));
    // A resumed soak's totals cover the whole soak: judged over its whole planned length.
    if (shape.mode === 'soak')
      checks.push(sustainedRate(measured.overall.responses, { rate: shape.rate, durationMs: shape.plannedMs }, plan.minShare));
    if (shape.mode === 'soak' && measured.soak) checks.push(noLeak(measured.soak));
  }
  const objectives = objectiveVerdicts(plan.objectives.files, plan.kinds, measured.perKind, measured.watched);
  // A stress run is meant to break: its objectives show what broke at the breaking step, and
  // it passes when the rate it was asked to reach held and the target recovered.
  const broken = shape.mode === 'stress' ? [] : objectives.filter((v) => v.verdict === 'broken').map((v) => v.objective);
  const failed = [...broken, ...checks.filter((c) => !c.held).map((c) => c.name), ...(measured.interrupted ? ['interrupted'] : [])];
  return { checks, objectives, failed, passed: failed.length === 0 };
}

function kindReports(kinds: readonly TrafficKind[], recorders: ReadonlyMap<string, LatencyRecorder>, seconds: number): KindReport[] {
  return kinds.map((k) => {
    const r = recorders.get(k.name) ?? new LatencyRecorder();
    return {
      name: k.name,
      method: k.method,
      path: k.path,
      responses: r.responses,
      throughput: r.responses / seconds,
      latencyMs: summarize(r.latencies()),
      serverErrors: r.serverErrors,
      clientErrors: r.httpErrors - r.serverErrors,
      connectionErrors: r.connectionErrors,
    };
  });
}

/** The run over time, seconds from its start. */
function perSecondOf(measured: Measured, open: boolean): PerSecond {
  const origin = measured.startedAt.getTime();
  const sinceStart = (ms: number) => Math.round((ms - origin) / 10) / 100;
  return {
    ...measured.timeline.series(origin, open),
    phases: measured.phases.map((p) => ({ name: p.name, from_seconds: sinceStart(p.fromMs), to_seconds: sinceStart(p.toMs) })),
  };
}

export function toReport(plan: RunPlan, measured: Measured, judgement: Judgement): LoadtestReport {
  const { overall } = measured;
  const model = plan.shape.mode === 'closed' ? 'closed' : 'open';
  const report: LoadtestReport = {
    mode: plan.shape.mode,
    model,
    arrivals: model === 'open' ? plan.arrivals : null,
    target: plan.base,
    startedAt: measured.startedAt.toISOString(),
    durationS: measured.durationS,
    requested: measured.requested,
    responses: overall.responses,
    throughput: measured.throughput,
    latencyMs: summarize(overall.latencies()),
    latencyFromSendMs: summarize(overall.latenciesFromSend()),
    generator: measured.generator,
    server: measured.server,
    errors: {
      server: overall.serverErrors,
      client: overall.httpErrors - overall.serverErrors,
      connection: overall.connectionErrors,
      ratio: errorRatioOf(overall),
    },
    statusCounts: Object.fromEntries([...overall.statusCounts].map(([k, v]) => [String(k), v])),
    kinds: kindReports(plan.kinds, measured.perKind, measured.perKindSeconds),
    checks: judgement.checks,
    objectives: judgement.objectives,
    vigil: measured.sources ? { sources: [...measured.sources], config: plan.objectives.configLabel } : null,
    passed: judgement.passed,
    failed: judgement.failed,
  };
  if (measured.stress) report.stress = measured.stress;
  if (measured.soak) report.soak = measured.soak;
  report.per_second = perSecondOf(measured, model === 'open');
  return report;
}
