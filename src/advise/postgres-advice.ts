import type { z } from 'zod';
import { P95_FACTOR } from '../compare/intervals.js';
import type {
  actionSchema,
  indexInfoSchema,
  planInfoSchema,
  postgresAdviceSchema,
  rankedStatementSchema,
  statementStatsSchema,
  tableStatsSchema,
} from './advice-schema.js';
import type { Predicate, SqlShape } from './sql-shape.js';

/**
 * Index and statistics advice for the statements matching a pattern, from facts a sampler read
 * (pg_stat_statements, pg_stat_user_tables, the indexes, pg_stats, representative plans). Pure:
 * facts in, ranked statements and actions out. Each action says which statements it helps, why
 * (the measured facts) and what should change, and is one statement the SQL file and `--apply`
 * both use.
 *
 * The rules: a table worth an index is one that is read by sequential scans (the plan says so, or
 * the statistics show more sequential than index scans) and is large enough that a scan costs
 * (10 000 live rows); the index leads with the columns the statement compares for equality (and
 * `= ANY`), then one range column or else the sort key, the order in which a B-tree serves them.
 * It is skipped when an existing index already leads with one of those columns. A table never
 * analyzed, or changed by more than a fifth since, gets ANALYZE: the planner's estimates are what
 * make it choose the index.
 */

export type StatementStats = z.infer<typeof statementStatsSchema>;

export type IndexInfo = z.infer<typeof indexInfoSchema>;

export type TableStats = z.infer<typeof tableStatsSchema>;

export type PlanInfo = z.infer<typeof planInfoSchema>;

export interface StatementFacts {
  readonly stats: StatementStats;
  readonly shape: { ok: true; shape: SqlShape } | { ok: false; error: string; position: number | null };
  readonly plan: PlanInfo | null;
}

export type RankedStatement = z.infer<typeof rankedStatementSchema>;

export type Action = z.infer<typeof actionSchema>;

export type PostgresAdvice = z.infer<typeof postgresAdviceSchema>;

export const MIN_ROWS_FOR_INDEX = 10_000;
const MAX_IDENTIFIER = 63;

export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const count = (v: number) => Math.round(v).toLocaleString('en-US');

/** Rows one lookup of a column value reads, from pg_stats n_distinct. */
function rowsPerValue(table: TableStats, column: string): number | null {
  const d = table.distinct[column];
  if (d === undefined || d === 0) return null;
  return d > 0 ? table.liveRows / d : 1 / -d;
}

function indexColumns(shape: SqlShape, table: string): string[] {
  const mine = (p: Predicate) => p.table === table;
  const eq = [...new Set(shape.predicates.filter((p) => mine(p) && (p.kind === 'equality' || p.kind === 'in')).map((p) => p.column))];
  const range = shape.predicates.find((p) => mine(p) && p.kind === 'range' && !eq.includes(p.column))?.column;
  const sort = shape.sortKeys.find((s) => s.table === table && !eq.includes(s.column))?.column;
  const tail = range ?? sort;
  return tail ? [...eq, tail] : eq;
}

function covered(table: TableStats, columns: readonly string[]): IndexInfo | null {
  return table.indexes.find((i) => i.columns.length > 0 && columns.includes(i.columns[0]!)) ?? null;
}

export function indexName(table: string, columns: readonly string[]): string {
  const name = `${table}_${columns.join('_')}_idx`;
  return name.length <= MAX_IDENTIFIER ? name : `${name.slice(0, MAX_IDENTIFIER - 4)}_idx`;
}

