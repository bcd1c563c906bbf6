import { z } from 'zod';
import { SOURCE_KINDS } from '../config/daemon-schema.js';
import { INDICATOR_KINDS } from '../config/slo-schema.js';
import type { LeakVerdict } from '../leak/leak-verdict.js';
import type { SourceHealth } from '../sources/source.js';

/**
 * The snapshot: what one evaluation cycle knows. These zod schemas are the single description of
 * it: TypeScript types are inferred from them, the HTTP API's response JSON Schemas and the
 * OpenAPI document are generated from them (`z.toJSONSchema`). Alerting, /metrics, the CLI and
 * the API all read a `Snapshot`; none of them recomputes anything.
 *
 * Conventions: times are unix milliseconds; values are in base units (seconds, bytes, ratio 0..1)
 * with `display` for people; `null` means "not known" (never 0 standing in for unknown).
 */

export const OBJECTIVE_STATUSES = ['ok', 'warning', 'breach', 'no_data'] as const;
export const objectiveStatusSchema = z.enum(OBJECTIVE_STATUSES).meta({
  description:
    '`ok` within bounds; `warning` past the warning bound; `breach` past the bound (or a leak); `no_data` when the data is missing or stale (never `ok`).',
});
export type ObjectiveStatus = z.infer<typeof objectiveStatusSchema>;

/** Severity order used for "the worst objective" (no_data ranks between warning and breach). */
export const STATUS_RANK: Readonly<Record<ObjectiveStatus, number>> = Object.freeze({
  ok: 0,
  warning: 1,
  no_data: 2,
  breach: 3,
});

export const quantityValueSchema = z
  .object({
    value: z.number(),
    unit: z.enum(['seconds', 'bytes', 'ratio', 'number']),
    /** The value as a person reads it: `42.1ms`, `1.5GiB`, `83.2%`. */
    display: z.string(),
  })
  .meta({ description: 'A value in base units (seconds, bytes, ratio 0..1 or a plain number) and its display form.' });
export type QuantityValue = z.infer<typeof quantityValueSchema>;

export const boundsSchema = z.object({
  max: quantityValueSchema.nullable(),
  min: quantityValueSchema.nullable(),
  warning: quantityValueSchema.nullable(),
});
export type Bounds = z.infer<typeof boundsSchema>;

export const burnRateSchema = z.object({
  /** Window as written in PromQL: `5m`, `1h`, `3d`. */
  window: z.string(),
  /** Error ratio over the window divided by the error budget (1 − target); null without data. */
  rate: z.number().nullable(),
});
export type BurnRate = z.infer<typeof burnRateSchema>;

export const leakVerdictSchema = z.object({
  verdict: z.enum(['leak', 'suspected', 'ok', 'insufficient_data']),
  growthBytesPerHour: z.number().nullable(),
  confidence: z.number(),
  growthShareOfLimit: z.number().nullable(),
  exhaustionEtaSeconds: z.number().nullable(),
  points: z.number(),
  spanMs: z.number(),
  checks: z
    .object({ significant: z.boolean(), material: z.boolean(), persistent: z.boolean(), partial: z.boolean(), steady: z.boolean() })
    .optional(),
});

export const breakdownEntrySchema = z.object({
  /** What this part is: `{container: "ml-serving-1"}`, `{queryid: "…"}`, `{source: "cache"}`. */
  labels: z.record(z.string(), z.string()),
  /** In the objective's unit; null when this part has no usable data. */
  value: z.number().nullable(),
  /** Per-container leak verdict (memoryLeak objectives only). */
  leak: leakVerdictSchema.optional(),
});
export type BreakdownEntry = z.infer<typeof breakdownEntrySchema>;

