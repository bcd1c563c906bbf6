import pg from 'pg';

/**
 * Optional feature reads from PostgreSQL: per-token priors in `ml_learning_token_priors`
 * (a team's curated adjustments on top of the trained model). Reads only on the request path;
 * the table is created and seeded at start when missing so the demo works on an empty database.
 * The queries name `ml_learning_*` tables, which is what the SLO file's `%ml_learning%` selects.
 */
const HISTORY_BUCKETS = 200_000;

/** A task's shape: its distinct tokens, sorted, hashed (FNV-1a) into the history's buckets. */
export function taskHash(tokens: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const ch of [...new Set(tokens)].sort().join(' ')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 0) % HISTORY_BUCKETS;
}

export class FeatureStore {
  private readonly pool: pg.Pool;

  /**
   * `historyRows` > 0 adds a second feature: how earlier tasks of the same shape were labelled,
   * read from `ml_learning_task_history` (seeded with that many rows when empty). The table has
   * no index on `task_hash` on purpose: it is the tuning guide's missing index, which
   * `vigil advise postgres` finds.
   */
  constructor(
    connectionString: string,
    private readonly historyRows = 0,
  ) {
    this.pool = new pg.Pool({ connectionString, max: 8, connectionTimeoutMillis: 3_000 });
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ml_learning_token_priors (token text PRIMARY KEY, logit double precision NOT NULL)`);
    await this.pool.query(
      `INSERT INTO ml_learning_token_priors (token, logit) VALUES ('api', 0.4), ('breaking', 0.8), ('internal', -0.4), ('typo', -0.6)
       ON CONFLICT (token) DO NOTHING`,
    );
    if (this.historyRows > 0) await this.seedHistory();
  }

  private async seedHistory(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ml_learning_task_history (id bigint PRIMARY KEY, task_hash int NOT NULL, label smallint NOT NULL, recorded_at timestamptz NOT NULL)`,
    );
    const { rows } = await this.pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM ml_learning_task_history) AS any');
    if (rows[0]?.any) return;
    await this.pool.query(
      `INSERT INTO ml_learning_task_history
       SELECT g, (g::bigint * 7919) % ${HISTORY_BUCKETS}, (g % 3 = 0)::int, now() - g * interval '1 minute' FROM generate_series(1, $1::int) g`,
      [this.historyRows],
    );
    await this.pool.query('ANALYZE ml_learning_task_history');
  }

  /** Logit nudge from earlier tasks of the same shape (0 without history). */
  async historyLogit(tokens: readonly string[]): Promise<number> {
    if (this.historyRows <= 0) return 0;
    const result = await this.pool.query<{ seen: number; share: number | null }>(
      'SELECT count(*)::int AS seen, avg(label)::float8 AS share FROM ml_learning_task_history WHERE task_hash = $1',
      [taskHash(tokens)],
    );
    const row = result.rows[0];
    return row && row.seen > 0 && row.share !== null ? (row.share - 0.5) * 0.5 : 0;
  }

  /** Sum of the priors of the task's distinct tokens. */
  async priorLogit(tokens: readonly string[]): Promise<number> {
    if (tokens.length === 0) return 0;
    const unique = [...new Set(tokens)].slice(0, 64);
    const result = await this.pool.query<{ total: number | null }>(
      'SELECT sum(logit)::float8 AS total FROM ml_learning_token_priors WHERE token = ANY($1::text[])',
      [unique],
    );
    return result.rows[0]?.total ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
