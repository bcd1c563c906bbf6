import type { Config, ResolvedObjective } from '../config/config.js';
import { indicatorKind, type Objective } from '../config/slo-schema.js';
import { burnRateFactor, objectiveBurnWindows, type WindowSet, type WindowSetAlert, windowSetOf } from '../config/window-sets.js';
import { describeError } from '../core/describe-error.js';
import { deepFreeze } from '../core/freeze.js';
import type {
  Bounds,
  ObjectiveResult,
  ObjectiveStatus,
  QuantityValue,
  ServiceResult,
  ServiceSummary,
  Snapshot,
} from '../snapshot/snapshot-schema.js';
import type { SourceHealth } from '../sources/source.js';
import type { SampleStore } from '../store/sample-store.js';
import { formatDuration, formatQuantity, type Quantity, type QuantityUnit, roundFigure } from '../units/units.js';
import { type BudgetMemo, budgetFigures } from './error-budget.js';
import type { Reading } from './indicator-reader.js';
import { thresholdStatus, worstStatus } from './objective-status.js';
import { createReader, type ScrapeReaderFactory } from './reader-factory.js';
import { staleAfterMs } from './staleness.js';

export interface EvaluateInputs {
  /** Health of every source instance, from the scheduler. */
  readonly sources?: readonly SourceHealth[];
  /** Overrides for scrape-backed latency/ratio readers. */
  readonly scrapeReaders?: ScrapeReaderFactory;
  /** Memo of finished timeslices and event blocks kept between cycles by the caller (the daemon); optional. */
  readonly budgetMemo?: BudgetMemo;
}

/**
 * The evaluator: config + store + clock in, snapshot out. Pure: it reads the store and returns
 * fresh objects, it does no I/O and keeps no state of its own (the optional slice memo is the
 * caller's cache of results that cannot change), so the same inputs give the same snapshot.
 */
export function evaluate(config: Config, store: SampleStore, now: number, inputs: EvaluateInputs = {}): Snapshot {
  const steps = evaluationSteps(config, store, now, inputs);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same evaluation as `evaluate`, one service per step: a caller on an event loop (the daemon)
 * runs steps until its slice of time is spent and lets other work (HTTP requests, samples) run
 * between slices, so a large fleet's cycle never holds the loop for its whole length. Every step
 * reads the store as of `now` and yields the service's result (the snapshot's own object: a caller
 * may freeze it then, rather than the whole snapshot at once); the snapshot is the return value.
 */
export function* evaluationSteps(
  config: Config,
  store: SampleStore,
  now: number,
  inputs: EvaluateInputs = {},
): Generator<ServiceResult, Snapshot> {
  const services: ServiceResult[] = [];
  for (const { slo } of config.services) {
    const service = evaluateService(config, store, now, slo, inputs);
    services.push(service);
    yield service;
  }
  return { evaluatedAt: now, services, sources: (inputs.sources ?? []).map((s) => ({ ...s })) };
}

function evaluateService(
  config: Config,
  store: SampleStore,
  now: number,
  slo: Config['services'][number]['slo'],
  inputs: EvaluateInputs,
): ServiceResult {
  const objectives = slo.objectives.map((o) => evaluateIsolated(config, store, now, slo.service, o, inputs));
  const ages = objectives.flatMap((o) => (o.dataAgeSeconds === null ? [] : [o.dataAgeSeconds]));
  return {
    service: slo.service,
    labels: { ...(slo.labels ?? {}) },
    status: worstStatus(objectives.map((o) => o.status)),
    objectives,
    summary: summarise(slo.objectives, objectives),
    dataAgeSeconds: ages.length > 0 ? Math.max(...ages) : null,
  };
}

/**
 * One objective, fenced: whatever it throws (a reader's bug, data it did not expect) becomes
 * that objective's `error` with status `no_data`. The rest of the snapshot is still built, so
 * one bad objective never freezes the others' figures.
 */
function evaluateIsolated(
  config: Config,
  store: SampleStore,
  now: number,
  service: string,
  objective: ResolvedObjective,
  inputs: EvaluateInputs,
): ObjectiveResult {
  try {
    return evaluateObjective(config, store, now, service, objective, inputs);
  } catch (err) {
    return failedObjective(objective, `evaluation failed: ${describeError(err)}`);
  }
}

