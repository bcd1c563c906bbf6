import type pg from 'pg';
import type { PlanInfo, StatementFacts, StatementStats, TableStats } from './postgres-advice.js';
import { loadSqlParser, type SqlShape, sqlShape } from './sql-shape.js';

/**
 * The I/O half of `vigil advise postgres`. Reads only: pg_stat_statements (the statements matching
 * the pattern, in the current database), pg_stat_user_tables, the indexes and pg_stats of the
 * tables they read, and a representative plan per statement.
 *
 * Plans: PostgreSQL 15 has no `EXPLAIN (GENERIC_PLAN)`, and pg_stat_statements keeps the statement
 * normalised (`$1` for every constant). So the advisor PREPAREs the normalised text and runs
 * `EXPLAIN (FORMAT JSON) EXECUTE` with values taken from the table's own statistics: for a column
 * compared with `$n`, its most common value (pg_stats.most_common_vals), else the middle of its
 * histogram (histogram_bounds); `= ANY($n)` gets a one-element array; LIMIT gets 100. That is the
 * custom plan for a typical value, which is what most calls run. EXPLAIN without ANALYZE does not
 * execute the statement, and it all happens in a READ ONLY transaction that is rolled back. A
 * statement whose parameters cannot all be given values gets no plan (and says why).
 */

export const VIGIL_ADVISE_MARKER = 'vigil advise';

const STATEMENTS_SQL = `/* ${VIGIL_ADVISE_MARKER} */
SELECT queryid::text AS queryid, query, calls::float8 AS calls, total_exec_time AS total_ms,
       mean_exec_time AS mean_ms, stddev_exec_time AS stddev_ms
FROM pg_stat_statements
WHERE query LIKE $1
  AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '/* vigil%'
  AND calls > 0
ORDER BY total_exec_time DESC
LIMIT $2`;

const TABLES_SQL = `/* ${VIGIL_ADVISE_MARKER} */
SELECT t.schemaname AS schema, t.relname AS name, t.n_live_tup::float8 AS live_rows, coalesce(t.seq_scan, 0)::float8 AS seq_scans,
       coalesce(t.seq_tup_read, 0)::float8 AS seq_rows, coalesce(t.idx_scan, 0)::float8 AS idx_scans,
       (t.last_analyze IS NOT NULL OR t.last_autoanalyze IS NOT NULL) AS analyzed, t.n_mod_since_analyze::float8 AS modified,
       t.relid
FROM pg_stat_user_tables t WHERE t.relname = ANY($1::text[])`;

const INDEXES_SQL = `/* ${VIGIL_ADVISE_MARKER} */
SELECT i.indexrelid::regclass::text AS name, array_agg(a.attname::text ORDER BY k.ord) AS columns
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1
GROUP BY i.indexrelid`;

const COLUMN_STATS_SQL = `/* ${VIGIL_ADVISE_MARKER} */
SELECT attname::text AS column, n_distinct::float8 AS n_distinct,
       (most_common_vals::text::text[])[1] AS common_value,
       (histogram_bounds::text::text[])[greatest(1, array_length(histogram_bounds::text::text[], 1) / 2)] AS middle_value
FROM pg_stats WHERE schemaname = $1 AND tablename = $2`;

interface ColumnStats {
  nDistinct: number;
  value: string | null;
}

export interface PostgresSampleOptions {
  pattern: string;
  limit: number;
}

async function tableFacts(
  client: pg.ClientBase,
  names: readonly string[],
): Promise<{ tables: TableStats[]; columns: Map<string, Map<string, ColumnStats>> }> {
  const rows = (await client.query(TABLES_SQL, [names])).rows as Array<Record<string, unknown>>;
  const tables: TableStats[] = [];
  const columns = new Map<string, Map<string, ColumnStats>>();
  for (const r of rows) {
    const indexes = (await client.query(INDEXES_SQL, [r.relid])).rows as Array<{ name: string; columns: Array<string | null> }>;
    const stats = (await client.query(COLUMN_STATS_SQL, [r.schema, r.name])).rows as Array<{
      column: string;
      n_distinct: number;
      common_value: string | null;
      middle_value: string | null;
    }>;
    const perColumn = new Map(stats.map((s) => [s.column, { nDistinct: s.n_distinct, value: s.common_value ?? s.middle_value }]));
    columns.set(String(r.name), perColumn);
    tables.push({
      schema: String(r.schema),
      name: String(r.name),
      liveRows: Number(r.live_rows),
      seqScans: Number(r.seq_scans),
      seqRowsRead: Number(r.seq_rows),
      indexScans: Number(r.idx_scans),
      analyzed: Boolean(r.analyzed),
      modifiedSinceAnalyze: Number(r.modified),
      // An expression index has attnum 0 (no column): it is listed without that column.
      indexes: indexes.map((i) => ({ name: i.name, columns: i.columns.filter((c): c is string => c !== null) })),
      distinct: Object.fromEntries(stats.map((s) => [s.column, s.n_distinct])),
    });
  }
  return { tables, columns };
}

