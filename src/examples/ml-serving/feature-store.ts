import pg from 'pg';

/**
 * Optional feature reads from PostgreSQL: per-token priors in `ml_learning_token_priors`
 * (a team's curated adjustments on top of the trained model). Reads only on the request path;
 * the table is created and seeded at start when missing so the demo works on an empty database.
 * The queries name `ml_learning_*` tables, which is what the SLO file's `%ml_learning%` selects.
 */
export class FeatureStore {
  private readonly pool: pg.Pool;

  constructor(connectionString: string) {
    this.pool = new pg.Pool({ connectionString, max: 8, connectionTimeoutMillis: 3_000 });
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ml_learning_token_priors (token text PRIMARY KEY, logit double precision NOT NULL)`,
    );
    await this.pool.query(
      `INSERT INTO ml_learning_token_priors (token, logit) VALUES ('api', 0.4), ('breaking', 0.8), ('internal', -0.4), ('typo', -0.6)
       ON CONFLICT (token) DO NOTHING`,
    );
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
