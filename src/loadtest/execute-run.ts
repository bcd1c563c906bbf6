import { ERR, vigilError } from '../core/errors.js';
import type { SourceHealth } from '../sources/source.js';
import { generatorHealth } from './generator-health.js';
import { LatencyRecorder, summarize } from './latency-recorder.js';
import type { TrafficKind } from './load-sender.js';
import { combineLoads, type MergedLoad } from './load-workers.js';
import type { GeneratorHealth, ServerView, SoakResult, StressResult, StressStep } from './report-schema.js';
import type { RunPlan, RunShape } from './run-plan.js';
import { openModel, RunSession } from './run-session.js';
import { fetchRequestHistogram, serverView } from './server-view.js';
import { objectiveVerdicts } from './slo-verdicts.js';
import { runSoak } from './soak-run.js';
import { errorRatioOf, nextStressRate, stepReasons } from './stress-step.js';
import type { Timeline } from './timeline.js';
import type { VigilWatch, WatchedObjective } from './vigil-watch.js';

/**
 * Step 2 of a load test: run the plan against the target, with vigil watching when there are
 * objectives to watch, and hand back what was measured. No verdicts on the run as a whole here;
 * stress steps are judged as they end because the next step depends on it.
 */

export interface Measured {
  readonly startedAt: Date;
  readonly durationS: number;
  /** Every response of the run. */
  readonly overall: LatencyRecorder;
  /** Per request kind: the whole run, or the last step of a stress run. */
  readonly perKind: ReadonlyMap<string, LatencyRecorder>;
  /** Seconds the per-kind figures cover. */
  readonly perKindSeconds: number;
  /** Answers per second between the first and the last answer. */
  readonly throughput: number;
  readonly requested: number;
  readonly stress: StressResult | null;
  readonly soak: SoakResult | null;
  readonly generator: GeneratorHealth;
  /** The service's own request histogram over the run. */
  readonly server: ServerView | null;
  readonly watched: readonly WatchedObjective[];
  /** Health of vigil's sources; null when vigil did not watch. */
  readonly sources: readonly SourceHealth[] | null;
  readonly interrupted: boolean;
  /** The load over time, and the named stretches of the run (unix ms). */
  readonly timeline: Timeline;
  readonly phases: readonly TimedPhase[];
}

/** A named stretch of the run in unix ms: a profile phase, a stress step, the whole constant run. */
export interface TimedPhase {
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** The target must answer before any load is sent. */
async function preflight(base: string, kinds: readonly TrafficKind[]): Promise<void> {
  const first = kinds[0];
  if (!first) throw vigilError(ERR.VIGIL_ERR_LOADTEST_USAGE, { detail: 'nothing to send: no request kinds' });
  const answer = await fetch(new URL(first.path, base), { method: 'HEAD', signal: AbortSignal.timeout(5000) }).catch((err: Error) => err);
  if (answer instanceof Error) {
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_TARGET_DOWN, {
      url: base,
      detail: answer.cause instanceof Error ? answer.cause.message : answer.message,
    });
  }
  await answer.body?.cancel();
}

/** Polls the target until it answers (after a stress run): `/health` when it has one, else the first path. */
async function waitForAnswer(base: string, firstPath: string, timeoutMs: number): Promise<StressResult['recovery']> {
  const started = Date.now();
  let url = `${base}/health`;
  for (let attempt = 0; Date.now() - started < timeoutMs && attempt < 1000; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 404 && url.endsWith('/health')) {
        url = new URL(firstPath, base).toString();
        continue;
      }
      if (res.status < 500) return { answered: true, afterMs: Date.now() - started, url };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { answered: false, afterMs: null, url };
}

interface Ran {
  readonly loads: MergedLoad[];
  readonly requested: number;
  readonly stress?: StressResult;
  readonly soak?: SoakResult;
  readonly phases: TimedPhase[];
}

