import { describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../../src/config/config.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { extensionError, isExtensionProblem } from '../../../src/sources/postgres/postgres-errors.js';
import { selectorLabel, statementSelectors } from '../../../src/sources/postgres/statement-selectors.js';
import { STATEMENTS_SQL, statementRowsToPoints, statementsParams } from '../../../src/sources/postgres/statements-query.js';

function file(objectives: unknown[]): LoadedSloFile {
  return {
    path: 'slo/x.yaml',
    slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'ml', objectives }),
  };
}

describe('statement selectors', () => {
  it('are the distinct (match, database) pairs of this instance', () => {
    const files = [
      file([
        { name: 'a', indicator: { postgresQueryLatency: { match: '%ml_learning%' } }, threshold: { max: '10ms' } },
        { name: 'b', indicator: { postgresQueryLatency: { match: '%ml_learning%', statistic: 'mean' } }, threshold: { max: '5ms' } },
        { name: 'c', indicator: { postgresQueryLatency: { database: 'features' } }, threshold: { max: '5ms' } },
        { name: 'd', indicator: { postgresQueryLatency: { source: 'other', match: '%x%' } }, threshold: { max: '5ms' } },
        { name: 'e', indicator: { redisHitRatio: {} }, threshold: { min: '80%' } },
      ]),
    ];
    const selectors = statementSelectors('default', files);
    expect(selectors).toEqual([
      { match: '%ml_learning%', database: null },
      { match: null, database: 'features' },
    ]);
    expect(selectors.map(selectorLabel)).toEqual(['%ml_learning%|', '|features']);
  });
});

describe('statements query', () => {
  it('keeps the SLO text out of the SQL: pattern and database are parameters', () => {
    const params = statementsParams({ match: "%'; DROP TABLE x; --%", database: 'db' });
    expect(params).toEqual(["%'; DROP TABLE x; --%", 'db', '%vigil:sampler%']);
    expect(STATEMENTS_SQL).not.toContain('DROP');
    expect(STATEMENTS_SQL).toMatch(/s\.query LIKE \$1/);
    expect(STATEMENTS_SQL).toMatch(/d\.datname = \$2/);
  });

  it('turns rows into raw points in seconds and seconds squared', () => {
    // 4 calls, mean 2 ms, population stddev 1 ms: sum of squares = 4 * (1 + 4) = 20 ms².
    const points = statementRowsToPoints(
      'pg',
      { match: '%ml%', database: null },
      [{ dbid: '5', userid: '10', queryid: '-42', database: 'app', calls: 4, total_ms: 8, sumsq_ms2: 20, max_ms: 3.5 }],
      1000,
    );
    const labels = { source: 'pg', dbid: '5', userid: '10', queryid: '-42', database: 'app', selector: '%ml%|' };
    expect(points).toEqual([
      { metric: 'postgres_statement_calls_total', labels, t: 1000, value: 4 },
      { metric: 'postgres_statement_exec_seconds_total', labels, t: 1000, value: 0.008 },
      { metric: 'postgres_statement_exec_seconds_sq_total', labels, t: 1000, value: 20e-6 },
      { metric: 'postgres_statement_max_seconds', labels, t: 1000, value: 0.0035 },
    ]);
  });
});

describe('pg_stat_statements setup errors', () => {
  it('say exactly what to run, for each case', () => {
    const notCreated = extensionError('pg', { preloaded: true, created: false, database: 'app' })!;
    expect(notCreated.code).toBe('VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED');
    expect(notCreated.message).toContain('CREATE EXTENSION pg_stat_statements; in database "app"');
    expect(notCreated.message).not.toContain('shared_preload_libraries');

    const notLoaded = extensionError('pg', { preloaded: false, created: true, database: 'app' })!;
    expect(notLoaded.code).toBe('VIGIL_ERR_PG_STAT_STATEMENTS_NOT_PRELOADED');
    expect(notLoaded.message).toContain("shared_preload_libraries = 'pg_stat_statements'");
    expect(notLoaded.message).toContain('restart');
    expect(notLoaded.message).not.toContain('CREATE EXTENSION');

    const neither = extensionError('pg', { preloaded: false, created: false, database: 'app' })!;
    expect(neither.code).toBe('VIGIL_ERR_PG_STAT_STATEMENTS_MISSING');
    expect(neither.message).toContain("shared_preload_libraries = 'pg_stat_statements'");
    expect(neither.message).toContain('CREATE EXTENSION pg_stat_statements;');

    expect(extensionError('pg', { preloaded: true, created: true, database: 'app' })).toBeNull();
  });

  it('are recognised by SQLSTATE', () => {
    expect(isExtensionProblem({ code: '42P01' })).toBe(true);
    expect(isExtensionProblem({ code: '55000' })).toBe(true);
    expect(isExtensionProblem({ code: '57014' })).toBe(false);
    expect(isExtensionProblem(new Error('ECONNREFUSED'))).toBe(false);
  });
});
