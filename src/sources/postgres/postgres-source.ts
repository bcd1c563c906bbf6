import pg from 'pg';
import type { LoadedSloFile } from '../../config/config.js';
import type { PostgresSourceConfig } from '../../config/daemon-schema.js';
import { raceAbort } from '../../core/bounded-async.js';
import type { Point } from '../../store/point.js';
import type { SampleResult, Source } from '../source.js';
import { type ExtensionState, extensionError, isExtensionProblem, isPostgresSetupError } from './postgres-errors.js';
import { type StatementSelector, selectorLabel, statementSelectors } from './statement-selectors.js';
import { STATEMENTS_SQL, type StatementRow, statementRowsToPoints, statementsParams, VIGIL_SQL_MARKER } from './statements-query.js';

/**
 * `pg_stat_statements.max` only exists once the library ran its preload hook (loaded any other
 * way it defines nothing), and unlike `shared_preload_libraries` it is readable without
 * superuser or pg_read_all_settings.
 */
const EXTENSION_STATE_SQL = `/* ${VIGIL_SQL_MARKER} */
SELECT current_database() AS database,
       current_setting('pg_stat_statements.max', true) IS NOT NULL AS preloaded,
       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS created`;

const statementKey = (row: StatementRow): string => `${row.dbid}/${row.userid}/${row.queryid}`;
const zeroed = (row: StatementRow): StatementRow => ({ ...row, calls: 0, total_ms: 0, sumsq_ms2: 0, max_ms: 0 });

/**
 * Samples pg_stat_statements for the statements the objectives select. One small pool
 * (one connection, kept open between samples), every statement bounded by `statement_timeout`,
 * connections named `vigil` so DBAs can tell them apart in pg_stat_activity.
 */
export class PostgresSource implements Source {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly selectors: StatementSelector[];
  /** Per selector: when it was last read and which statements it held then. */
  private readonly previous = new Map<string, { t: number; keys: Set<string> }>();

  constructor(
    readonly name: string,
    private readonly config: PostgresSourceConfig,
    files: readonly LoadedSloFile[],
  ) {
    this.selectors = statementSelectors(name, files);
    this.pool = new pg.Pool({
      connectionString: config.connectionString,
      max: 1,
      application_name: 'vigil',
      statement_timeout: config.timeout,
      query_timeout: config.timeout + 1000,
      connectionTimeoutMillis: config.timeout,
      idleTimeoutMillis: 60_000,
    });
    // An idle connection that dies (server restart) is reported here; without a listener the
    // pool's 'error' event would crash the daemon. The next sample opens a fresh connection.
    this.pool.on('error', () => undefined);
  }

  /** The selectors this instance samples (for tests and the status page). */
  get statementSelectors(): readonly StatementSelector[] {
    return this.selectors;
  }

  async sample(signal: AbortSignal): Promise<SampleResult> {
    return raceAbort(this.sampleAll(), signal);
  }

  private async sampleAll(): Promise<SampleResult> {
    try {
      if (this.selectors.length === 0) {
        // Nothing to read, but health should still say whether the setup works.
        await this.checkExtension(null);
        return { points: [] };
      }
      const points: Point[] = [];
      for (const selector of this.selectors) {
        const result = await this.pool.query<StatementRow>(STATEMENTS_SQL, statementsParams(selector));
        const t = Date.now();
        const label = selectorLabel(selector);
        const before = this.previous.get(label);
        const keys = new Set(result.rows.map(statementKey));
        if (before) {
          // A statement absent from the previous read entered the view after it, so it was at
          // zero then: saying so lets its first calls count instead of being lost to the
          // window function, which needs two points.
          const fresh = result.rows.filter((row) => !before.keys.has(statementKey(row)));
          points.push(...statementRowsToPoints(this.name, selector, fresh.map(zeroed), before.t));
        }
        points.push(...statementRowsToPoints(this.name, selector, result.rows, t));
        this.previous.set(label, { t, keys });
      }
      return { points };
    } catch (err) {
      if (isPostgresSetupError(err)) throw err;
      if (isExtensionProblem(err)) {
        try {
          await this.checkExtension(err);
        } catch (problem) {
          throw this.describe(problem);
        }
      }
      throw this.describe(err);
    }
  }

  /** Throws the fix-it error when pg_stat_statements is not usable. */
  private async checkExtension(cause: unknown): Promise<void> {
    const { rows } = await this.pool.query<ExtensionState>(EXTENSION_STATE_SQL);
    const state = rows[0];
    if (!state) throw new Error(`postgres ${this.name}: no answer to the extension check`);
    const problem = extensionError(this.name, state, cause);
    if (problem) throw problem;
  }

  private describe(err: unknown): Error {
    if (isPostgresSetupError(err)) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new Error(`postgres ${this.name} (${this.config.connectionString}): ${message}`, {
      cause: err,
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