function failedObjective(objective: ResolvedObjective, error: string): ObjectiveResult {
  return {
    name: objective.name,
    kind: indicatorKind(objective.indicator),
    source: { kind: objective.source.kind, name: objective.source.name },
    status: 'no_data',
    value: null,
    threshold: null,
    target: objective.target === undefined ? null : Number(objective.target.toPrecision(12)),
    window: windowLabel(objective.window),
    period: objective.target === undefined ? null : windowLabel(objective.period),
    compliance: null,
    complianceCoverage: null,
    errorBudgetRemaining: null,
    burnRates: [],
    breakdown: [],
    dataAgeSeconds: null,
    error,
  };
}

export function evaluateObjective(
  config: Config,
  store: SampleStore,
  now: number,
  service: string,
  objective: ResolvedObjective,
  inputs: EvaluateInputs = {},
): ObjectiveResult {
  const kind = indicatorKind(objective.indicator);
  const { source } = objective;
  const ctx = { store, now, windowMs: objective.window, staleAfterMs: staleAfterMs(source, objective.window) };
  const reader = createReader(ctx, service, objective, inputs.scrapeReaders);
  const reading = reader.current();
  const windows = objective.target === undefined ? [] : objectiveBurnWindows(config.windowSets, objective);
  const figures = budgetFigures(reader, objective, windows, now, inputs.budgetMemo);

  let status = readingStatus(kind, reading, objective);
  if (figures && status !== 'no_data' && objective.threshold === undefined) {
    // An event objective with a target and no bound: spent budget is a breach. With history
    // covering the period, burning faster than the budget allows over the objective's window is
    // a warning; with less (a fresh start), the period says little, and the status follows the
    // window set's burn-rate alerts, as the generated rules do: a page pair firing is a breach,
    // any other pair a warning.
    if (figures.errorBudgetRemaining !== null && figures.errorBudgetRemaining <= 0) status = 'breach';
    else if (figures.coverage !== null && figures.coverage < 1) {
      const firing = firingBurnAlerts(windowSetOf(config.windowSets, objective), figures.burnRates, objective.period);
      if (firing.some((a) => a.severity === 'page')) status = 'breach';
      else if (firing.length > 0) status = worstStatus([status, 'warning']);
    } else if (figures.currentErrorRatio !== null && objective.target !== undefined && figures.currentErrorRatio > 1 - objective.target) {
      status = worstStatus([status, 'warning']);
    }
  }

  const fixed = fixedParts(objective);
  const result: ObjectiveResult = {
    name: objective.name,
    kind,
    source: fixed.source,
    status,
    value: reading.value === null ? null : quantityValue(reading.value, reader.unit, kind === 'memoryLeak'),
    threshold: fixed.threshold,
    target: fixed.target,
    window: fixed.window,
    period: fixed.period,
    compliance: figures?.compliance ?? null,
    complianceCoverage: figures?.coverage ?? null,
    errorBudgetRemaining: figures?.errorBudgetRemaining ?? null,
    burnRates: figures?.burnRates ?? [],
    breakdown: reading.breakdown.map((b) => ({ labels: b.labels, value: b.value, ...(b.leak ? { leak: { ...b.leak } } : {}) })),
    dataAgeSeconds: reading.newestT === null ? null : Math.max(0, now - reading.newestT) / 1000,
  };
  if (objective.description !== undefined) result.description = objective.description;
  if (reading.leak) result.leak = { ...reading.leak };
  if (reading.error !== undefined) result.error = reading.error;
  return result;
}

/** The set's alerts whose long and short windows both burn at or above the pair's factor. */
export function firingBurnAlerts(
  set: WindowSet,
  burnRates: ReadonlyArray<{ window: string; rate: number | null }>,
  periodMs: number,
): WindowSetAlert[] {
  const rateOf = (ms: number) => burnRates.find((b) => b.window === formatDuration(ms))?.rate ?? null;
  return set.alerts.filter((a) => {
    const factor = burnRateFactor(a, periodMs);
    const long = rateOf(a.longWindow);
    const short = rateOf(a.shortWindow);
    return long !== null && short !== null && long >= factor && short >= factor;
  });
}

