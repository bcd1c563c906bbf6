import { z } from 'zod';
import { ERR } from '../core/errors.js';
import { describeInput, formatQuantity } from '../units/units.js';
import { bytesSchema, durationOrZeroSchema, durationSchema, durationWithin, quantitySchema, ratioSchema } from './units-schema.js';

/**
 * The SLO file format `vigil/v1`. Types are inferred from these schemas; there is no second
 * hand-written copy. Objects are strict: an unknown key is an error (with a did-you-mean from
 * the loader). Connection details never live here: `source` names an instance that the daemon
 * config defines. The descriptions end up in the JSON Schema (`vigil schema`), so editors show them.
 *
 * Checks that need two fields at once (duplicate names, a bound's unit against the indicator,
 * source instances) live in `slo-checks.ts`: zod skips an object's refinements as soon as one
 * field fails, and the loader reports every error, not only the first.
 */

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: (iss) => `expected a lowercase name of letters, digits and dashes, got ${describeInput(iss.input)}`,
});
const labels = z
  .record(
    z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, {
      error: (iss) => `expected a Prometheus label name (letters, digits, _), got ${describeInput(iss.input)}`,
    }),
    z.string(),
  )
  .meta({ description: 'Labels added to every series and alert of this scope.' });
/** The instance an indicator reads when it names none. */
export const DEFAULT_SOURCE_NAME = 'default';

/** Names the source instance in the daemon config; `default` when left out. */
const sourceRef = z
  .string()
  .min(1)
  .default(DEFAULT_SOURCE_NAME)
  .meta({ description: 'Name of a source instance defined in vigil.yaml (default: "default").' });

/** A PromQL query evaluated over each alerting/compliance window, so it must say where the window goes. */
const windowedQuery = (what: string) =>
  z
    .string()
    .min(1)
    .refine((q) => q.includes('{{window}}'), {
      message: 'expected a {{window}} placeholder for the range, e.g. rate(http_requests_total[{{window}}])',
      params: { code: ERR.VIGIL_ERR_CONFIG_RATIO_WINDOW },
    })
    .meta({ description: `PromQL for ${what} per second, with {{window}} where the range goes.` });

/**
 * Metric profiles: whose metric names an indicator reads. `vigil` (the default) is what `vigil run`
 * exports; the others are the exporters teams already run, read through a `prometheus` source
 * and written into the generated rules. Reference: docs/ecosystem.md.
 */
export const CONTAINER_PROFILES = ['vigil', 'cadvisor', 'kubelet'] as const;
export const REDIS_PROFILES = ['vigil', 'redis_exporter'] as const;
export const POSTGRES_PROFILES = ['vigil', 'postgres_exporter'] as const;
export type ContainerProfile = (typeof CONTAINER_PROFILES)[number];
export type RedisProfile = (typeof REDIS_PROFILES)[number];
export type PostgresProfile = (typeof POSTGRES_PROFILES)[number];

/**
 * Default profiles per indicator family, in an SLO file (`metricProfiles:`) and in vigil.yaml;
 * an indicator's own `metrics:` wins over both (resolved by `withProfileDefaults`).
 */
export const metricProfilesSchema = z
  .strictObject({
    containers: z
      .enum(CONTAINER_PROFILES)
      .optional()
      .meta({ description: `containerMemory and containerCpu: ${CONTAINER_PROFILES.join(', ')}.` }),
    redis: z
      .enum(REDIS_PROFILES)
      .optional()
      .meta({ description: `redisHitRatio: ${REDIS_PROFILES.join(', ')}.` }),
    postgres: z
      .enum(POSTGRES_PROFILES)
      .optional()
      .meta({ description: `postgresQueryLatency: ${POSTGRES_PROFILES.join(', ')}.` }),
  })
  .meta({
    description:
      "Default metric profiles per indicator family (an indicator's own `metrics:` wins; then the SLO file's, then vigil.yaml's, then vigil). Reference: docs/ecosystem.md.",
  });
