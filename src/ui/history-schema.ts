import { z } from 'zod';
import { burnRateSchema, objectiveStatusSchema } from '../snapshot/snapshot-schema.js';

/**
 * The history API's bodies. Column form (one array per field, aligned with `t`) because that is
 * what a chart consumes and it is about a third the size of an array of objects. Times are unix
 * seconds; values in the objective's base unit; null marks a bucket without data.
 */
const column = z.array(z.number().nullable());

const rangeFields = {
  from: z.number().meta({ description: 'Start of the range, unix seconds.' }),
  to: z.number().meta({ description: 'End of the range, unix seconds.' }),
  step_seconds: z.number().meta({ description: 'Bucket width; buckets are aligned to multiples of it since the epoch.' }),
  t: z.array(z.number()).meta({ description: 'Bucket starts, unix seconds; every column below has one entry per bucket.' }),
};

export const objectiveHistoryResponseSchema = z.object({
  service: z.string(),
  objective: z.string(),
  unit: z.enum(['seconds', 'bytes', 'ratio', 'number']).nullable().meta({ description: 'Unit of `value*`; null before the first value.' }),
  threshold: z.object({ max: z.number().nullable(), min: z.number().nullable(), warning: z.number().nullable() }).nullable(),
  target: z.number().nullable(),
  ...rangeFields,
  value: column.meta({ description: "The objective's value at the last evaluation in each bucket." }),
  value_min: column,
  value_max: column,
  status: z.array(objectiveStatusSchema.nullable()).meta({ description: 'The worst status evaluated in each bucket.' }),
  error_budget_remaining: column.meta({
    description: 'Error budget remaining at the last evaluation in each bucket (objectives with a target).',
  }),
  burn_rates: z.array(burnRateSchema).meta({ description: 'Burn rate per window at the latest evaluation.' }),
});
export type ObjectiveHistoryResponse = z.infer<typeof objectiveHistoryResponseSchema>;

const leakSummarySchema = z.object({
  verdict: z.enum(['leak', 'suspected', 'ok', 'insufficient_data']),
  growth_bytes_per_hour: z.number().nullable(),
  exhaustion_eta_seconds: z.number().nullable(),
  confidence: z.number(),
});

export const resourceHistoryResponseSchema = z.object({
  service: z.string(),
  ...rangeFields,
  containers: z.array(
    z.object({
      objective: z.string(),
      labels: z.record(z.string(), z.string()),
      working_set_bytes: column.meta({ description: 'Largest working set in each bucket.' }),
      floor_bytes: column.meta({ description: 'Smallest working set in each bucket: the post-GC floor a leak raises.' }),
      limit_bytes: z.number().nullable(),
      leak: leakSummarySchema.nullable().meta({ description: "The leak detector's verdict for this container (memoryLeak objectives)." }),
      trend: z
        .object({ anchor_t: z.number(), anchor_bytes: z.number(), growth_bytes_per_hour: z.number() })
        .nullable()
        .meta({ description: 'The fitted growth drawn from the newest floor (unix seconds, bytes); project it to `limit_bytes`.' }),
    }),
  ),
  redis: z.array(
    z.object({
      objective: z.string(),
      source: z.string(),
      hit_ratio: column.meta({ description: 'Keyspace hit ratio over each bucket, 0..1.' }),
    }),
  ),
  statements: z
    .array(z.object({ objective: z.string(), labels: z.record(z.string(), z.string()), latency_seconds: z.number().nullable() }))
    .meta({ description: 'Statements of the PostgreSQL latency objectives, slowest first (latest evaluation).' }),
});
export type ResourceHistoryResponse = z.infer<typeof resourceHistoryResponseSchema>;
