import { z } from 'zod';
import { bytesSchema, durationSchema, quantitySchema, ratioSchema } from './units-schema.js';

/**
 * The SLO file format `vigil/v1`. Types are inferred from these schemas; there is no second
 * hand-written copy. Objects are strict: an unknown key is an error (with a did-you-mean from
 * the loader). Connection details never live here: `source` names an instance that the daemon
 * config defines.
 */

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a lowercase name of letters, digits and dashes');
const labels = z.record(
  z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name'),
  z.string(),
);
/** Names the source instance in the daemon config; `default` when left out. */
const sourceRef = z.string().min(1).default('default');

const containerSelector = {
  source: sourceRef,
  /** Glob over container names, e.g. `ml-serving*`. */
  containers: z.string().min(1).optional(),
  /** Every label must match exactly. */
  containerLabels: labels.optional(),
};

const requireSelector = (v: { containers?: string | undefined; containerLabels?: Record<string, string> | undefined }) =>
  v.containers !== undefined || v.containerLabels !== undefined;
const selectorMessage = { message: 'expected `containers` (a name glob) and/or `containerLabels`' };

export const latencyIndicatorSchema = z.strictObject({
  /** A `prometheus` or `scrape` source instance. */
  source: sourceRef,
  /** Selector of a Prometheus histogram, without `_bucket`, e.g. `http_request_duration_seconds{route="/decide"}`. */
  histogram: z.string().min(1),
  quantile: z.number().gt(0).lt(1).default(0.95),
});

export const ratioIndicatorSchema = z
  .strictObject({
    source: sourceRef,
    /** PromQL for bad events per second; must contain `{{window}}`. */
    errors: z.string().min(1).optional(),
    /** PromQL for good events per second; must contain `{{window}}`. */
    good: z.string().min(1).optional(),
    /** PromQL for all events per second; must contain `{{window}}`. */
    total: z.string().min(1),
  })
  .refine((v) => (v.errors === undefined) !== (v.good === undefined), {
    message: 'expected exactly one of `errors` or `good` beside `total`',
  });

export const promqlIndicatorSchema = z.strictObject({
  source: sourceRef,
  query: z.string().min(1),
});

export const containerMemoryIndicatorSchema = z.strictObject(containerSelector).refine(requireSelector, selectorMessage);
export const containerCpuIndicatorSchema = z.strictObject(containerSelector).refine(requireSelector, selectorMessage);

export const memoryLeakIndicatorSchema = z
  .strictObject({
    ...containerSelector,
    /** The regression window. */
    window: durationSchema.prefault('24h'),
    /** Memory ceiling for the exhaustion estimate when the container has no limit. */
    limit: bytesSchema.optional(),
  })
  .refine(requireSelector, selectorMessage);

export const redisHitRatioIndicatorSchema = z.strictObject({
  source: sourceRef,
});

export const postgresQueryLatencyIndicatorSchema = z
  .strictObject({
    source: sourceRef,
    /** SQL LIKE pattern over the statement text, e.g. `%ml_learning%`. */
    match: z.string().min(1).optional(),
    database: z.string().min(1).optional(),
    statistic: z.enum(['mean', 'p95', 'max']).default('p95'),
  })
  .refine((v) => v.match !== undefined || v.database !== undefined, {
    message: 'expected `match` (a LIKE pattern) and/or `database`',
  });

export const probeIndicatorSchema = z
  .strictObject({
    /** A `probe` source instance; its `baseUrl` is joined with `path`. */
    source: sourceRef,
    url: z.url().optional(),
    path: z.string().startsWith('/').optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT']).default('GET'),
    body: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Status codes counted as up; any 2xx/3xx when left out. */
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    timeout: durationSchema.optional(),
  })
  .refine((v) => (v.url === undefined) !== (v.path === undefined), {
    message: 'expected exactly one of `url` or `path` (joined with the probe source\'s baseUrl)',
  });

export const indicatorSchema = z.union([
  z.strictObject({ latency: latencyIndicatorSchema }),
  z.strictObject({ ratio: ratioIndicatorSchema }),
  z.strictObject({ promql: promqlIndicatorSchema }),
  z.strictObject({ containerMemory: containerMemoryIndicatorSchema }),
  z.strictObject({ containerCpu: containerCpuIndicatorSchema }),
  z.strictObject({ memoryLeak: memoryLeakIndicatorSchema }),
  z.strictObject({ redisHitRatio: redisHitRatioIndicatorSchema }),
  z.strictObject({ postgresQueryLatency: postgresQueryLatencyIndicatorSchema }),
  z.strictObject({ probe: probeIndicatorSchema }),
]);

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
    max: quantitySchema.optional(),
    min: quantitySchema.optional(),
    /** An earlier bound on the same side: past it the objective is `warning`. */
    warning: quantitySchema.optional(),
  })
  .refine((v) => v.max !== undefined || v.min !== undefined, { message: 'expected `max` and/or `min`' });

export const alertSchema = z.strictObject({
  severity: z.enum(['critical', 'page', 'ticket', 'warning', 'info']).default('page'),
  /** How long a threshold must be broken before the alert fires. */
  for: durationSchema.prefault('5m'),
  /** Names a burn-rate window set (see `alerts/windows/`). */
  burnRateWindows: z.string().min(1).default('google-sre-30d'),
  runbookUrl: z.url().optional(),
  dashboardUrl: z.url().optional(),
  /** Opt-in alert when the indicator has no data. */
  absent: z.union([z.boolean(), z.strictObject({ for: durationSchema })]).default(false),
  /** Events per second below which burn-rate alerts stay quiet (a quiet hour does not page). */
  minTraffic: z.number().nonnegative().optional(),
  disabled: z.boolean().default(false),
});

export const objectiveSchema = z.strictObject({
  name,
  description: z.string().optional(),
  labels: labels.optional(),
  indicator: indicatorSchema,
  /** Threshold objective: the value compared with a bound. */
  threshold: thresholdSchema.optional(),
  /** Share of good events (ratio) or good evaluation slices (threshold) over `period`; in (0, 100%). */
  target: ratioSchema.optional(),
  /** Threshold objectives: the window the value is computed over. */
  window: durationSchema.prefault('5m'),
  /** Compliance period for `target`. */
  period: durationSchema.prefault('30d'),
  alert: alertSchema.prefault({}),
});

export const sloFileSchema = z.strictObject({
  apiVersion: z.literal('vigil/v1'),
  kind: z.literal('ServiceLevels'),
  service: name,
  description: z.string().optional(),
  labels: labels.optional(),
  objectives: z.array(objectiveSchema).min(1),
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