/** The slices' phases as stretches, from the time the schedule started. */
function slicePhases(slices: readonly { phase: string; startMs: number; durationMs: number }[], startedAt: number): TimedPhase[] {
  const out: TimedPhase[] = [];
  for (const s of slices) {
    const last = out.at(-1);
    const toMs = startedAt + s.startMs + s.durationMs;
    if (last?.name === s.phase) out[out.length - 1] = { ...last, toMs };
    else out.push({ name: s.phase, fromMs: startedAt + s.startMs, toMs });
  }
  return out;
}

type Scheduled = Exclude<RunShape, { mode: 'stress' | 'soak' }>;

async function runScheduled(session: RunSession, shape: Scheduled): Promise<Ran> {
  const startedAt = Date.now();
  if (shape.mode === 'closed') {
    session.track(shape.durationMs, () => `closed model, ${shape.connections} connections`);
    const load = await session.send({ kind: 'closed', connections: shape.connections, durationMs: shape.durationMs });
    session.endTracking();
    return { loads: [load], requested: 0, phases: [{ name: 'closed', fromMs: startedAt, toMs: Date.now() }] };
  }
  const { slices } = shape;
  await session.planWorkers(Math.max(0, ...slices.map((s) => s.rate)));
  const phaseNow = () => {
    const elapsed = Date.now() - startedAt;
    return [...slices].reverse().find((s) => s.startMs <= elapsed)?.phase ?? '';
  };
  session.track(shape.durationMs, phaseNow);
  const load = await session.send(openModel(session.plan, slices));
  session.endTracking();
  return { loads: [load], requested: shape.requested, phases: slicePhases(slices, startedAt) };
}

/** The names and values of objectives vigil has in breach right now. */
function vigilBreaches(watch: VigilWatch | null): string[] {
  if (!watch) return [];
  const out: string[] = [];
  for (const service of watch.evaluateNow().services) {
    for (const o of service.objectives) if (o.status === 'breach') out.push(`${o.name}: breach (${o.value?.display ?? 'no value'})`);
  }
  return out;
}

const healthOf = (load: MergedLoad) => generatorHealth(load.lateness, load.loopDelayMs, load.workerThreads);

/**
 * Steps the rate up until a step breaks. A step the generator could not drive ends the run
 * without a breaking point: what gave way there was the generator, not the target.
 */
async function runStress(session: RunSession, stress: Extract<RunShape, { mode: 'stress' }>['stress']): Promise<Ran> {
  const { plan } = session;
  const loads: MergedLoad[] = [];
  const steps: StressStep[] = [];
  const phases: TimedPhase[] = [];
  let requested = 0;
  let rate: number | null = stress.startRate;
  let highest: number | null = null;
  let breaking: number | null = null;
  let generatorLimitedAt: number | null = null;
  let reasons: string[] = [];
  for (let i = 0; rate !== null && i < 100 && !session.abort.signal.aborted; i++) {
    const stepRate: number = rate;
    await session.planWorkers(stepRate);
    session.track(stress.stepMs, () => `stress step ${i + 1} @ ${stepRate} req/s`);
    const stepStartedAt = Date.now();
    const load = await session.send(openModel(plan, [{ phase: `step-${i + 1}`, startMs: 0, durationMs: stress.stepMs, rate: stepRate }]));
    loads.push(load);
    phases.push({ name: `step-${i + 1}`, fromMs: stepStartedAt, toMs: Date.now() });
    requested += stepRate * (stress.stepMs / 1000);
    const step = LatencyRecorder.combine([...load.perKind.values()]);
    const seconds = stress.stepMs / 1000;
    const generator = healthOf(load);
    // Automatic workers: a step the generator could not drive is sent again with one more sender.
    if (session.moreWorkersAfter(generator.limited, stepRate)) {
      loads.pop();
      requested -= stepRate * (stress.stepMs / 1000);
      i--;
      continue;
    }
    const stepReasonList = stepReasons({
      step,
      rate: stepRate,
      seconds,
      maxErrorRatio: plan.maxErrorRatio,
      minShare: plan.minShare,
      verdicts: objectiveVerdicts(plan.objectives.files, plan.kinds, load.perKind, []),
      vigilBreaches: vigilBreaches(session.watch),
    });
    const held = stepReasonList.length === 0 && !generator.limited;
    steps.push({
      rate: stepRate,
      achieved: step.responses / seconds,
      latencyMs: summarize(step.latencies()),
      errorRatio: errorRatioOf(step),
      held,
      reasons: stepReasonList,
      generator,
    });
    if (generator.limited) {
      generatorLimitedAt = stepRate;
      reasons = [generator.reason ?? 'the generator limited the run'];
      break;
    }
    if (!held) {
      breaking = stepRate;
      reasons = stepReasonList;
      break;
    }
    highest = stepRate;
    rate = nextStressRate(stepRate, stress.factor, stress.maxRate);
    if (rate === null) reasons = [`reached --max-rate ${stress.maxRate} without breaking`];
  }
  session.endTracking();
  const firstPath = plan.kinds[0]?.path ?? '/';
  const recovery = await waitForAnswer(plan.base, firstPath, 30_000);
  return {
    loads,
    requested,
    phases,
    stress: { steps, highestHeldRate: highest, breakingRate: breaking, breakingReasons: reasons, generatorLimitedAt, recovery },
  };
}

