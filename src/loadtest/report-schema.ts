import { z } from 'zod';
import { leakVerdictSchema, objectiveStatusSchema, sourceHealthSchema } from '../snapshot/snapshot-schema.js';

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

export const generatorHealthSchema = z.object({
  /** Worker threads that sent the load (0: the load test's own thread, as when run from sources). */
  workers: z.number(),
  /** How late requests were sent after their due time (open model; null when none were scheduled). */
  sendLatenessMs: z.object({ p50: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable(), lateShare: z.number() }),
  eventLoopDelayMs: z.object({ p99: z.number(), max: z.number() }),
  /** True when the generator, not the target, limited the run. */
  limited: z.boolean(),
  reason: z.string().nullable(),
  /** The run's: how the number of worker threads was chosen (`--workers N`, or automatic and why). */
  workersReason: z.string().optional(),
});
export type GeneratorHealth = z.infer<typeof generatorHealthSchema>;

export const stressStepSchema = z.object({
  rate: z.number(),
  achieved: z.number(),
  latencyMs: latencySummarySchema,
  errorRatio: z.number(),
  held: z.boolean(),
  reasons: z.array(z.string()),
  generator: generatorHealthSchema,
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
  /** The views the verdict rests on: the load test's own measurements, vigil's evaluation, or both. */
  judgedOn: z.array(z.enum(['client', 'vigil'])),
});
export type ObjectiveVerdict = z.infer<typeof objectiveVerdictSchema>;
export type Verdict = ObjectiveVerdict['verdict'];

