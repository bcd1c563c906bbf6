import { z } from 'zod';
import { objectiveStatusSchema, sourceHealthSchema } from '../snapshot/snapshot-schema.js';

/**
 * The load test's result as one plain, serialisable value. `--json` prints it; saved runs and
 * comparisons read it back through these schemas. TypeScript types are inferred from them.
 */

export const latencySummarySchema = z.object({
  count: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
});
export type LatencySummary = z.infer<typeof latencySummarySchema>;

export const kindReportSchema = z.object({
  name: z.string(),
  method: z.string(),
  path: z.string(),
  responses: z.number(),
  throughput: z.number(),
  latencyMs: latencySummarySchema,
  serverErrors: z.number(),
  clientErrors: z.number(),
  connectionErrors: z.number(),
});
export type KindReport = z.infer<typeof kindReportSchema>;

export const checkSchema = z.object({
  name: z.string(),
  held: z.boolean(),
  value: z.number(),
  bound: z.number(),
  detail: z.string(),
});
export type Check = z.infer<typeof checkSchema>;

export const stressStepSchema = z.object({
  rate: z.number(),
  achieved: z.number(),
  latencyMs: latencySummarySchema,
  errorRatio: z.number(),
  held: z.boolean(),
  reasons: z.array(z.string()),
});
export type StressStep = z.infer<typeof stressStepSchema>;

export const clientViewSchema = z.object({
  /** Latency in ms or good share 0..1. */
  value: z.number(),
  /** The bound it was compared with (ms, or the target share). */
  bound: z.number(),
  held: z.boolean(),
  /** Which request kinds it rests on. */
  kinds: z.array(z.string()),
  what: z.string(),
});
export type ClientView = z.infer<typeof clientViewSchema>;

export const watchedHistorySchema = z.array(z.object({ atS: z.number(), status: objectiveStatusSchema, value: z.string().nullable() }));

export const vigilViewSchema = z.object({
  worst: objectiveStatusSchema,
  worstValue: z.string().nullable(),
  last: objectiveStatusSchema,
  lastValue: z.string().nullable(),
  error: z.string().optional(),
  history: watchedHistorySchema,
});

export const objectiveVerdictSchema = z.object({
  service: z.string(),
  objective: z.string(),
  kind: z.string(),
  verdict: z.enum(['held', 'broken', 'not_covered']),
  client: clientViewSchema.nullable(),
  vigil: vigilViewSchema.nullable(),
});
export type ObjectiveVerdict = z.infer<typeof objectiveVerdictSchema>;
export type Verdict = ObjectiveVerdict['verdict'];

export const stressResultSchema = z.object({
  steps: z.array(stressStepSchema),
  highestHeldRate: z.number().nullable(),
  breakingRate: z.number().nullable(),
  breakingReasons: z.array(z.string()),
  recovery: z.object({ answered: z.boolean(), afterMs: z.number().nullable(), url: z.string() }),
});
export type StressResult = z.infer<typeof stressResultSchema>;

export const loadtestReportSchema = z.object({
  mode: z.enum(['constant', 'profile', 'stress']),
  target: z.string(),
  startedAt: z.string(),
  durationS: z.number(),
  requested: z.number(),
  responses: z.number(),
  throughput: z.number(),
  latencyMs: latencySummarySchema,
  errors: z.object({ server: z.number(), client: z.number(), connection: z.number(), ratio: z.number() }),
  statusCounts: z.record(z.string(), z.number()),
  kinds: z.array(kindReportSchema),
  checks: z.array(checkSchema),
  objectives: z.array(objectiveVerdictSchema),
  vigil: z.object({ sources: z.array(sourceHealthSchema), config: z.string() }).nullable(),
  stress: stressResultSchema.optional(),
  passed: z.boolean(),
  /** Names of what failed: objectives and checks. */
  failed: z.array(z.string()),
});
export type LoadtestReport = z.infer<typeof loadtestReportSchema>;
