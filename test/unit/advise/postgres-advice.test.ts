import { beforeAll, describe, expect, it } from 'vitest';
import { advisePostgres, indexName, isApplicableSql, type StatementFacts, type TableStats } from '../../../src/advise/postgres-advice.js';
import { postgresScript } from '../../../src/advise/postgres-script.js';
import { loadSqlParser, sqlShape } from '../../../src/advise/sql-shape.js';

beforeAll(() => loadSqlParser());

const table = (over: Partial<TableStats> = {}): TableStats => ({
  schema: 'public',
  name: 'ml_learning_events',
  liveRows: 1_000_000,
  seqScans: 50,
  seqRowsRead: 50_000_000,
  indexScans: 0,
  analyzed: true,
  modifiedSinceAnalyze: 0,
  indexes: [{ name: 'ml_learning_events_pkey', columns: ['id'] }],
  distinct: { user_id: 20_000, created_at: -1 },
  ...over,
});

function statement(query: string, totalMs: number, queryid = String(totalMs)): StatementFacts {
  return { stats: { queryid, query, calls: 10, totalMs, meanMs: totalMs / 10, stddevMs: 1 }, shape: sqlShape(query), plan: null };
}

describe('sqlShape (libpg-query)', () => {
  it('reads tables through aliases, predicates with their parameters, sort keys and LIMIT parameters', () => {
    const r = sqlShape(
      'SELECT e.label FROM ml_learning_events e JOIN ml_learning_users u ON u.id = e.user_id WHERE e.created_at > $1 AND u.team = $2 ORDER BY e.created_at DESC LIMIT $3',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.shape.tables.map((t) => [t.name, t.alias])).toEqual([
      ['ml_learning_events', 'e'],
      ['ml_learning_users', 'u'],
    ]);
    expect(r.shape.predicates).toEqual(
      expect.arrayContaining([
        { table: 'ml_learning_events', column: 'created_at', kind: 'range', operator: '>', param: 1 },
        { table: 'ml_learning_users', column: 'team', kind: 'equality', operator: '=', param: 2 },
        { table: 'ml_learning_events', column: 'user_id', kind: 'equality', operator: '=', param: null },
      ]),
    );
    expect(r.shape.sortKeys).toEqual([{ table: 'ml_learning_events', column: 'created_at', descending: true }]);
    expect(r.shape.limitParams).toEqual([3]);
  });

  it('= ANY($1::text[]) is an IN predicate; $1 = col is read the other way round', () => {
    const r = sqlShape('SELECT sum(logit) FROM ml_learning_token_priors WHERE token = ANY($1::text[]) AND $2 = version');
    expect(r.ok && r.shape.predicates).toEqual([
      { table: 'ml_learning_token_priors', column: 'token', kind: 'in', operator: '= ANY', param: 1 },
      { table: 'ml_learning_token_priors', column: 'version', kind: 'equality', operator: '=', param: 2 },
    ]);
  });

  it('text it cannot read is an error with the position; utility statements are not queries', () => {
    expect(sqlShape('SELEC * FROM ml_learning_events')).toEqual({ ok: false, error: 'syntax error at or near "SELEC"', position: 0 });
    expect(sqlShape('ANALYZE ml_learning_events')).toMatchObject({
      ok: false,
      error: 'not a query (VacuumStmt): nothing to plan or index',
    });
  });
});

describe('advisePostgres', () => {
  it('ranks by total time and indexes the equality column, then the range column', () => {
    const advice = advisePostgres(
      [
        statement('SELECT * FROM ml_learning_events WHERE id = $1', 5),
        statement('SELECT label FROM ml_learning_events WHERE user_id = $1 AND created_at > $2', 900),
      ],
      [table()],
    );
    expect(advice.statements.map((s) => [s.rank, s.stats.totalMs])).toEqual([
      [1, 900],
      [2, 5],
    ]);
    expect(advice.actions).toHaveLength(1);
    expect(advice.actions[0]!.sql).toBe(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS ml_learning_events_user_id_created_at_idx ON public.ml_learning_events (user_id, created_at);',
    );
    expect(advice.actions[0]!.helps).toEqual([1]);
    expect(advice.actions[0]!.effect).toMatch(/about 50 rows per lookup through the index instead of scanning all 1,000,000/);
  });

  it('no index for small tables, tables read by index scans, or predicates an index already leads with', () => {
    const q = [statement('SELECT * FROM ml_learning_events WHERE user_id = $1', 100)];
    expect(advisePostgres(q, [table({ liveRows: 5_000 })]).actions).toEqual([]);
    expect(advisePostgres(q, [table({ seqScans: 1, indexScans: 500 })]).actions).toEqual([]);
    expect(advisePostgres(q, [table({ indexes: [{ name: 'by_user', columns: ['user_id', 'created_at'] }] })]).actions).toEqual([]);
  });

  it('ANALYZE for a table never analyzed; one action serves every statement it helps', () => {
    const advice = advisePostgres(
      [
        statement('SELECT 1 FROM ml_learning_events WHERE user_id = $1', 300),
        statement('SELECT 2 FROM ml_learning_events WHERE user_id = $1 ORDER BY user_id', 200),
      ],
      [table({ analyzed: false })],
    );
    expect(advice.actions.map((a) => [a.kind, a.helps])).toEqual([
      ['analyze', [1, 2]],
      ['index', [1, 2]],
    ]);
    expect(advice.actions[0]!.sql).toBe('ANALYZE public.ml_learning_events;');
  });

  it('unparseable statements are skipped and listed, never fatal', () => {
    const advice = advisePostgres(
      [statement('SELEC broken FROM ml_learning_events', 1000), statement('SELECT 1 FROM ml_learning_events WHERE user_id = $1', 10)],
      [table()],
    );
    expect(advice.statements).toHaveLength(1);
    expect(advice.skipped.map((s) => s.error)).toEqual(['syntax error at or near "SELEC"']);
    const sql = postgresScript(advice, { target: 'postgres://u:***@db/ml', pattern: '%ml_learning%', generatedAt: 'now' });
    expect(sql).toContain('-- skipped (syntax error at or near "SELEC" at character 1): SELEC broken FROM ml_learning_events');
    expect(sql).toMatch(
      /-- 1\. index for ml_learning_events; helps statement #1\n-- {4}why: .*\n-- {4}expected: .*\nCREATE INDEX CONCURRENTLY/,
    );
  });
});

describe('what --apply may run', () => {
  it('only CREATE INDEX CONCURRENTLY and ANALYZE statements', () => {
    expect(isApplicableSql('CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON public.a (b);')).toBe(true);
    expect(isApplicableSql('ANALYZE public.a;')).toBe(true);
    expect(isApplicableSql('CREATE INDEX a_idx ON a (b);')).toBe(false);
    expect(isApplicableSql('ANALYZE a; DROP TABLE a;')).toBe(false);
    expect(isApplicableSql('DROP INDEX a_idx;')).toBe(false);
  });

  it("long index names are cut to PostgreSQL's 63 characters", () => {
    expect(indexName('ml_learning_some_very_long_table_name', ['first_long_column', 'second_long_column']).length).toBeLessThanOrEqual(63);
  });
});
