import type pg from 'pg';
import { isApplicableSql, type PostgresAdvice } from './postgres-advice.js';

/**
 * `--apply`: runs the actions the SQL file holds, in order, each said before it runs, in
 * autocommit (CREATE INDEX CONCURRENTLY needs it). Anything that is not one of the advisor's own
 * statement forms is refused (see isApplicableSql): no DROP, no data change.
 */
export async function applyPostgresAdvice(
  client: pg.ClientBase,
  advice: PostgresAdvice,
  say: (line: string) => void,
): Promise<{ ran: number; refused: string[] }> {
  let ran = 0;
  const refused: string[] = [];
  for (const action of advice.actions) {
    if (!isApplicableSql(action.sql)) {
      refused.push(action.sql);
      say(`refused (not a statement this advisor runs): ${action.sql}`);
      continue;
    }
    say(`running: ${action.sql}`);
    await client.query(action.sql);
    ran++;
  }
  return { ran, refused };
}
