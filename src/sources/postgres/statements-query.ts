import type { Point } from '../../store/point.js';
import { type StatementSelector, selectorLabel } from './statement-selectors.js';

/**
 * Marks every statement vigil sends, so the sampler can leave its own queries out of what it
 * reports (pg_stat_statements keeps comments in the normalised text; the LIKE pattern that
 * excludes it is a parameter, so the marker only appears in the comment).
 */
export const VIGIL_SQL_MARKER = 'vigil:sampler';

/**
 * Statements picked by the objective's LIKE pattern and database, with parameters only: the
 * SLO file's text never becomes SQL. Rows are folded per (dbid, userid, queryid): with
 * `pg_stat_statements.track = all` one statement may have a top-level and a nested row.
 * Times are in milliseconds as the view keeps them; the sum of squares is rebuilt from
 * calls, mean and the population standard deviation: Σx² = n·(σ² + μ²).
 */
export const STATEMENTS_SQL = `/* ${VIGIL_SQL_MARKER} */
SELECT s.dbid::text AS dbid,
       s.userid::text AS userid,
       s.queryid::text AS queryid,
       d.datname AS database,
       sum(s.calls)::float8 AS calls,
       sum(s.total_exec_time)::float8 AS total_ms,
       sum(s.calls * (s.stddev_exec_time * s.stddev_exec_time + s.mean_exec_time * s.mean_exec_time))::float8 AS sumsq_ms2,
       max(s.max_exec_time)::float8 AS max_ms
  FROM pg_stat_statements s
  JOIN pg_database d ON d.oid = s.dbid
 WHERE s.queryid IS NOT NULL
   AND ($1::text IS NULL OR s.query LIKE $1::text)
   AND ($2::text IS NULL OR d.datname = $2::text)
   AND s.query NOT LIKE $3::text
 GROUP BY s.dbid, s.userid, s.queryid, d.datname`;

/** The parameters for one selector. */
export function statementsParams(selector: StatementSelector): [string | null, string | null, string] {
  return [selector.match, selector.database, `%${VIGIL_SQL_MARKER}%`];
}

export interface StatementRow {
  dbid: string;
  userid: string;
  queryid: string;
  database: string;
  calls: number;
  total_ms: number;
  sumsq_ms2: number;
  max_ms: number;
}

export const POSTGRES_METRICS = {
  calls: 'postgres_statement_calls_total',
  execSeconds: 'postgres_statement_exec_seconds_total',
  execSecondsSq: 'postgres_statement_exec_seconds_sq_total',
  maxSeconds: 'postgres_statement_max_seconds',
} as const;

/** Raw points in base units (seconds, seconds²) for the rows of one selector. */
export function statementRowsToPoints(source: string, selector: StatementSelector, rows: readonly StatementRow[], t: number): Point[] {
  const points: Point[] = [];
  const sel = selectorLabel(selector);
  for (const row of rows) {
    const labels = {
      source,
      dbid: row.dbid,
      userid: row.userid,
      queryid: row.queryid,
      database: row.database,
      selector: sel,
    };
    points.push(
      { metric: POSTGRES_METRICS.calls, labels, t, value: Number(row.calls) },
      { metric: POSTGRES_METRICS.execSeconds, labels, t, value: Number(row.total_ms) / 1e3 },
      { metric: POSTGRES_METRICS.execSecondsSq, labels, t, value: Number(row.sumsq_ms2) / 1e6 },
      { metric: POSTGRES_METRICS.maxSeconds, labels, t, value: Number(row.max_ms) / 1e3 },
    );
  }
  return points;
}
