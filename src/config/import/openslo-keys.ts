import { suggestion } from '../did-you-mean.js';
import type { PathSegment } from '../yaml-source.js';
import type { IssueSink } from './import-issues.js';

/**
 * The keys the OpenSLO specification defines, per kind and level, as data: vigil reads OpenSLO
 * documents loosely (a key it does not use is no error), so a typo (`budgetMethod`) would be
 * nothing at all without this walk. A key not in the table is a positioned warning with the
 * nearest key of its level; keys vigil knows but does not use keep their own messages elsewhere.
 *
 * A level is an object of known keys; each key's value says what is below it: `ANY` (free-form:
 * labels, a metric source's own spec), another level, or `[level]` for a list of such objects.
 */

type Below = Level | readonly [Level] | typeof ANY;
interface Level {
  readonly [key: string]: Below;
}
const ANY = null;

const metadata: Level = { name: ANY, displayName: ANY, labels: ANY, annotations: ANY };
const calendar: Level = { startTime: ANY, timeZone: ANY };

// openslo/v1
const v1Metric: Level = { metricSource: { metricSourceRef: ANY, type: ANY, spec: ANY } };
const v1SliSpec: Level = {
  description: ANY,
  thresholdMetric: v1Metric,
  ratioMetric: { counter: ANY, good: v1Metric, bad: v1Metric, total: v1Metric, rawType: ANY, raw: v1Metric },
};
const v1Indicator: Level = { metadata, spec: v1SliSpec };
const v1Objective: Level = {
  displayName: ANY,
  op: ANY,
  value: ANY,
  target: ANY,
  targetPercent: ANY,
  timeSliceTarget: ANY,
  timeSliceWindow: ANY,
  indicator: v1Indicator,
  indicatorRef: ANY,
  compositeWeight: ANY,
};
const V1_SPECS: Readonly<Record<string, Level>> = {
  SLO: {
    description: ANY,
    service: ANY,
    indicator: v1Indicator,
    indicatorRef: ANY,
    timeWindow: [{ duration: ANY, isRolling: ANY, calendar }],
    budgetingMethod: ANY,
    objectives: [v1Objective],
    alertPolicies: ANY,
  },
  SLI: v1SliSpec,
  Service: { description: ANY },
  DataSource: { description: ANY, type: ANY, connectionDetails: ANY },
  AlertPolicy: {
    description: ANY,
    alertWhenNoData: ANY,
    alertWhenResolved: ANY,
    alertWhenBreaching: ANY,
    conditions: ANY,
    notificationTargets: ANY,
  },
  AlertCondition: {
    description: ANY,
    severity: ANY,
    condition: { kind: ANY, op: ANY, threshold: ANY, lookbackWindow: ANY, alertAfter: ANY },
  },
  AlertNotificationTarget: { description: ANY, target: ANY },
};

// openslo/v1alpha: metrics are `{ source, queryType, query }`, ratios live in each objective.
const v1alphaMetric: Level = { source: ANY, queryType: ANY, query: ANY, metadata: ANY };
const v1alphaRatio: Level = {
  counter: ANY,
  // The drafts' older spelling of `counter`, still in the spec's examples.
  incremental: ANY,
  good: v1alphaMetric,
  bad: v1alphaMetric,
  total: v1alphaMetric,
};
const V1ALPHA_SPECS: Readonly<Record<string, Level>> = {
  SLO: {
    description: ANY,
    service: ANY,
    indicator: { thresholdMetric: v1alphaMetric },
    timeWindows: [{ unit: ANY, count: ANY, isRolling: ANY, calendar }],
    budgetingMethod: ANY,
    objectives: [
      {
        displayName: ANY,
        op: ANY,
        value: ANY,
        target: ANY,
        timeSliceTarget: ANY,
        // The spec's text says `ratioMetric`, its examples `ratioMetrics`; both are read.
        ratioMetrics: v1alphaRatio,
        ratioMetric: v1alphaRatio,
      },
    ],
    alertPolicies: ANY,
  },
  Service: { description: ANY },
};

const SPECS: Readonly<Record<string, Readonly<Record<string, Level>>>> = {
  'openslo/v1': V1_SPECS,
  'openslo/v1alpha': V1ALPHA_SPECS,
};

/** The keys of an OpenSLO document of this version and kind; a kind the table lacks leaves `spec` unchecked. */
function documentLevel(version: string, kind: unknown): Level {
  const spec = typeof kind === 'string' ? SPECS[version]?.[kind] : undefined;
  return { apiVersion: ANY, kind: ANY, metadata, spec: spec ?? ANY };
}

/** The keys a v1alpha objective or SLO spec defines, for the rewrite to v1 (which passes them on). */
export const V1ALPHA_SLO_KEYS = Object.keys(V1ALPHA_SPECS.SLO!);
export const V1ALPHA_OBJECTIVE_KEYS = Object.keys((V1ALPHA_SPECS.SLO!.objectives as readonly [Level])[0]);

/**
 * A warning per key of `doc` (an OpenSLO v1 or v1alpha document, as written) that the
 * specification does not define where it is, with the nearest defined key of that level.
 */
export function warnUnknownOpenSloKeys(doc: unknown, sink: IssueSink): void {
  const { apiVersion, kind } = (doc ?? {}) as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || SPECS[apiVersion] === undefined) return;
  walk(doc, documentLevel(apiVersion, kind), sink, [], apiVersion.replace('openslo/', 'OpenSLO '));
}

function walk(value: unknown, level: Below, sink: IssueSink, path: PathSegment[], spec: string): void {
  if (level === ANY || value === null || typeof value !== 'object') return;
  if (isList(level)) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, level[0], sink, [...path, i], spec));
    return;
  }
  if (Array.isArray(value)) return;
  const known = Object.keys(level);
  for (const [key, inner] of Object.entries(value)) {
    if (!Object.hasOwn(level, key)) {
      sink.warn([...path, key], `key ignored: ${spec} defines no "${key}" here${suggestion(key, known)}`, 'key');
      continue;
    }
    walk(inner, level[key]!, sink, [...path, key], spec);
  }
}

function isList(below: Level | readonly [Level]): below is readonly [Level] {
  return Array.isArray(below);
}