export type MetricProfiles = z.infer<typeof metricProfilesSchema>;

/** The family whose default profile applies to each indicator kind that takes `metrics:`. */
export const PROFILE_FAMILY: Readonly<Partial<Record<IndicatorKind, keyof MetricProfiles>>> = {
  containerMemory: 'containers',
  containerCpu: 'containers',
  redisHitRatio: 'redis',
  postgresQueryLatency: 'postgres',
};

const profileField = <P extends readonly [string, ...string[]]>(profiles: P, example: string) =>
  z
    .enum(profiles)
    .optional()
    .meta({
      description: `Whose metrics to read: ${profiles.join(', ')} (default: the file's metricProfiles, then vigil.yaml's, then vigil, the daemon's own). Any other profile reads ${example} through a prometheus source.`,
    });

/** Exact values or globs (`*`, `?`) the exporter's series must carry, e.g. `{ job: redis, instance: "cache-1:*" }`. */
const seriesMatchField = z
  .record(
    z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, {
      error: (iss) => `expected a Prometheus label name (letters, digits, _), got ${describeInput(iss.input)}`,
    }),
    z.string(),
  )
  .optional()
  .meta({ description: 'With an exporter profile: label values (globs allowed) the exporter series must carry, e.g. {job: redis}.' });

/** Docker label keys are free-form (`com.docker.compose.service`); they become `label_<key>` series labels. */
const dockerLabels = z.record(
  z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._/-]*$/, {
    error: (iss) => `expected a Docker label key (letters, digits, ".", "_", "-", "/"), got ${describeInput(iss.input)}`,
  }),
  z.string(),
);

const containerSelector = {
  source: sourceRef,
  metrics: profileField(CONTAINER_PROFILES, 'cAdvisor (container label `name`) or kubelet (label `container`) series'),
  seriesMatch: seriesMatchField,
  /** Glob over container names, e.g. `ml-serving*`. */
  containers: z.string().min(1).optional().meta({ description: 'Glob over container names, e.g. "ml-serving*".' }),
  /** Every label must match exactly. */
  containerLabels: dockerLabels.optional().meta({
    description: 'Docker labels a container must carry, all of them (keys as Docker writes them, e.g. com.docker.compose.service).',
  }),
};

const requireSelector = (v: { containers?: string | undefined; containerLabels?: Record<string, string> | undefined }) =>
  v.containers !== undefined || v.containerLabels !== undefined;
const selectorMessage = { message: 'expected `containers` (a name glob) and/or `containerLabels`' };

/** `quantile: 95` is a percentile written as a percentage: say which fraction was meant. */
function quantileTooBig(input: unknown): string {
  const got = String(input);
  const hint = typeof input === 'number' && input > 1 && input < 100 ? ` (a quantile is a fraction: did you mean ${input / 100}?)` : '';
  return `expected a number below 1, got ${got}${hint}`;
}

export const latencyIndicatorSchema = z
  .strictObject({
    /** A `prometheus` or `scrape` source instance. */
    source: sourceRef,
    /** Selector of a Prometheus histogram, without `_bucket`, e.g. `http_request_duration_seconds{route="/decide"}`. */
    histogram: z.string().min(1).meta({
      description: 'Selector of a Prometheus histogram without the _bucket suffix, e.g. http_request_duration_seconds{route="/decide"}.',
    }),
    quantile: z
      .number()
      .gt(0)
      .lt(1, { error: (iss) => quantileTooBig(iss.input) })
      .default(0.95)
      .meta({ description: 'The quantile, between 0 and 1 (default 0.95).' }),
  })
  .meta({ title: 'latency', description: 'A quantile of a Prometheus histogram (prometheus or scrape source).' });