async function soakRan(session: RunSession, shape: Extract<RunShape, { mode: 'soak' }>, target: string): Promise<Ran> {
  const { load, soak, requested } = await runSoak(session, shape, target);
  const phases = load.firstAnswerAt !== null ? [{ name: 'soak', fromMs: load.firstAnswerAt, toMs: load.lastAnswerAt ?? Date.now() }] : [];
  return { loads: [load], requested, soak, phases };
}

/** Answers per second between the first and the last answer (the wall time includes start-up). */
function throughputOf(responses: number, load: MergedLoad, fallbackS: number): number {
  const { firstAnswerAt: first, lastAnswerAt: last } = load;
  const seconds = load.answeringS ?? (first !== null && last !== null && last > first ? (last - first) / 1000 : fallbackS);
  return responses / seconds;
}

/** Runs the plan: checks the target answers, watches with vigil, sends the load, measures. */
export async function executeRun(plan: RunPlan): Promise<Measured> {
  await preflight(plan.base, plan.kinds);
  const session = new RunSession(plan);
  const startedAt = new Date();
  try {
    if (session.watch) await session.watch.start();
    const histogramBefore = await fetchRequestHistogram(plan.base);
    const { shape } = plan;
    const ran =
      shape.mode === 'stress'
        ? await runStress(session, shape.stress)
        : shape.mode === 'soak'
          ? await soakRan(session, shape, plan.base)
          : await runScheduled(session, shape);
    const server = serverView(histogramBefore, await fetchRequestHistogram(plan.base), plan.kinds);
    const durationS = (Date.now() - startedAt.getTime()) / 1000;
    const interrupted = session.abort.signal.aborted;
    const watched = session.watch ? await session.watch.finish() : [];
    const whole = combineLoads(ran.loads);
    const overall = LatencyRecorder.combine([...whole.perKind.values()]);
    const throughput = throughputOf(overall.responses, whole, durationS);
    return {
      startedAt,
      durationS,
      overall,
      // Per-kind figures: for stress, the last step; otherwise the whole run.
      perKind: (ran.loads.at(-1) ?? whole).perKind,
      perKindSeconds: shape.mode === 'stress' ? shape.stress.stepMs / 1000 : throughput > 0 ? overall.responses / throughput : durationS,
      throughput,
      requested: Math.round(ran.requested),
      stress: ran.stress ?? null,
      soak: ran.soak ?? null,
      generator: { ...healthOf(whole), workersReason: session.workers.reason },
      server,
      watched,
      sources: session.watch ? session.watch.sourceHealth() : null,
      interrupted,
      timeline: whole.timeline,
      phases: ran.phases,
    };
  } finally {
    await session.close();
  }
}