function readingStatus(kind: string, reading: Reading, objective: Objective): ObjectiveStatus {
  if (kind === 'memoryLeak') {
    switch (reading.leak?.verdict) {
      case 'leak':
        return 'breach';
      case 'suspected':
        return 'warning';
      case 'ok':
        return 'ok';
      default:
        return 'no_data';
    }
  }
  if (reading.value === null) return 'no_data';
  return objective.threshold ? thresholdStatus(reading.value, objective.threshold) : 'ok';
}

/** The parts of an objective's result that only its config decides. */
interface FixedParts {
  readonly source: ObjectiveResult['source'];
  readonly threshold: Bounds | null;
  readonly target: number | null;
  readonly window: string;
  readonly period: string | null;
}

/**
 * Built once per config objective (a reload makes new objects) and shared, frozen, by every
 * cycle's result: the same figures, without a few objects and strings per objective per cycle
 * that lived until the next snapshot (bench:scale: old-generation garbage).
 */
const fixedByObjective = new WeakMap<ResolvedObjective, FixedParts>();
function fixedParts(objective: ResolvedObjective): FixedParts {
  let fixed = fixedByObjective.get(objective);
  if (!fixed) {
    fixed = deepFreeze({
      source: { kind: objective.source.kind, name: objective.source.name },
      threshold: bounds(objective),
      // `99.9%` parses to 0.9990000000000001; 12 significant digits is what was written.
      target: objective.target === undefined ? null : Number(objective.target.toPrecision(12)),
      window: windowLabel(objective.window),
      period: objective.target === undefined ? null : windowLabel(objective.period),
    });
    fixedByObjective.set(objective, fixed);
  }
  return fixed;
}

function quantityValue(value: number, unit: QuantityUnit, perHour = false): QuantityValue {
  const display = perHour ? `${formatQuantity({ value, unit: 'bytes' })}/h` : formatQuantity({ value, unit });
  return { value, unit, display };
}

function bounds(objective: Objective): Bounds | null {
  const t = objective.threshold;
  if (!t) return null;
  const q = (x: Quantity | undefined) => (x === undefined ? null : quantityValue(x.value, x.unit));
  return { max: q(t.max), min: q(t.min), warning: q(t.warning) };
}

/** The headline figures, each from the objectives that measure it; null when none has data. */
function summarise(objectives: readonly Objective[], results: readonly ObjectiveResult[]): ServiceSummary {
  const valuesOf = (kind: string) => results.flatMap((r) => (r.kind === kind && r.value !== null ? [r.value.value] : []));
  const maxOf = (xs: number[]) => (xs.length > 0 ? Math.max(...xs) : null);
  const minOf = (xs: number[]) => (xs.length > 0 ? Math.min(...xs) : null);
  // Base units scaled for people (ratio -> percent, seconds -> ms), rounded off float noise.
  const percent = (x: number | null) => (x === null ? null : roundFigure(x * 100, 'percent'));
  const ms = (x: number | null) => (x === null ? null : roundFigure(x * 1000, 'milliseconds'));

  // Uptime comes from probe objectives that read success shares, not from those bounding latency.
  const probeShares = results.flatMap((r) => (r.kind === 'probe' && r.value?.unit === 'ratio' ? [r.value.value] : []));
  const uptime = minOf(probeShares) ?? minOf(valuesOf('ratio'));
  // The P95 figure comes from the latency objectives that ask for the 95th percentile (the ML
  // decision latency), else from any latency objective.
  const p95s = results.flatMap((r, i) => {
    const ind = objectives[i]!.indicator;
    return 'latency' in ind && ind.latency.quantile === 0.95 && r.value !== null ? [r.value.value] : [];
  });
  return {
    uptime_percentage: percent(uptime),
    response_time_p95: ms(maxOf(p95s) ?? maxOf(valuesOf('latency'))),
    memory_usage_bytes: maxOf(valuesOf('containerMemory')),
    cpu_usage_percent: percent(maxOf(valuesOf('containerCpu'))),
    cache_hit_ratio: minOf(valuesOf('redisHitRatio')),
    db_query_p95_ms: ms(maxOf(valuesOf('postgresQueryLatency'))),
  };
}

/** A window as people write it: whole days as `30d` (not `4w2d`), else the shortest exact form. */
export function windowLabel(ms: number): string {
  const day = 86_400_000;
  return ms >= day && ms % day === 0 ? `${ms / day}d` : formatDuration(ms);
}
