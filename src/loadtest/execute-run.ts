import { setMaxListeners } from 'node:events';
import type { SourceHealth } from '../sources/source.js';
import { LatencyRecorder } from './latency-recorder.js';
import { LoadtestError } from './loadtest-error.js';
import { ProgressBar } from './progress-bar.js';
import type { StressResult, StressStep } from './report-schema.js';
import type { RunPlan, RunShape } from './run-plan.js';
import { objectiveVerdicts } from './slo-verdicts.js';
import { errorRatioOf, nextStressRate, stepReasons } from './stress-step.js';
import { summarize } from './latency-recorder.js';
import { TrafficRunner, type TrafficKind } from './traffic-runner.js';
import { VigilWatch, type WatchedObjective } from './vigil-watch.js';

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
  readonly watched: readonly WatchedObjective[];
  /** Health of vigil's sources; null when vigil did not watch. */
  readonly sources: readonly SourceHealth[] | null;
  readonly interrupted: boolean;
}

/** The target must answer before any load is sent. */
async function preflight(base: string, kinds: readonly TrafficKind[]): Promise<void> {
  const first = kinds[0];
  if (!first) throw new LoadtestError('VIGIL_ERR_LOADTEST_USAGE', 'nothing to send: no request kinds');
  const answer = await fetch(new URL(first.path, base), { method: 'HEAD', signal: AbortSignal.timeout(5000) }).catch((err: Error) => err);
  if (answer instanceof Error) {
    const why = answer.cause instanceof Error ? answer.cause.message : answer.message;
    throw new LoadtestError('VIGIL_ERR_LOADTEST_TARGET_DOWN', `target ${base} does not answer: ${why}`);
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

/** What a run needs while it lasts: the sender, vigil's watch, the progress line, the abort. */
class RunSession {
  readonly runner: TrafficRunner;
  readonly watch: VigilWatch | null;
  readonly abort = new AbortController();
  private readonly progress: ProgressBar;
  private ticker: NodeJS.Timeout | undefined;
  private readonly onSignal = () => this.abort.abort();

  constructor(readonly plan: RunPlan) {
    const { watchConfig, files, implicit } = plan.objectives;
    this.watch = watchConfig && files.length ? new VigilWatch(watchConfig, implicit ? { kinds: ['scrape'] } : {}) : null;
    this.runner = new TrafficRunner(plan.base, plan.kinds, plan.corpus, { timeoutS: plan.timeoutS });
    this.progress = new ProgressBar(process.stderr, plan.progress && Boolean(process.stderr.isTTY));
    // Every lane listens for the abort: many listeners on one signal are expected here.
    setMaxListeners(0, this.abort.signal);
    process.on('SIGINT', this.onSignal);
  }

  /** Redraws the progress line every 500 ms: elapsed time, the send rate and errors so far. */
  track(totalMs: number, label: () => string): void {
    const t0 = Date.now();
    let last = { count: 0, at: t0 };
    clearInterval(this.ticker);
    this.ticker = setInterval(() => {
      const recorders = [...this.runner.recorders.values()];
      const count = recorders.reduce((s, r) => s + r.attempts, 0);
      const errors = recorders.reduce((s, r) => s + r.serverErrors + r.connectionErrors, 0);
      const now = Date.now();
      const rate = ((count - last.count) * 1000) / Math.max(1, now - last.at);
      last = { count, at: now };
      const elapsed = `${Math.round((now - t0) / 1000)}s/${Math.round(totalMs / 1000)}s`;
      this.progress.update(Math.min(1, (now - t0) / totalMs), `${label()} ${elapsed}  ${Math.round(rate)} req/s  errors ${errors}`);
    }, 500);
  }

  endTracking(): void {
    clearInterval(this.ticker);
    this.progress.done();
  }

  async close(): Promise<void> {
    this.endTracking();
    this.runner.stop();
    process.removeListener('SIGINT', this.onSignal);
    await this.watch?.close();
  }
}

type Scheduled = Exclude<RunShape, { mode: 'stress' }>;

async function runScheduled(session: RunSession, shape: Scheduled): Promise<{ recorders: LatencyRecorder[]; requested: number }> {
  const startedAt = Date.now();
  const { slices } = shape;
  const phaseNow = () => {
    const elapsed = Date.now() - startedAt;
    return [...slices].reverse().find((s) => s.startMs <= elapsed)?.phase ?? '';
  };
  session.track(shape.durationMs, phaseNow);
  await session.runner.run(slices, session.abort.signal);
  session.endTracking();
  return { recorders: [LatencyRecorder.combine([...session.runner.recorders.values()])], requested: shape.requested };
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

async function runStress(
  session: RunSession,
  stress: Extract<RunShape, { mode: 'stress' }>['stress'],
): Promise<{ recorders: LatencyRecorder[]; requested: number; result: StressResult }> {
  const { plan, runner } = session;
  const recorders: LatencyRecorder[] = [];
  const steps: StressStep[] = [];
  let requested = 0;
  let rate: number | null = stress.startRate;
  let highest: number | null = null;
  let breaking: number | null = null;
  let reasons: string[] = [];
  for (let i = 0; rate !== null && i < 100 && !session.abort.signal.aborted; i++) {
    const stepRate: number = rate;
    runner.resetRecorders();
    session.track(stress.stepMs, () => `stress step ${i + 1} @ ${stepRate} req/s`);
    await runner.run([{ phase: `step-${i + 1}`, startMs: 0, durationMs: stress.stepMs, rate: stepRate }], session.abort.signal);
    requested += stepRate * (stress.stepMs / 1000);
    const step = LatencyRecorder.combine([...runner.recorders.values()]);
    recorders.push(step);
    const seconds = stress.stepMs / 1000;
    const stepReasonList = stepReasons({
      step,
      rate: stepRate,
      seconds,
      maxErrorRatio: plan.maxErrorRatio,
      minShare: plan.minShare,
      verdicts: objectiveVerdicts(plan.objectives.files, plan.kinds, runner.recorders, []),
      vigilBreaches: vigilBreaches(session.watch),
    });
    const held = stepReasonList.length === 0;
    steps.push({ rate: stepRate, achieved: step.responses / seconds, latencyMs: summarize(step.latencies()), errorRatio: errorRatioOf(step), held, reasons: stepReasonList });
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
  return { recorders, requested, result: { steps, highestHeldRate: highest, breakingRate: breaking, breakingReasons: reasons, recovery } };
}

/** Answers per second between the first and the last answer (the wall time includes start-up and lane offsets). */
function throughputOf(responses: number, runner: TrafficRunner, fallbackS: number): number {
  const { firstAnswerAt: first, lastAnswerAt: last } = runner;
  const seconds = first !== null && last !== null && last > first ? (last - first) / 1000 : fallbackS;
  return responses / seconds;
}

/** Runs the plan: checks the target answers, watches with vigil, sends the load, measures. */
export async function executeRun(plan: RunPlan): Promise<Measured> {
  await preflight(plan.base, plan.kinds);
  const session = new RunSession(plan);
  const startedAt = new Date();
  try {
    if (session.watch) await session.watch.start();
    const { shape } = plan;
    const ran = shape.mode === 'stress' ? await runStress(session, shape.stress) : { ...(await runScheduled(session, shape)), result: null };
    const durationS = (Date.now() - startedAt.getTime()) / 1000;
    const watched = session.watch ? await session.watch.finish() : [];
    const overall = LatencyRecorder.combine(ran.recorders);
    const throughput = throughputOf(overall.responses, session.runner, durationS);
    return {
      startedAt,
      durationS,
      overall,
      perKind: new Map(session.runner.recorders),
      // Per-kind figures: for stress, the last step; otherwise the whole run.
      perKindSeconds: shape.mode === 'stress' ? shape.stress.stepMs / 1000 : throughput > 0 ? overall.responses / throughput : durationS,
      throughput,
      requested: Math.round(ran.requested),
      stress: ran.result,
      watched,
      sources: session.watch ? session.watch.sourceHealth() : null,
      interrupted: session.abort.signal.aborted,
    };
  } finally {
    await session.close();
  }
}