/** SQL literals for `$1..$n`, or the first parameter that has no representative value. */
function parameterValues(
  shape: SqlShape,
  query: string,
  columns: Map<string, Map<string, ColumnStats>>,
  literal: (v: string) => string,
): string[] | string {
  const count = Math.max(0, ...[...query.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const values: string[] = [];
  for (let n = 1; n <= count; n++) {
    if (shape.limitParams.includes(n)) {
      values.push('100');
      continue;
    }
    const p = shape.predicates.find((x) => x.param === n);
    const value = p?.table ? (columns.get(p.table)?.get(p.column)?.value ?? null) : null;
    if (value === null || p === undefined) return `$${n} is not compared with a column that has statistics`;
    values.push(p.kind === 'in' ? literal(`{${JSON.stringify(value)}}`) : literal(value));
  }
  return values;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Filter?: string;
  'Index Cond'?: string;
  'Total Cost'?: number;
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

function planLines(node: PlanNode, depth = 0, out: string[] = [], seq: string[] = []): { lines: string[]; seq: string[] } {
  const on = node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  const via = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  const cond = node['Index Cond'] ? ` (${node['Index Cond']})` : node.Filter ? ` filter ${node.Filter}` : '';
  out.push(`${'  '.repeat(depth)}${node['Node Type']}${via}${on}${cond} cost=${node['Total Cost']} rows=${node['Plan Rows']}`);
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) seq.push(node['Relation Name']);
  for (const child of node.Plans ?? []) planLines(child, depth + 1, out, seq);
  return { lines: out, seq };
}

async function representativePlan(
  client: pg.ClientBase,
  stats: StatementStats,
  shape: SqlShape,
  columns: Map<string, Map<string, ColumnStats>>,
  n: number,
): Promise<PlanInfo> {
  const values = parameterValues(shape, stats.query, columns, (v) => client.escapeLiteral(v));
  if (typeof values === 'string') return { text: '', seqScanTables: [], note: `no plan: ${values}` };
  const name = `vigil_advise_${n}`;
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`PREPARE ${name} AS ${stats.query}`);
    const explained = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}${values.length ? `(${values.join(', ')})` : ''}`);
    const plan = (explained.rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]!.Plan;
    const { lines, seq } = planLines(plan);
    return { text: lines.join('\n'), seqScanTables: seq, note: `EXPLAIN EXECUTE with values from pg_stats: (${values.join(', ')})` };
  } catch (err) {
    return { text: '', seqScanTables: [], note: `no plan: ${(err as Error).message}` };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

export async function samplePostgres(
  client: pg.ClientBase,
  options: PostgresSampleOptions,
): Promise<{ statements: StatementFacts[]; tables: TableStats[] }> {
  await loadSqlParser();
  const rows = (await client.query(STATEMENTS_SQL, [options.pattern, options.limit])).rows as Array<Record<string, unknown>>;
  const stats: StatementStats[] = rows.map((r) => ({
    queryid: String(r.queryid),
    query: String(r.query),
    calls: Number(r.calls),
    totalMs: Number(r.total_ms),
    meanMs: Number(r.mean_ms),
    stddevMs: Number(r.stddev_ms),
  }));
  const shapes = stats.map((s) => sqlShape(s.query));
  const names = [...new Set(shapes.flatMap((s) => (s.ok ? s.shape.tables.map((t) => t.name) : [])))];
  const { tables, columns } = await tableFacts(client, names);
  const statements: StatementFacts[] = [];
  for (const [i, s] of stats.entries()) {
    const shape = shapes[i]!;
    statements.push({ stats: s, shape, plan: shape.ok ? await representativePlan(client, s, shape.shape, columns, i + 1) : null });
  }
  return { statements, tables };
}
