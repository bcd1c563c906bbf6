import type { PostgresAdvice } from './postgres-advice.js';
import { commentLines } from './shell-script.js';

const oneLine = (sql: string, max = 160) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

/**
 * The PostgreSQL advice as `ml-query-optimization.sql`: the ranked statements with their figures
 * and plans as comments, then each action with the statements it helps, why and the expected
 * effect. CREATE INDEX CONCURRENTLY cannot run inside a transaction block, so the file says to run
 * it with psql in autocommit (not `psql -1`).
 */
export function postgresScript(advice: PostgresAdvice, meta: { target: string; pattern: string; generatedAt: string }): string {
  const lines = [
    `-- Query optimisation for statements matching ${meta.pattern} on ${meta.target},`,
    `-- written by vigil advise postgres at ${meta.generatedAt}. Review, then run: psql "$DATABASE_URL" -f ml-query-optimization.sql`,
    '-- (autocommit: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, so not psql -1).',
    '--',
    '-- Statements by total execution time (P95 estimated as mean + 1.645 stddev from pg_stat_statements):',
  ];
  for (const s of advice.statements) {
    lines.push(
      `-- #${s.rank} ${oneLine(s.stats.query)}`,
      `--     calls ${s.stats.calls}, total ${ms(s.stats.totalMs)} (${(s.shareOfTotal * 100).toFixed(1)} %), mean ${ms(s.stats.meanMs)}, P95 estimate ${ms(s.p95Ms)}`,
      `--     tables: ${s.tables.join(', ') || 'none'}; predicates: ${s.predicates.map((p) => `${p.table ?? '?'}.${p.column} ${p.operator}${p.param ? ` $${p.param}` : ''}`).join(', ') || 'none'}`,
    );
    if (s.plan) {
      lines.push(`--     plan: ${s.plan.note}`);
      if (s.plan.text) lines.push(...commentLines(s.plan.text, '--       '));
    }
  }
  for (const s of advice.skipped) {
    lines.push(`-- skipped (${s.error}${s.position !== null ? ` at character ${s.position + 1}` : ''}): ${oneLine(s.stats.query)}`);
  }
  lines.push('');
  if (advice.actions.length === 0)
    lines.push('-- Nothing to change: every large table these statements read has an index for their predicates.');
  advice.actions.forEach((a, i) => {
    lines.push(
      `-- ${i + 1}. ${a.kind === 'index' ? 'index' : 'statistics'} for ${a.table}; helps statement${a.helps.length > 1 ? 's' : ''} ${a.helps.map((h) => `#${h}`).join(', ')}`,
      ...commentLines(`why: ${a.reason}`, '--    '),
      ...commentLines(`expected: ${a.effect}`, '--    '),
      a.sql,
      '',
    );
  });
  return lines.join('\n');
}
