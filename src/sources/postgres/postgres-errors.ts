import { ERR, isVigilError, type VigilError, vigilError } from '../../core/errors.js';

/**
 * What is wrong with pg_stat_statements, told as the commands that fix it. Two separate cases:
 * the library is not preloaded (needs a config change and a restart) and the extension is not
 * created in the database vigil connects to (one SQL statement). Both can hold at once.
 */
export type PostgresSetupError = VigilError<
  | typeof ERR.VIGIL_ERR_PG_STAT_STATEMENTS_MISSING
  | typeof ERR.VIGIL_ERR_PG_STAT_STATEMENTS_NOT_PRELOADED
  | typeof ERR.VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED
>;

export interface ExtensionState {
  /** `shared_preload_libraries` lists pg_stat_statements. */
  preloaded: boolean;
  /** `CREATE EXTENSION pg_stat_statements` was run in the connected database. */
  created: boolean;
  database: string;
}

/** The error for a broken setup (its message says how to fix it), or null when both parts are in place. */
export function extensionError(source: string, state: ExtensionState, cause?: unknown): PostgresSetupError | null {
  const params = { source, database: state.database };
  if (!state.preloaded && !state.created) return vigilError(ERR.VIGIL_ERR_PG_STAT_STATEMENTS_MISSING, params, { cause });
  if (!state.preloaded) return vigilError(ERR.VIGIL_ERR_PG_STAT_STATEMENTS_NOT_PRELOADED, { source }, { cause });
  if (!state.created) return vigilError(ERR.VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED, params, { cause });
  return null;
}

/** Whether `err` is one of the setup errors above (it already says what to do). */
export function isPostgresSetupError(err: unknown): err is PostgresSetupError {
  return isVigilError(
    err,
    ERR.VIGIL_ERR_PG_STAT_STATEMENTS_MISSING,
    ERR.VIGIL_ERR_PG_STAT_STATEMENTS_NOT_PRELOADED,
    ERR.VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED,
  );
}

/** SQLSTATEs that mean "the view is not usable", as opposed to a connection or timeout problem. */
export function isExtensionProblem(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // 42P01 undefined_table (extension not created); 55000 object_not_in_prerequisite_state
  // ("pg_stat_statements must be loaded via shared_preload_libraries"); 42883 undefined_function.
  return code === '42P01' || code === '55000' || code === '42883';
}
