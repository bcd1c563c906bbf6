/**
 * What is wrong with pg_stat_statements, told as the commands that fix it. Two separate cases:
 * the library is not preloaded (needs a config change and a restart) and the extension is not
 * created in the database vigil connects to (one SQL statement). Both can hold at once.
 */
export class PostgresSourceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ExtensionState {
  /** `shared_preload_libraries` lists pg_stat_statements. */
  preloaded: boolean;
  /** `CREATE EXTENSION pg_stat_statements` was run in the connected database. */
  created: boolean;
  database: string;
}

const PRELOAD_FIX =
  "add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf (keep any libraries already listed, comma-separated) and restart PostgreSQL";

/** The error for a broken setup, or null when both parts are in place. */
export function extensionError(source: string, state: ExtensionState, cause?: unknown): PostgresSourceError | null {
  const where = `postgres ${source}`;
  if (!state.preloaded && !state.created) {
    return new PostgresSourceError(
      'VIGIL_ERR_PG_STAT_STATEMENTS_MISSING',
      `${where}: pg_stat_statements is neither preloaded nor installed: ${PRELOAD_FIX}, then run ` +
        `CREATE EXTENSION pg_stat_statements; in database "${state.database}"`,
      { cause },
    );
  }
  if (!state.preloaded) {
    return new PostgresSourceError(
      'VIGIL_ERR_PG_STAT_STATEMENTS_NOT_PRELOADED',
      `${where}: pg_stat_statements is installed but not loaded: ${PRELOAD_FIX}`,
      { cause },
    );
  }
  if (!state.created) {
    return new PostgresSourceError(
      'VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED',
      `${where}: pg_stat_statements is preloaded but the extension is not created: run ` +
        `CREATE EXTENSION pg_stat_statements; in database "${state.database}"`,
      { cause },
    );
  }
  return null;
}

/** SQLSTATEs that mean "the view is not usable", as opposed to a connection or timeout problem. */
export function isExtensionProblem(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // 42P01 undefined_table (extension not created); 55000 object_not_in_prerequisite_state
  // ("pg_stat_statements must be loaded via shared_preload_libraries"); 42883 undefined_function.
  return code === '42P01' || code === '55000' || code === '42883';
}