export const ratioIndicatorSchema = z
  .strictObject({
    source: sourceRef,
    /** PromQL for bad events per second; must contain `{{window}}`. */
    errors: windowedQuery('bad events').optional(),
    /** PromQL for good events per second; must contain `{{window}}`. */
    good: windowedQuery('good events').optional(),
    /** PromQL for all events per second; must contain `{{window}}`. */
    total: windowedQuery('all events'),
  })
  .refine((v) => (v.errors === undefined) !== (v.good === undefined), {
    message: 'expected exactly one of `errors` or `good` beside `total`',
  })
  .meta({ title: 'ratio', description: 'Good (or bad) events over all events, from PromQL; takes a `target`.' });

export const promqlIndicatorSchema = z
  .strictObject({
    source: sourceRef,
    query: z.string().min(1).meta({ description: 'Any PromQL expression returning one value.' }),
  })
  .meta({ title: 'promql', description: 'Any PromQL expression compared with a threshold.' });

export const containerMemoryIndicatorSchema = z
  .strictObject(containerSelector)
  .refine(requireSelector, selectorMessage)
  .meta({ title: 'containerMemory', description: 'Container memory as docker stats shows it (bytes), per container.' });
export const containerCpuIndicatorSchema = z
  .strictObject(containerSelector)
  .refine(requireSelector, selectorMessage)
  .meta({ title: 'containerCpu', description: 'Container CPU as docker stats shows it (100% = one core), per container.' });

export const memoryLeakIndicatorSchema = z
  .strictObject({
    source: containerSelector.source,
    containers: containerSelector.containers,
    containerLabels: containerSelector.containerLabels,
    /** The regression window. */
    window: durationSchema.prefault('24h').meta({ description: 'The regression window (default 24h).' }),
    /** Memory ceiling for the exhaustion estimate when the container has no limit. */
    limit: bytesSchema
      .optional()
      .meta({ description: 'Memory ceiling for the time-to-exhaustion estimate when the container has no limit.' }),
  })
  .refine(requireSelector, selectorMessage)
  .meta({ title: 'memoryLeak', description: 'Regression of container memory growth over a window; breached when it leaks.' });

export const redisHitRatioIndicatorSchema = z
  .strictObject({
    source: sourceRef,
    metrics: profileField(REDIS_PROFILES, 'redis_exporter series (redis_keyspace_hits_total, redis_keyspace_misses_total)'),
    seriesMatch: seriesMatchField,
  })
  .meta({ title: 'redisHitRatio', description: 'keyspace_hits / (hits + misses) over the window, from Redis INFO stats.' });

export const postgresQueryLatencyIndicatorSchema = z
  .strictObject({
    source: sourceRef,
    /** SQL LIKE pattern over the statement text, e.g. `%ml_learning%`. */
    match: z.string().min(1).optional().meta({ description: 'SQL LIKE pattern over the statement text, e.g. "%ml_learning%".' }),
    database: z.string().min(1).optional().meta({ description: 'Only statements run in this database.' }),
    statistic: z
      .enum(['mean', 'p95', 'max'])
      .default('p95')
      .meta({ description: 'mean, p95 (estimated from mean and stddev) or max execution time (default p95).' }),
    metrics: profileField(
      POSTGRES_PROFILES,
      "postgres_exporter's pg_stat_statements collector (0.13+ names, or the shipped extend-query file for older exporters)",
    ),
    seriesMatch: seriesMatchField,
  })
  .refine((v) => v.match !== undefined || v.database !== undefined, {
    message: 'expected `match` (a LIKE pattern) and/or `database`',
  })
  .meta({ title: 'postgresQueryLatency', description: 'Execution time of the selected statements, from pg_stat_statements.' });

