import { z } from 'zod';

/**
 * What the advisors read and recommend, as zod schemas: the TypeScript types of the advice are
 * inferred from them, and `vigil advise ... --json` prints them in wire form (snake_case keys,
 * `core/wire-keys.ts`). `distinct` is a map from column names (data, never renamed).
 */

// ---- PostgreSQL ----

export const PREDICATE_KINDS = ['equality', 'range', 'in', 'other'] as const;

export const predicateSchema = z
  .object({
    /** Table name (resolved from an alias); null when the column is unqualified and several tables are read. */
    table: z.string().nullable(),
    column: z.string(),
    kind: z.enum(PREDICATE_KINDS),
    operator: z.string(),
    /** `$n` the column is compared with, when it is a parameter. */
    param: z.number().nullable(),
  })
  .readonly();

export const statementStatsSchema = z
  .object({
    queryid: z.string(),
    query: z.string(),
    calls: z.number(),
    totalMs: z.number(),
    meanMs: z.number(),
    stddevMs: z.number(),
  })
  .readonly();

export const indexInfoSchema = z.object({ name: z.string(), columns: z.array(z.string()).readonly() }).readonly();

export const tableStatsSchema = z
  .object({
    schema: z.string(),
    name: z.string(),
    liveRows: z.number(),
    seqScans: z.number(),
    seqRowsRead: z.number(),
    indexScans: z.number(),
    analyzed: z.boolean(),
    modifiedSinceAnalyze: z.number(),
    indexes: z.array(indexInfoSchema).readonly(),
    /** pg_stats n_distinct per column (negative: a share of the rows). */
    distinct: z.record(z.string(), z.number()).readonly(),
  })
  .readonly();

export const planInfoSchema = z
  .object({
    /** Plan node lines, indented, as EXPLAIN prints them (no ANALYZE: nothing is executed). */
    text: z.string(),
    /** Tables the plan reads with a Seq Scan. */
    seqScanTables: z.array(z.string()).readonly(),
    /** How the parameter values were chosen, or why there is no plan. */
    note: z.string(),
  })
  .readonly();

export const rankedStatementSchema = z
  .object({
    rank: z.number(),
    stats: statementStatsSchema,
    p95Ms: z.number(),
    shareOfTotal: z.number(),
    tables: z.array(z.string()).readonly(),
    predicates: z.array(predicateSchema).readonly(),
    plan: planInfoSchema.nullable(),
  })
  .readonly();

export const actionSchema = z
  .object({
    kind: z.enum(['index', 'analyze']),
    table: z.string(),
    sql: z.string(),
    helps: z.array(z.number()).readonly(),
    reason: z.string(),
    effect: z.string(),
  })
  .readonly();

export const postgresAdviceSchema = z
  .object({
    statements: z.array(rankedStatementSchema).readonly(),
    skipped: z.array(z.object({ stats: statementStatsSchema, error: z.string(), position: z.number().nullable() })).readonly(),
    actions: z.array(actionSchema).readonly(),
  })
  .readonly();

/** `vigil advise postgres --json`. */
export const postgresAdviceOutputSchema = z.object({
  target: z.string(),
  pattern: z.string(),
  ...postgresAdviceSchema.unwrap().shape,
  tables: z.array(tableStatsSchema).readonly(),
});

// ---- Redis ----

export const sampledKeySchema = z
  .object({
    key: z.string(),
    /** Seconds to live; -1 without a TTL. */
    ttl: z.number(),
    /** MEMORY USAGE in bytes; null when the server did not say. */
    bytes: z.number().nullable(),
    /** OBJECT FREQ (LFU counter), only under an LFU policy. */
    freq: z.number().nullable(),
  })
  .readonly();

export const redisFactsSchema = z
  .object({
    maxmemory: z.number(),
    policy: z.string(),
    usedMemory: z.number(),
    keys: z.number(),
    /** Deltas over the sampling period. */
    period: z
      .object({
        seconds: z.number(),
        hits: z.number(),
        misses: z.number(),
        evictions: z.number(),
        expirations: z.number(),
        /** Writes refused with OOM (`errorstat_OOM` in INFO errorstats, Redis ≥ 6.2). */
        oomErrors: z.number(),
      })
      .readonly(),
    sample: z.array(sampledKeySchema).readonly(),
  })
  .readonly();

export const recommendationSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    /** The facts behind it, in words. */
    reason: z.string(),
    /** What should improve, in words. */
    effect: z.string(),
    /** redis-cli argument lists, in order. */
    commands: z.array(z.array(z.string()).readonly()).readonly(),
  })
  .readonly();

export const distributionSchema = z
  .object({ count: z.number(), p50: z.number().nullable(), p90: z.number().nullable(), max: z.number().nullable() })
  .readonly();

export const redisAdviceSchema = z
  .object({
    hitRatio: z.number().nullable(),
    withoutTtl: z.number(),
    ttlSeconds: distributionSchema,
    sizeBytes: distributionSchema,
    freq: distributionSchema,
    recommendations: z.array(recommendationSchema).readonly(),
  })
  .readonly();

/** `vigil advise redis --json`: the facts with the sample's size instead of the sampled keys. */
export const redisAdviceOutputSchema = z.object({
  target: z.string(),
  facts: z.object({ ...redisFactsSchema.unwrap().shape, sample: z.number() }),
  advice: redisAdviceSchema,
});
