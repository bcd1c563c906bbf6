import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config, ConfigIssue, LoadedSloFile } from '../config/config.js';
import { formatIssue } from '../config/issue-format.js';
import { loadConfig } from '../config/load-config.js';
import { loadSloPaths } from '../config/load-slo.js';
import { ERR, vigilError, type VigilError } from '../core/errors.js';
import type { SourceHealth } from '../sources/source.js';
import { LatencyRecorder, summarize, type LatencySummary } from './latency-recorder.js';
import { assertLoopback } from './loopback-guard.js';
import { PayloadCorpus } from './payload-corpus.js';
import type { CorpusSpec, LoadProfile } from './profile-schema.js';
import { toPhases } from './profile-schema.js';
import { ProgressBar } from './progress-bar.js';
import { expectedRequests, slices, totalDurationMs, type Phase, type Slice } from './rate-curve.js';
import { objectiveVerdicts, type ObjectiveVerdict } from './slo-verdicts.js';
import { answersCheck } from './answer-check.js';
import { errorRatioOf, nextStressRate, stepReasons } from './stress-step.js';
import { TrafficRunner, type TrafficKind } from './traffic-runner.js';
import { implicitScrapeConfig, VigilWatch } from './vigil-watch.js';

function invalidConfig(issues: readonly ConfigIssue[]): VigilError {
  return vigilError(ERR.VIGIL_ERR_CONFIG_INVALID, { count: issues.length, detail: `\n${issues.map(formatIssue).join('\n')}` });
}

export interface StressOptions {
  startRate: number;
  /** Each step's rate is the previous one times this. */
  factor: number;
  maxRate: number;
  stepMs: number;
  /** The run passes when at least this rate held (default: the first step). */
  minRate?: number;
}

export interface LoadtestOptions {
  url: string;
  /** Constant rate mode (also with a profile: its mix and corpus at this rate). */
  rate?: number;
  durationMs?: number;
  profile?: { profile: LoadProfile; path: string };
  stress?: StressOptions;
  /** Single-URL mode: method and body (with `{{task}}`). */
  method?: TrafficKind['method'];
  body?: unknown;
  sloPaths?: string[];
  configPath?: string;
  allowRemote?: boolean;
  timeoutS?: number;
  /** Error ratio (5xx + no answer) above which the run fails. */
  maxErrorRatio?: number;
  /** Share of the asked rate that must be answered for the rate to count as sustained. */
  minThroughputShare?: number;
  progress?: boolean;
  cwd?: string;
  /** Watch with vigil's sources and evaluator during the run (default true). */
  watch?: boolean;
  /** Receives every response's latency (ms), overall and per request kind, when the run ends (`--save`, `--compare`). */
  onLatencies?: (overallMs: Float64Array, perKindMs: ReadonlyMap<string, Float64Array>) => void;
}

export interface KindReport {
  name: string;
  method: string;
  path: string;
  responses: number;
  throughput: number;
  latencyMs: LatencySummary;
  serverErrors: number;
  clientErrors: number;
  connectionErrors: number;
}

export interface Check {
  name: string;
  held: boolean;
  value: number;
  bound: number;
  detail: string;
}

export interface StressStep {
  rate: number;
  achieved: number;
  latencyMs: LatencySummary;
  errorRatio: number;
  held: boolean;
  reasons: string[];
}

export interface LoadtestReport {
  mode: 'constant' | 'profile' | 'stress';
  target: string;
  startedAt: string;
  durationS: number;
  requested: number;
  responses: number;
  throughput: number;
  latencyMs: LatencySummary;
  errors: { server: number; client: number; connection: number; ratio: number };
  statusCounts: Record<string, number>;
  kinds: KindReport[];
  checks: Check[];
  objectives: ObjectiveVerdict[];
  vigil: { sources: SourceHealth[]; config: string } | null;
  stress?: {
    steps: StressStep[];
    highestHeldRate: number | null;
    breakingRate: number | null;
    breakingReasons: string[];
    recovery: { answered: boolean; afterMs: number | null; url: string };
  };
  passed: boolean;
  /** Names of what failed: objectives and checks. */
  failed: string[];
}

const DEFAULT_CORPUS: CorpusSpec = { distinct: 5000, hotSet: 50, hotShare: 0.7, seed: 42 };
export const ML_DECIDE_KIND: TrafficKind = {
  name: 'decide',
  method: 'POST',
  path: '/api/documentation-keeper/decide',
  weight: 1,
  body: { task: '{{task}}' },
};