const serverQuantilesSchema = z.object({
  /** Requests the service observed during the run. */
  count: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** The service's own request-duration histogram over the run (ms), overall and per request kind's route. */
export const serverViewSchema = z.object({
  metric: z.string(),
  overall: serverQuantilesSchema,
  kinds: z.array(serverQuantilesSchema.extend({ kind: z.string() })),
});
export type ServerView = z.infer<typeof serverViewSchema>;

export const stressResultSchema = z.object({
  steps: z.array(stressStepSchema),
  highestHeldRate: z.number().nullable(),
  breakingRate: z.number().nullable(),
  breakingReasons: z.array(z.string()),
  /** The rate at which the generator could not keep up (the run stopped there; not a breaking point). */
  generatorLimitedAt: z.number().nullable(),
  recovery: z.object({ answered: z.boolean(), afterMs: z.number().nullable(), url: z.string() }),
});
export type StressResult = z.infer<typeof stressResultSchema>;

/** One checkpoint of a soak: the load since the previous one, and the target's memory so far. */
export const soakCheckpointSchema = z.object({
  /** Seconds of soak at the checkpoint (a resumed soak counts its earlier parts, not the interruption). */
  atS: z.number(),
  requests: z.number(),
  throughput: z.number(),
  latencyMs: latencySummarySchema,
  errorRatio: z.number(),
  memoryBytes: z.number().nullable(),
  /** The leak detector's verdict on the memory so far, over the whole planned run as its window. */
  leak: leakVerdictSchema.nullable(),
  generatorLimited: z.boolean(),
});
export type SoakCheckpoint = z.infer<typeof soakCheckpointSchema>;

export const soakResultSchema = z.object({
  plannedS: z.number(),
  checkpointS: z.number(),
  /** Load sent before the soak and not measured (seconds). */
  warmupS: z.number(),
  /** Why the warm-up lasted that long: the target's memory settled, or it was still rising at the longest warm-up. */
  warmupReason: z.string().default(''),
  checkpoints: z.array(soakCheckpointSchema),
  /** Where the memory came from; null when the target exposes none. */
  memorySource: z.string().nullable(),
  memoryError: z.string().nullable(),
  limitBytes: z.number().nullable(),
  /**
   * The target's resident memory over the run (unix ms, bytes) and, for a Node target exposing
   * prom-client's heap metrics, the series the leak detector judged instead (one per reading; see
   * src/loadtest/memory-follower.ts): resident memory outside the JS heap plus the heap's live size.
   */
  memory: z.object({ t: z.array(z.number()), v: z.array(z.number()), judged: z.array(z.number()).optional() }),
  /** The verdict at the end (or at the interruption). */
  leak: leakVerdictSchema.nullable(),
  /** The file each checkpoint was written to (what survives a killed run). */
  checkpointFile: z.string().nullable(),
  /** Seconds of the soak measured so far (all parts, resumed ones included); a resumed run sends the rest. */
  doneS: z.number().default(0),
  /** Seconds into the soak at which an interrupted run was resumed (`--resume`), in order. */
  resumedAtS: z.array(z.number()).default([]),
  /** Seconds the soak was interrupted for, in total: the leak detector's window spans them too. */
  pausedS: z.number().default(0),
});
export type SoakResult = z.infer<typeof soakResultSchema>;

/** A stretch of the run with a name: a profile's phase, a stress step (`step-N`), the constant or closed run. */
export const phaseSpanSchema = z.object({
  name: z.string(),
  /** Seconds from the run's start. */
  from_seconds: z.number(),
  to_seconds: z.number(),
});
export type PhaseSpan = z.infer<typeof phaseSpanSchema>;

const nullableNumbers = z.array(z.number().nullable());

/**
 * The run over time, as columns: one entry per bucket of `step_seconds` (1 s; longer buckets in a
 * run of more than 1800 s, so the series stays bounded), `at_seconds` from the run's start.
 * Latency percentiles are read from a log-bucketed histogram per bucket (about ±2 %); the whole
 * run's percentiles above are exact. Answers and errors count when they arrived, asks when they fell due;
 * the first and the last bucket's rates are per second of the part the run covered.
 */
export const perSecondSchema = z.object({
  step_seconds: z.number(),
  at_seconds: z.array(z.number()),
  /** Requests due per second (open model); null in the closed model, which asks for nothing on a schedule. */
  asked_per_second: z.array(z.number()).nullable(),
  answered_per_second: z.array(z.number()),
  /** 5xx answers and requests without an answer, per second. */
  errors_per_second: z.array(z.number()),
  p50_ms: nullableNumbers,
  p95_ms: nullableNumbers,
  p99_ms: nullableNumbers,
  phases: z.array(phaseSpanSchema),
});
export type PerSecond = z.infer<typeof perSecondSchema>;

export const loadtestReportSchema = z.object({
  mode: z.enum(['constant', 'profile', 'stress', 'closed', 'soak']),
  /**
   * `open`: requests sent on a schedule whatever the target does, latency from each request's
   * due time. `closed`: a fixed number of connections each waiting for its answer (as wrk);
   * latency from the send, which hides the waiting of requests a stalled target held back.
   */
  model: z.enum(['open', 'closed']),
  arrivals: z.enum(['uniform', 'poisson']).nullable(),
  target: z.string(),
  startedAt: z.string(),
  durationS: z.number(),
  requested: z.number(),
  responses: z.number(),
  throughput: z.number(),
  /** Open model: from each request's due time. Closed model: from its send. */
  latencyMs: latencySummarySchema,
  /** From each request's actual send (equal to latencyMs in the closed model). */
  latencyFromSendMs: latencySummarySchema,
  generator: generatorHealthSchema,
  /** The service's own histogram over the same interval; null when it exposes none. */
  server: serverViewSchema.nullable(),
  errors: z.object({ server: z.number(), client: z.number(), connection: z.number(), ratio: z.number() }),
  statusCounts: z.record(z.string(), z.number()),
  kinds: z.array(kindReportSchema),
  checks: z.array(checkSchema),
  objectives: z.array(objectiveVerdictSchema),
  vigil: z.object({ sources: z.array(sourceHealthSchema), config: z.string() }).nullable(),
  stress: stressResultSchema.optional(),
  soak: soakResultSchema.optional(),
  /** The run over time (absent in reports written before it existed). */
  per_second: perSecondSchema.optional(),
  passed: z.boolean(),
  /** Names of what failed: objectives and checks. */
  failed: z.array(z.string()),
});
export type LoadtestReport = z.infer<typeof loadtestReportSchema>;

/**
 * The soak's checkpoint file (`--checkpoint-file`), rewritten after every checkpoint so a killed
 * run leaves its figures; written in wire form (snake_case keys) like every JSON vigil writes.
 */
/** Non-empty buckets of a latency histogram (the timeline's log buckets, ±2 %): [bucket, count]. */
const sparseHistogramSchema = z.array(z.tuple([z.number().int(), z.number().int()]));

/**
 * What the checkpoint file keeps of the soak's totals, so that a resumed soak's report totals
 * cover the whole soak: exact counts and latency histograms per request kind (a day of raw
 * latencies would not fit), the requests asked and the seconds of load sent.
 */
export const soakTotalsSchema = z.object({
  requested: z.number(),
  /** Seconds from the first to the last answer, summed over the parts (the interruptions left out). */
  answeringS: z.number(),
  kinds: z.array(
    z.object({
      name: z.string(),
      ok: z.number(),
      httpErrors: z.number(),
      serverErrors: z.number(),
      connectionErrors: z.number(),
      statusCounts: z.array(z.tuple([z.number(), z.number()])),
      latency: sparseHistogramSchema,
      fromSend: sparseHistogramSchema,
    }),
  ),
});
export type SoakTotalsData = z.infer<typeof soakTotalsSchema>;

export const soakCheckpointFileSchema = z.object({
  target: z.string(),
  startedAt: z.string(),
  rate: z.number(),
  soak: soakResultSchema,
  /** Absent in files written before the totals were kept: a resume from one reports its own part's totals. */
  totals: soakTotalsSchema.optional(),
});
export type SoakCheckpointFile = z.infer<typeof soakCheckpointFileSchema>;