export const objectiveResultSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  kind: z.enum(INDICATOR_KINDS),
  /** The source instance the indicator reads (kind + name from vigil.yaml); kind null when it names no configured instance. */
  source: z.object({ kind: z.enum(SOURCE_KINDS).nullable(), name: z.string() }),
  status: objectiveStatusSchema,
  /** The current value (threshold objectives: the indicator; ratio/probe: the good share over `window`). */
  value: quantityValueSchema.nullable(),
  threshold: boundsSchema.nullable(),
  /** Target share of good events/slices over `period`, 0..1; null without a target. */
  target: z.number().nullable(),
  /** Evaluation window, e.g. `5m`. */
  window: z.string(),
  /** Compliance period, e.g. `30d`; null without a target. */
  period: z.string().nullable(),
  /** Good share over the period as far as history reaches (see `complianceCoverage`); null without a target or data. */
  compliance: z.number().nullable(),
  /** Share of the period the compliance figure rests on, 0..1 (history shorter than the period). */
  complianceCoverage: z.number().nullable(),
  /** 1 − (1 − compliance)/(1 − target); negative when overspent; null without a target or data. */
  errorBudgetRemaining: z.number().nullable(),
  burnRates: z.array(burnRateSchema),
  breakdown: z.array(breakdownEntrySchema),
  /** memoryLeak objectives: the worst container's verdict. */
  leak: leakVerdictSchema.optional(),
  /** Why the value is missing (stale data, no matching series, a query error). */
  error: z.string().optional(),
  /** Seconds since the newest point the value rests on; null when there is none. */
  dataAgeSeconds: z.number().nullable(),
});
export type ObjectiveResult = z.infer<typeof objectiveResultSchema>;

export const serviceSummarySchema = z
  .object({
    /** Probe (or availability ratio) good share over its window, in percent 0..100. */
    uptime_percentage: z.number().nullable(),
    /** Latency P95 of the first latency objective (ML decision), in milliseconds. */
    response_time_p95: z.number().nullable(),
    /** Largest container working set over the memory objectives, bytes. */
    memory_usage_bytes: z.number().nullable(),
    /** Largest container CPU over the CPU objectives, percent of one core (as `docker stats`). */
    cpu_usage_percent: z.number().nullable(),
    /** Redis keyspace hit ratio 0..1. */
    cache_hit_ratio: z.number().nullable(),
    /** Worst PostgreSQL statement latency objective, milliseconds. */
    db_query_p95_ms: z.number().nullable(),
  })
  .meta({ description: 'Headline figures taken from the objectives; null when the service has no such objective or no data.' });
export type ServiceSummary = z.infer<typeof serviceSummarySchema>;

export const serviceResultSchema = z.object({
  service: z.string(),
  labels: z.record(z.string(), z.string()),
  /** The worst objective's status. */
  status: objectiveStatusSchema,
  objectives: z.array(objectiveResultSchema),
  summary: serviceSummarySchema,
  /** Largest data age over the objectives, seconds; null when no objective has data. */
  dataAgeSeconds: z.number().nullable(),
});
export type ServiceResult = z.infer<typeof serviceResultSchema>;

export const sourceHealthSchema = z.object({
  kind: z.enum(SOURCE_KINDS),
  name: z.string(),
  up: z.boolean(),
  lastSuccess: z.number().nullable(),
  lastError: z.string().nullable(),
  consecutiveFailures: z.number(),
  lastDurationMs: z.number().nullable(),
});

export const snapshotSchema = z.object({
  /** Unix ms of the evaluation. */
  evaluatedAt: z.number(),
  services: z.array(serviceResultSchema),
  sources: z.array(sourceHealthSchema),
});

/** Deeply read-only: a snapshot is frozen once built and replaced whole. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? ReadonlyArray<DeepReadonly<E>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Snapshot = DeepReadonly<z.infer<typeof snapshotSchema>>;

// The schemas above restate two contracts owned elsewhere; these lines fail to compile if they drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sourceHealthMatches: Same<z.infer<typeof sourceHealthSchema>, SourceHealth> = true;
const _leakVerdictMatches: Same<z.infer<typeof leakVerdictSchema>, LeakVerdict> = true;
void _sourceHealthMatches;
void _leakVerdictMatches;