export const probeIndicatorSchema = z
  .strictObject({
    /** A `probe` source instance; its `baseUrl` is joined with `path`. */
    source: sourceRef,
    url: z.url().optional().meta({ description: 'Absolute URL to probe.' }),
    path: z.string().startsWith('/').optional().meta({ description: "Path joined with the probe source's baseUrl." }),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT']).default('GET'),
    body: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Status codes counted as up; any 2xx/3xx when left out. */
    expectStatus: z
      .array(z.number().int().min(100).max(599))
      .min(1)
      .optional()
      .meta({ description: 'Status codes counted as up; any 2xx or 3xx when left out.' }),
    timeout: durationWithin(10, 5 * 60_000, "the probe's request timeout")
      .optional()
      .meta({ description: "Request timeout (default: the probe source's timeout), at most 5m." }),
  })
  .refine((v) => (v.url === undefined) !== (v.path === undefined), {
    message: "expected exactly one of `url` or `path` (joined with the probe source's baseUrl)",
  })
  .meta({
    title: 'probe',
    description:
      'HTTP probe: uptime (success share, with `target` alone) or its P95 response time (with a duration `threshold`; a `target` then counts good time slices).',
  });

export const indicatorSchema = z
  .union([
    z.strictObject({ latency: latencyIndicatorSchema }),
    z.strictObject({ ratio: ratioIndicatorSchema }),
    z.strictObject({ promql: promqlIndicatorSchema }),
    z.strictObject({ containerMemory: containerMemoryIndicatorSchema }),
    z.strictObject({ containerCpu: containerCpuIndicatorSchema }),
    z.strictObject({ memoryLeak: memoryLeakIndicatorSchema }),
    z.strictObject({ redisHitRatio: redisHitRatioIndicatorSchema }),
    z.strictObject({ postgresQueryLatency: postgresQueryLatencyIndicatorSchema }),
    z.strictObject({ probe: probeIndicatorSchema }),
  ])
  .meta({ description: 'What is measured: a map with exactly one indicator kind.' });

/** Every indicator kind, in the order the format documents them. */
export const INDICATOR_KINDS = [
  'latency',
  'ratio',
  'promql',
  'containerMemory',
  'containerCpu',
  'memoryLeak',
  'redisHitRatio',
  'postgresQueryLatency',
  'probe',
] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

export const thresholdSchema = z
  .strictObject({
    max: quantitySchema.optional().meta({ description: 'The value must stay at or below this bound.' }),
    min: quantitySchema.optional().meta({ description: 'The value must stay at or above this bound.' }),
    /** An earlier bound on the same side: past it the objective is `warning`. */
    warning: quantitySchema.optional().meta({ description: 'An earlier bound on the same side: past it the status is warning.' }),
  })
  .refine((v) => v.max !== undefined || v.min !== undefined, { message: 'expected `max` and/or `min`' })
  .meta({ description: 'Bounds for the indicator value; the unit must suit the indicator.' });

/** A target is a share strictly between nothing and everything: 100% leaves no error budget. */
export const targetSchema = ratioSchema
  .refine((v) => v > 0 && v < 1, {
    error: (iss) => `expected a target above 0% and below 100%, got ${formatQuantity({ value: iss.input as number, unit: 'ratio' })}`,
    params: { code: ERR.VIGIL_ERR_CONFIG_TARGET_RANGE },
  })
  .meta({ description: 'Share of good events or good evaluation slices over the period, e.g. "99.9%"; above 0 and below 100%.' });

export const alertSchema = z
  .strictObject({
    severity: z.enum(['critical', 'page', 'ticket', 'warning', 'info']).default('page'),
    /** How long a threshold must be broken before the alert fires. */
    for: durationOrZeroSchema
      .prefault('5m')
      .meta({ description: 'How long the objective must be broken before the alert fires (default 5m; "0s" fires at once).' }),
    /** Names a burn-rate window set (shipped, or a team's own from `windowSets` in vigil.yaml). */
    burnRateWindows: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Name of a burn-rate window set (default google-sre-30d; sre-7d for periods it does not fit).' }),
    runbookUrl: z.url().optional(),
    dashboardUrl: z.url().optional(),
    /** Opt-in alert when the indicator has no data. */
    absent: z
      .union([z.boolean(), z.strictObject({ for: durationOrZeroSchema })])
      .default(false)
      .meta({ description: 'Alert when the indicator has no data: true, or { for: 10m }.' }),
    /** Events per second below which burn-rate alerts stay quiet (a quiet hour does not page). */
    minTraffic: z.number().nonnegative().optional().meta({ description: 'Events per second below which burn-rate alerts stay quiet.' }),
    disabled: z.boolean().default(false),
  })
  .meta({ description: 'How breaches of this objective alert.' });