/** What to send: the profile's mix, the URL's path, or the example service's decide endpoint. */
export function resolveKinds(options: Pick<LoadtestOptions, 'url' | 'profile' | 'method' | 'body'>): { base: string; kinds: TrafficKind[] } {
  const url = new URL(options.url);
  const base = url.origin;
  if (options.profile) {
    return { base, kinds: options.profile.profile.requests.map((r) => ({ ...r })) };
  }
  if (url.pathname === '/' && !url.search) return { base, kinds: [ML_DECIDE_KIND] };
  const method = options.method ?? (options.body !== undefined ? 'POST' : 'GET');
  return { base, kinds: [{ name: `${method} ${url.pathname}`, method, path: `${url.pathname}${url.search}`, weight: 1, body: options.body }] };
}

interface Objectives {
  files: LoadedSloFile[];
  config: Config | null;
  configLabel: string;
  /** The implicit config watches with scrape sources only. */
  implicit: boolean;
}

async function loadObjectives(options: LoadtestOptions, base: string): Promise<Objectives> {
  const cwd = options.cwd ?? process.cwd();
  if (options.configPath) {
    const result = await loadConfig({ configPath: options.configPath, sloPaths: options.sloPaths, cwd });
    if (!result.ok) throw invalidConfig(result.issues);
    return { files: [...result.config.services], config: result.config, configLabel: options.configPath, implicit: false };
  }
  const paths = options.sloPaths ?? (existsSync(resolve(cwd, 'slo')) ? ['slo'] : []);
  if (paths.length === 0) return { files: [], config: null, configLabel: 'none', implicit: true };
  const loaded = await loadSloPaths(paths, { cwd });
  if (loaded.issues.length) throw invalidConfig(loaded.issues);
  return {
    files: loaded.files,
    config: implicitScrapeConfig(loaded.files, `${base}/metrics`, cwd),
    configLabel: `scrape ${base}/metrics (no vigil config given)`,
    implicit: true,
  };
}

function corpusFor(options: LoadtestOptions): PayloadCorpus {
  if (!options.profile) return new PayloadCorpus(DEFAULT_CORPUS);
  const spec = options.profile.profile.corpus;
  let extra: string[] = [];
  if (spec.tasksFile) {
    const file = resolve(dirname(options.profile.path), spec.tasksFile);
    extra = readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  }
  return new PayloadCorpus(spec, extra);
}

