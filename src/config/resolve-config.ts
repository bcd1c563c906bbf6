import { deepFreeze } from '../core/freeze.js';
import type { Config, ConfigParts, ObjectiveSource, ResolvedObjective, ResolvedSloFile, SourceInstance } from './config.js';
import { cronIntervalMs } from './cron-interval.js';
import {
  type DaemonConfig,
  DEFAULT_SCHEDULES,
  SOURCE_KINDS,
  SOURCE_SCHEMAS,
  type SourceKind,
  type SourceSettings,
} from './daemon-schema.js';
import { type IndicatorKind, type MetricProfiles, metricProfilesSchema, type Objective, PROFILE_FAMILY } from './slo-schema.js';
import { indicatorSourceName, lookupIndicatorSource } from './source-lookup.js';

/**
 * Where every objective's figures come from, worked out once when the config is loaded: the
 * instance (kind and name, by `lookupIndicatorSource`), its interval from its cron schedule and
 * its timeout, and the implicit instances objectives name that run on defaults. Everything after
 * loading (source creation, the scheduler, the evaluator's readers and staleness rule, the alert
 * warm-up, `vigil check`, the load test's watcher) reads this value and never asks again.
 */
export function resolveConfig(parts: ConfigParts): Config {
  const instances = new Map<string, SourceInstance>();
  for (const kind of SOURCE_KINDS) {
    for (const [name, settings] of Object.entries(parts.daemon.sources[kind])) {
      instances.set(sourceKey({ kind, name }), instance(kind, name, settings, false));
    }
  }
  const services = parts.services.map((file) => ({
    path: file.path,
    slo: {
      ...file.slo,
      objectives: file.slo.objectives.map(
        (objective): ResolvedObjective => ({
          ...objective,
          source: objectiveSource(parts.daemon, objective, instances),
        }),
      ),
    },
  }));
  // The config is shared by every part of the daemon; freezing makes "immutable" a fact, not a hope.
  return deepFreeze({ ...parts, services, sources: [...instances.values()] });
}

/** `kind/name`: how an instance is named in logs, and its identity among the config's sources. */
export function sourceKey(source: { readonly kind: SourceKind; readonly name: string }): string {
  return `${source.kind}/${source.name}`;
}

/** Keeps the instances some objectives read (for `vigil check` of one service, or a watcher). */
export function readBy(objectives: Iterable<ResolvedObjective>): (instance: SourceInstance) => boolean {
  const read = new Set<SourceInstance>();
  for (const { source } of objectives) if (source.kind !== null) read.add(source);
  return (instance) => read.has(instance);
}

/**
 * The services narrowed to the objectives bound to `instance`: what its source samples for
 * (the queries a Prometheus instance runs, the containers a docker instance follows, ...).
 */
export function servicesReading(config: Pick<Config, 'services'>, instance: SourceInstance): ResolvedSloFile[] {
  return config.services.flatMap((file) => {
    const objectives = file.slo.objectives.filter((o) => o.source === instance);
    return objectives.length === 0 ? [] : [{ path: file.path, slo: { ...file.slo, objectives } }];
  });
}

/** Every objective of every service. */
export function objectivesOf(config: Pick<Config, 'services'>): ResolvedObjective[] {
  return config.services.flatMap(({ slo }) => slo.objectives);
}

function objectiveSource(daemon: DaemonConfig, objective: Objective, instances: Map<string, SourceInstance>): ObjectiveSource {
  const found = lookupIndicatorSource(daemon.sources, objective.indicator);
  // Not defined, of the wrong kind, or ambiguous: the loader reports which when it checks sources.
  if (!found.ok) return { kind: null, name: indicatorSourceName(objective.indicator) };
  const key = sourceKey(found);
  let known = instances.get(key);
  if (known === undefined) {
    // Only an implicit instance can be missing here: configured ones are all in already.
    known = instance(found.kind, found.name, SOURCE_SCHEMAS[found.kind].parse({}), true);
    instances.set(key, known);
  }
  return known;
}

function instance<K extends SourceKind>(kind: K, name: string, settings: SourceSettings<K>, implicit: boolean): SourceInstance {
  const schedule = settings.schedule ?? DEFAULT_SCHEDULES[kind];
  return { kind, name, settings, implicit, schedule, intervalMs: cronIntervalMs(schedule), timeoutMs: settings.timeout } as SourceInstance;
}

/**
 * Metric profiles, resolved here and nowhere else: an indicator's own `metrics:` wins, then the
 * SLO file's `metricProfiles`, then vigil.yaml's `metricProfiles`, then `vigil`. Applied to the
 * SLO document as read, before it is validated, so the loader's checks (an exporter profile
 * reads from a prometheus source) and everything after loading find the profile in the
 * indicator itself. A default that is not a valid profile is left to the schema to report.
 */
export function withProfileDefaults(doc: unknown, daemonDefaults: MetricProfiles | undefined): unknown {
  if (!isRecord(doc) || !Array.isArray(doc.objectives)) return doc;
  const own = metricProfilesSchema.safeParse(doc.metricProfiles ?? {});
  const defaults: MetricProfiles = { ...daemonDefaults, ...(own.success ? own.data : {}) };
  if (Object.values(defaults).every((p) => p === undefined)) return doc;
  const objectives = doc.objectives.map((objective: unknown) => {
    if (!isRecord(objective) || !isRecord(objective.indicator)) return objective;
    const [kind, body] = Object.entries(objective.indicator)[0] ?? [];
    const family = PROFILE_FAMILY[kind as IndicatorKind];
    const profile = family === undefined ? undefined : defaults[family];
    if (profile === undefined || !isRecord(body) || body.metrics !== undefined) return objective;
    return { ...objective, indicator: { ...objective.indicator, [kind!]: { ...body, metrics: profile } } };
  });
  return { ...doc, objectives };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