export const objectiveSchema = z
  .strictObject({
    name: name.meta({ description: 'Unique within the file: lowercase letters, digits and dashes.' }),
    description: z.string().optional(),
    labels: labels.optional(),
    indicator: indicatorSchema,
    /** Threshold objective: the value compared with a bound. */
    threshold: thresholdSchema.optional(),
    /** Share of good events (ratio) or good evaluation slices (threshold) over `period`; in (0, 100%). */
    target: targetSchema.optional(),
    /** Threshold objectives: the window the value is computed over. */
    window: durationSchema.prefault('5m').meta({ description: 'Window the indicator value is computed over (default 5m).' }),
    /** Compliance period for `target`. */
    period: durationSchema.prefault('30d').meta({ description: 'Compliance period of the target (default 30d).' }),
    alert: alertSchema.prefault({}),
    /** How much worse a figure may get before `vigil compare` calls it a regression. */
    tolerance: ratioSchema.optional().meta({
      description: 'vigil compare: a change smaller than this share of the before value is never a regression, e.g. "5%" (default 5%).',
    }),
  })
  .meta({ title: 'Objective' });

export const sloFileSchema = z
  .strictObject({
    apiVersion: z.literal('vigil/v1'),
    kind: z.literal('ServiceLevels'),
    service: name.meta({ description: 'The service these objectives are about; unique across all SLO files.' }),
    description: z.string().optional(),
    labels: labels.optional(),
    metricProfiles: metricProfilesSchema.optional(),
    objectives: z.array(objectiveSchema).min(1),
  })
  .meta({
    title: 'vigil SLO file (vigil/v1)',
    description: 'Performance service-level objectives of one service. Reference: docs/slo-format.md.',
  });

export type SloFile = z.infer<typeof sloFileSchema>;
export type SloFileInput = z.input<typeof sloFileSchema>;
export type Objective = z.infer<typeof objectiveSchema>;
export type Indicator = z.infer<typeof indicatorSchema>;
export type Threshold = z.infer<typeof thresholdSchema>;
export type AlertSettings = z.infer<typeof alertSchema>;
export type LatencyIndicator = z.infer<typeof latencyIndicatorSchema>;
export type RatioIndicator = z.infer<typeof ratioIndicatorSchema>;
export type PromqlIndicator = z.infer<typeof promqlIndicatorSchema>;
export type ContainerMemoryIndicator = z.infer<typeof containerMemoryIndicatorSchema>;
export type ContainerCpuIndicator = z.infer<typeof containerCpuIndicatorSchema>;
export type MemoryLeakIndicator = z.infer<typeof memoryLeakIndicatorSchema>;
export type RedisHitRatioIndicator = z.infer<typeof redisHitRatioIndicatorSchema>;
export type PostgresQueryLatencyIndicator = z.infer<typeof postgresQueryLatencyIndicatorSchema>;
export type ProbeIndicator = z.infer<typeof probeIndicatorSchema>;

/** The kind of an indicator and its body, for code that switches on it. */
export function indicatorKind(indicator: Indicator): IndicatorKind {
  return Object.keys(indicator)[0] as IndicatorKind;
}

/** The metric profile an indicator reads (`vigil` unless it names an exporter's). */
export function indicatorProfile(indicator: Indicator): string {
  const body = Object.values(indicator)[0] as { metrics?: string } | undefined;
  return body?.metrics ?? 'vigil';
}
