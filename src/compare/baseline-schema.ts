import { z } from 'zod';

/**
 * The saved-measurement file written by `vigil baseline --save` (and `vigil loadtest --save`) and
 * read by `vigil compare`. JSON with snake_case keys; `format` and `version` say what it is, so a
 * reader refuses a file it does not understand instead of misreading it. Every figure keeps the
 * data behind its value (raw values, bucket counts, event counts, moments), because a comparison
 * needs the spread, not only the two values.
 */

export const BASELINE_FORMAT = 'vigil-measurement';
export const BASELINE_VERSION = 1;

const count = z.number().nonnegative();
const finite = z.number().refine(Number.isFinite, 'expected a finite number');

export const statisticSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('mean') }),
  z.strictObject({ type: z.literal('quantile'), q: z.number().gt(0).lt(1) }),
]);

/** The data a figure's value was computed from; its `kind` picks the interval method (see intervals.ts). */
export const figureDataSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('samples'),
    statistic: statisticSchema,
    /** Raw values in the figure's unit (capped by a seeded reservoir, see `sampled_from`). */
    values: z.array(finite).min(1),
    /** How many values were seen when more than the cap were: the reservoir's input size. */
    sampled_from: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({
    kind: z.literal('histogram'),
    q: z.number().gt(0).lt(1),
    /** Cumulative counts per upper bound (Prometheus `le`), increases over the measured period. */
    buckets: z.array(z.strictObject({ le: z.union([finite, z.literal('+Inf')]), count })).min(2),
  }),
  z.strictObject({ kind: z.literal('proportion'), successes: count, trials: count }),
  z.strictObject({ kind: z.literal('rate'), events: count, seconds: z.number().positive() }),
  z.strictObject({
    kind: z.literal('moments'),
    /** 0 for the mean, 1.645 for the normal-theory P95 estimate. */
    k: z.number().nonnegative(),
    calls: count,
    mean: finite,
    stddev: z.number().nonnegative(),
  }),
  z.strictObject({ kind: z.literal('per_request'), calls: count, requests: count }),
]);
export type FigureData = z.infer<typeof figureDataSchema>;

export const figureSchema = z.strictObject({
  /** Unique in the file: `<objective>.<measure>`, e.g. `decide-latency-p95.p95`. */
  name: z.string().min(1),
  /** The SLO objective it comes from; null for figures of the service as a whole. */
  objective: z.string().nullable(),
  /** What it measures, for people and for grouping: latency, throughput, error_ratio, memory, ... */
  measure: z.string().min(1),
  unit: z.enum(['seconds', 'bytes', 'ratio', 'number', 'per_second', 'percent']),
  /** Which direction is better: a P95 that falls improved, a hit ratio that falls regressed. */
  better: z.enum(['lower', 'higher']),
  /** A change smaller than this share of the before value is never a regression (nor an improvement). */
  tolerance: z.number().nonnegative(),
  /** The figure's value, computed from `data`; null when there was no data. */
  value: finite.nullable(),
  data: figureDataSchema.nullable(),
});
export type Figure = z.infer<typeof figureSchema>;

export const baselineFileSchema = z.strictObject({
  format: z.literal(BASELINE_FORMAT),
  version: z.literal(BASELINE_VERSION),
  /** `baseline`: vigil watched the service's own traffic; `loadtest`: vigil drove the traffic itself. */
  kind: z.enum(['baseline', 'loadtest']),
  service: z.string().min(1),
  /** When: ISO-8601 start and end of the measured period. */
  started_at: z.iso.datetime(),
  ended_at: z.iso.datetime(),
  /** How: the command, the sampling, the tool. */
  how: z.strictObject({
    command: z.string(),
    vigil_version: z.string(),
    node_version: z.string(),
    host: z.string(),
    sampling_rounds: z.number().int().nonnegative(),
    sampling_every_seconds: z.number().nonnegative(),
    /** The seed of the reservoir that capped raw values. */
    seed: z.number().int(),
  }),
  /** Against what: the configuration and the sources read (URLs without credentials). */
  against: z.strictObject({
    config_file: z.string().nullable(),
    slo_files: z.array(z.string()),
    sources: z.array(z.strictObject({ kind: z.string(), name: z.string(), target: z.string().nullable() })),
    /** Load-test runs: the load that was applied. */
    load: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
  }),
  figures: z.array(figureSchema),
});
export type BaselineFile = z.infer<typeof baselineFileSchema>;