export function advisePostgres(facts: readonly StatementFacts[], tables: readonly TableStats[]): PostgresAdvice {
  const total = facts.reduce((s, f) => s + f.stats.totalMs, 0);
  const parsed = facts.filter((f): f is StatementFacts & { shape: { ok: true; shape: SqlShape } } => f.shape.ok);
  const ranked = [...parsed].sort((a, b) => b.stats.totalMs - a.stats.totalMs);
  const statements: RankedStatement[] = ranked.map((f, i) => ({
    rank: i + 1,
    stats: f.stats,
    p95Ms: f.stats.meanMs + P95_FACTOR * f.stats.stddevMs,
    shareOfTotal: total > 0 ? f.stats.totalMs / total : 0,
    tables: [...new Set(f.shape.shape.tables.map((t) => t.name))],
    predicates: f.shape.shape.predicates,
    plan: f.plan,
  }));
  const skipped = facts.flatMap((f) => (f.shape.ok ? [] : [{ stats: f.stats, error: f.shape.error, position: f.shape.position }]));

  const byTable = new Map(tables.map((t) => [t.name, t]));
  const indexActions = new Map<string, Action>();
  const analyzeActions = new Map<string, Action>();
  ranked.forEach((f, i) => {
    const rank = i + 1;
    for (const name of new Set(f.shape.shape.tables.map((t) => t.name))) {
      const table = byTable.get(name);
      if (!table) continue;
      const stale = !table.analyzed || table.modifiedSinceAnalyze > 0.2 * Math.max(1, table.liveRows);
      if (stale && table.liveRows + table.modifiedSinceAnalyze >= 1000) {
        const existing = analyzeActions.get(name);
        analyzeActions.set(name, {
          kind: 'analyze',
          table: name,
          sql: `ANALYZE ${quoteIdent(table.schema)}.${quoteIdent(name)};`,
          helps: [...(existing?.helps ?? []), rank],
          reason: table.analyzed
            ? `${count(table.modifiedSinceAnalyze)} rows changed since the last ANALYZE of ${count(table.liveRows)}`
            : `${name} has never been analyzed (${count(table.liveRows)} live rows)`,
          effect: 'the planner estimates rows from current statistics, so it can pick an index scan where one pays',
        });
      }
      const columns = indexColumns(f.shape.shape, name);
      if (columns.length === 0 || table.liveRows < MIN_ROWS_FOR_INDEX) continue;
      const planSeq = f.plan?.seqScanTables.includes(name) ?? false;
      if (!planSeq && table.seqScans <= table.indexScans) continue;
      if (covered(table, columns)) continue;
      const key = `${name}(${columns.join(',')})`;
      const existing = indexActions.get(key);
      if (existing) {
        indexActions.set(key, { ...existing, helps: [...existing.helps, rank] });
        continue;
      }
      const perValue = rowsPerValue(table, columns[0]!);
      indexActions.set(key, {
        kind: 'index',
        table: name,
        sql: `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(indexName(name, columns))} ON ${quoteIdent(table.schema)}.${quoteIdent(name)} (${columns.map(quoteIdent).join(', ')});`,
        helps: [rank],
        reason:
          `${name} has ${count(table.liveRows)} live rows; ${count(table.seqScans)} sequential scans read ${count(table.seqRowsRead)} rows, against ${count(table.indexScans)} index scans` +
          `${planSeq ? '; the representative plan is a Seq Scan on it' : ''}; no index leads with ${columns.map((c) => `"${c}"`).join(' or ')}` +
          ` (existing: ${table.indexes.map((x) => `${x.name}(${x.columns.join(', ')})`).join(', ') || 'none'})`,
        effect:
          `statement #${rank} (mean ${ms(f.stats.meanMs)}, P95 estimate ${ms(f.stats.meanMs + P95_FACTOR * f.stats.stddevMs)}) reads ` +
          `${perValue === null ? 'the matching rows' : `about ${count(Math.max(1, perValue))} rows per lookup`} through the index instead of scanning all ${count(table.liveRows)}`,
      });
    }
  });
  return { statements, skipped, actions: [...analyzeActions.values(), ...indexActions.values()] };
}

/** Whether `--apply` may run a statement: only what this advisor writes (no DROP, no data change, indexes built concurrently). */
export function isApplicableSql(sql: string): boolean {
  return /^CREATE INDEX CONCURRENTLY IF NOT EXISTS [^;]+;$/.test(sql) || /^ANALYZE [^;]+;$/.test(sql);
}