function kindReports(kinds: readonly TrafficKind[], recorders: ReadonlyMap<string, LatencyRecorder>, seconds: number): KindReport[] {
  return kinds.map((k) => {
    const r = recorders.get(k.name)!;
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

/** Answers per second between the first and the last answer (the wall time includes start-up and lane offsets). */
function throughputOf(responses: number, runner: TrafficRunner, fallbackS: number): number {
  const { firstAnswerAt: first, lastAnswerAt: last } = runner;
  const seconds = first !== null && last !== null && last > first ? (last - first) / 1000 : fallbackS;
  return responses / seconds;
}


/** Polls the target until it answers (after a stress run): `/health` when it has one, else the first path. */
async function waitForAnswer(base: string, kinds: readonly TrafficKind[], timeoutMs: number): Promise<{ answered: boolean; afterMs: number | null; url: string }> {
  const started = Date.now();
  let url = `${base}/health`;
  for (let attempt = 0; Date.now() - started < timeoutMs && attempt < 1000; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 404 && url.endsWith('/health')) {
        url = new URL(kinds[0]!.path, base).toString();
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

export async function runLoadtest(options: LoadtestOptions): Promise<LoadtestReport> {
  assertLoopback(options.url, options.allowRemote ?? false);
  const { base, kinds } = resolveKinds(options);
  const preflight = await fetch(new URL(kinds[0]!.path, base), { method: 'HEAD', signal: AbortSignal.timeout(5000) }).catch((err: Error) => err);
  if (preflight instanceof Error) {
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_TARGET_DOWN, { url: base, detail: preflight.cause instanceof Error ? preflight.cause.message : preflight.message });
  }
  await preflight.body?.cancel();

  const objectives = await loadObjectives(options, base);
  const watch =
    options.watch !== false && objectives.config && objectives.files.length
      ? new VigilWatch(objectives.config, objectives.implicit ? { kinds: ['scrape'] } : {})
      : null;
  const runner = new TrafficRunner(base, kinds, corpusFor(options), { timeoutS: options.timeoutS ?? 10 });
  const progress = new ProgressBar(process.stderr, (options.progress ?? true) && Boolean(process.stderr.isTTY));
  const maxErrorRatio = options.maxErrorRatio ?? 0.01;
  const minShare = options.minThroughputShare ?? 0.95;

  const abort = new AbortController();
  // Every lane listens for the abort: many listeners on one signal are expected here.
  setMaxListeners(0, abort.signal);
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  const startedAt = new Date();
  let ticker: NodeJS.Timeout | undefined;
  try {
    if (watch) await watch.start();
    const all: LatencyRecorder[] = [];
    let requested = 0;
    let stress: LoadtestReport['stress'];
    let mode: LoadtestReport['mode'];

    const track = (totalMs: number, label: () => string) => {
      const t0 = Date.now();
      let lastCount = 0;
      let lastT = t0;
      let rate = 0;
      clearInterval(ticker);
      ticker = setInterval(() => {
        const count = [...runner.recorders.values()].reduce((s, r) => s + r.attempts, 0);
        const now = Date.now();
        rate = ((count - lastCount) * 1000) / Math.max(1, now - lastT);
        lastCount = count;
        lastT = now;
        const errors = [...runner.recorders.values()].reduce((s, r) => s + r.serverErrors + r.connectionErrors, 0);
        progress.update(Math.min(1, (now - t0) / totalMs), `${label()} ${Math.round((now - t0) / 1000)}s/${Math.round(totalMs / 1000)}s  ${Math.round(rate)} req/s  errors ${errors}`);
      }, 500);
    };

    if (options.stress) {
      mode = 'stress';
      const s = options.stress;
      const steps: StressStep[] = [];
      let rate = s.startRate;
      let highest: number | null = null;
      let breaking: number | null = null;
      let reasons: string[] = [];
      for (let i = 0; i < 100 && !abort.signal.aborted; i++) {
        runner.resetRecorders();
        const plan: Slice[] = [{ phase: `step-${i + 1}`, startMs: 0, durationMs: s.stepMs, rate }];
        track(s.stepMs, () => `stress step ${i + 1} @ ${rate} req/s`);
        await runner.run(plan, abort.signal);
        requested += rate * (s.stepMs / 1000);
        const step = LatencyRecorder.combine([...runner.recorders.values()]);
        all.push(step);
        const seconds = s.stepMs / 1000;
        const achieved = step.responses / seconds;
        const errRatio = errorRatioOf(step);
        const vigilBreaches: string[] = [];
        if (watch) {
          for (const service of watch.evaluateNow().services) {
            for (const o of service.objectives) if (o.status === 'breach') vigilBreaches.push(`${o.name}: breach (${o.value?.display ?? 'no value'})`);
          }
        }
        const stepReasonList = stepReasons({
          step,
          rate,
          seconds,
          maxErrorRatio,
          minShare,
          verdicts: objectiveVerdicts(objectives.files, kinds, runner.recorders, []),
          vigilBreaches,
        });
        steps.push({ rate, achieved, latencyMs: summarize(step.latencies()), errorRatio: errRatio, held: stepReasonList.length === 0, reasons: stepReasonList });
        if (stepReasonList.length) {
          breaking = rate;
          reasons = stepReasonList;
          break;
        }
        highest = rate;
        const next = nextStressRate(rate, s.factor, s.maxRate);
        if (next === null) {
          reasons = [`reached --max-rate ${s.maxRate} without breaking`];
          break;
        }
        rate = next;
      }
      clearInterval(ticker);
      progress.done();
      const recovery = await waitForAnswer(base, kinds, 30_000);
      stress = { steps, highestHeldRate: highest, breakingRate: breaking, breakingReasons: reasons, recovery };
    } else {
      let phases: Phase[];
      let sliceMs: number;
      if (options.rate !== undefined) {
        mode = 'constant';
        const durationMs = options.durationMs ?? 60_000;
        phases = [{ name: 'constant', durationMs, shape: { kind: 'constant', rate: options.rate } }];
        sliceMs = durationMs;
      } else if (options.profile) {
        mode = 'profile';
        phases = toPhases(options.profile.profile.phases);
        sliceMs = options.profile.profile.slice;
      } else {
        throw vigilError(ERR.VIGIL_ERR_LOADTEST_USAGE);
      }
      const total = totalDurationMs(phases);
      requested = expectedRequests(phases);
      const plan = slices(phases, sliceMs);
      track(total, () => plan.find((_, i) => i === plan.length - 1 || plan[i + 1]!.startMs > Date.now() - startedAt.getTime())?.phase ?? '');
      await runner.run(plan, abort.signal);
      clearInterval(ticker);
      progress.done();
      all.push(LatencyRecorder.combine([...runner.recorders.values()]));
    }

    const durationS = (Date.now() - startedAt.getTime()) / 1000;
    const watched = watch ? await watch.finish() : [];
    const overall = LatencyRecorder.combine(all);
    options.onLatencies?.(overall.latencies(), new Map([...runner.recorders].map(([name, r]) => [name, r.latencies()])));
    // Per-kind figures: for stress, the last step; otherwise the whole run.
    const kindSeconds = options.stress ? options.stress.stepMs / 1000 : overall.responses / throughputOf(overall.responses, runner, durationS) || durationS;
    const verdicts = objectiveVerdicts(objectives.files, kinds, runner.recorders, watched);
    const checks: Check[] = [];
    const errRatio = errorRatioOf(overall);
    if (mode !== 'stress') {
      checks.push({
        name: 'error-bound',
        held: errRatio <= maxErrorRatio,
        value: errRatio,
        bound: maxErrorRatio,
        detail: `${overall.serverErrors} server errors and ${overall.connectionErrors} unanswered of ${overall.attempts}`,
      });
      checks.push(answersCheck(overall, { base, kinds }, maxErrorRatio));
      if (mode === 'constant') {
        const answered = overall.responses / (options.durationMs! / 1000);
        checks.push({
          name: 'sustained-rate',
          held: answered >= options.rate! * minShare,
          value: answered,
          bound: options.rate! * minShare,
          detail: `answered ${answered.toFixed(1)} req/s of ${options.rate} asked (at least ${Math.round(minShare * 100)}% needed)`,
        });
      }
    } else {
      const needed = options.stress!.minRate ?? options.stress!.startRate;
      const held = stress!.highestHeldRate ?? 0;
      checks.push({
        name: 'held-rate',
        held: held >= needed,
        value: held,
        bound: needed,
        detail: `highest rate that held: ${stress!.highestHeldRate ?? 'none'} req/s (at least ${needed} needed)`,
      });
      checks.push({
        name: 'recovery',
        held: stress!.recovery.answered,
        value: stress!.recovery.afterMs ?? -1,
        bound: 30_000,
        detail: stress!.recovery.answered ? `target answered ${stress!.recovery.afterMs} ms after the last step` : 'target did not answer within 30 s after the run',
      });
    }
    // A stress run is meant to break: its objectives show what broke at the breaking step, and
    // it passes when the rate it was asked to reach held and the target recovered.
    const brokenObjectives = mode === 'stress' ? [] : verdicts.filter((v) => v.verdict === 'broken').map((v) => v.objective);
    const failed = [...brokenObjectives, ...checks.filter((c) => !c.held).map((c) => c.name)];
    const report: LoadtestReport = {
      mode,
      target: base,
      startedAt: startedAt.toISOString(),
      durationS,
      requested: Math.round(requested),
      responses: overall.responses,
      throughput: throughputOf(overall.responses, runner, durationS),
      latencyMs: summarize(overall.latencies()),
      errors: { server: overall.serverErrors, client: overall.httpErrors - overall.serverErrors, connection: overall.connectionErrors, ratio: errRatio },
      statusCounts: Object.fromEntries([...overall.statusCounts].map(([k, v]) => [String(k), v])),
      kinds: kindReports(kinds, runner.recorders, kindSeconds),
      checks,
      objectives: verdicts,
      vigil: watch ? { sources: watch.sourceHealth(), config: objectives.configLabel } : null,
      passed: failed.length === 0,
      failed,
    };
    if (stress) report.stress = stress;
    if (abort.signal.aborted) {
      report.passed = false;
      report.failed.push('interrupted');
    }
    return report;
  } finally {
    clearInterval(ticker);
    progress.done();
    runner.stop();
    process.removeListener('SIGINT', onSignal);
    await watch?.close();
  }
}
