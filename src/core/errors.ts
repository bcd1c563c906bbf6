/**
 * Every `VIGIL_ERR_*` code vigil reports, defined once: what it means, the message it carries
 * (`{name}` placeholders filled from the raising call), the HTTP status when the API answers
 * with it, and the CLI exit code when it ends a command. Scripts match on the code, never on
 * the text, so a code is never renamed once shipped. `docs/errors.md` is generated from this
 * table (`npm run docs:errors`); a unit test fails when it is stale.
 *
 * Exit codes: 1 = the input is invalid (`validate`, `generate`, `convert` say so), 2 = the
 * command could not run. Verbs whose exit 1 is a verdict (`check`: a breach, `loadtest`: an
 * objective broke) exit 2 for any error. No exit code: the code never ends a command (a source's
 * health, a log line, an API answer).
 */

interface ErrorDefinition {
  /** One sentence for docs/errors.md: when this code is reported. */
  readonly meaning: string;
  /** The message; `{name}` is replaced by the raising call's parameter `name`. */
  readonly message: string;
  /** The HTTP status of an API answer with this code. */
  readonly http?: number;
  /** The exit code of a CLI command this error ends. */
  readonly exit?: 1 | 2;
}

const PG_PRELOAD_FIX =
  "add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf (keep any libraries already listed, comma-separated) and restart PostgreSQL";
const PG_CREATE = 'CREATE EXTENSION pg_stat_statements; in database "{database}"';

const CATALOGUE = {
  // Configuration: `vigil validate` and every loader report these per issue, with file:line:column.
  VIGIL_ERR_CONFIG_NOT_FOUND: { meaning: 'A path given to load does not exist.', message: '{detail}', exit: 2 },
  VIGIL_ERR_CONFIG_UNREADABLE: { meaning: 'A path exists but cannot be read (permissions, a device, ...).', message: '{detail}', exit: 2 },
  VIGIL_ERR_CONFIG_NO_FILES: { meaning: 'A folder holds no `*.yaml` / `*.yml` file.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_TOO_LARGE: { meaning: 'A file over 1 MiB.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_BINARY: { meaning: 'A file with NUL bytes or not UTF-8.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_EMPTY: { meaning: 'A file that is empty, or only comments.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_YAML_SYNTAX: {
    meaning: "Not YAML (with the parser's position), duplicate keys, runaway aliases.",
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_MULTI_DOCUMENT: {
    meaning: 'More than one `---` document, unless all are OpenSLO v1 documents of one service.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_UNKNOWN_KEY: {
    meaning: 'A key the format does not have (a likely typo is named with its fix).',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_MISSING_KEY: { meaning: 'A required key is missing.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_INVALID_TYPE: {
    meaning: 'A list where a map belongs, a string where a number belongs, ...',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_INVALID_VALUE: {
    meaning: 'A value out of range, not in an enum, not matching a pattern.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_API_VERSION: {
    meaning: '`apiVersion` is not `vigil/v1` (and no importer took the file).',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_UNKNOWN_INDICATOR: { meaning: 'An indicator kind that does not exist.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_UNIT: { meaning: 'A value that does not parse in its unit (`fast` for a duration).', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_WRONG_UNIT: {
    meaning: "A bound's unit does not suit the indicator (a size for a latency).",
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_TARGET_RANGE: { meaning: 'A target outside (0 %, 100 %): 100 % leaves no error budget.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_DURATION_RANGE: {
    meaning: 'A duration that drives a timer or a timeout is outside its bounds (Node clamps timers past 24.8 days to 1 ms).',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_RATIO_WINDOW: { meaning: 'A windowed PromQL query without its `{{window}}` placeholder.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_DUPLICATE_OBJECTIVE: { meaning: 'Two objectives of a file share a name.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_DUPLICATE_SERVICE: {
    meaning: 'Two files, or two documents of one foreign file, define the same service.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_UNKNOWN_SOURCE: { meaning: 'A `source` that vigil.yaml does not define.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_SOURCE_KIND: {
    meaning: 'A `source` of a kind that cannot serve the indicator, or an ambiguous name.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_OBJECTIVE_SHAPE: {
    meaning: '`threshold`/`target` missing, or given where the indicator takes none.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_ENV_MISSING: {
    meaning: 'vigil.yaml: `${VAR}` names an environment variable that is not set.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_ENV_SYNTAX: {
    meaning: 'vigil.yaml: a malformed `${...}` reference (write `$${` for a literal `${`).',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_WINDOW_SET: {
    meaning: 'A burn-rate window set is unknown, defined twice, or its file is not a window set.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_WINDOW_SET_PERIOD: {
    meaning: "A burn-rate window set does not fit the objective's period (windows too long, factors below 0.9).",
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_CONFIG_IMPORT: { meaning: 'A Sloth or OpenSLO file that could not be converted.', message: '{detail}', exit: 1 },
  VIGIL_ERR_CONFIG_INVALID: {
    meaning:
      'The config is invalid: a start or reload is refused (the answer lists the issues); also any issue without a more specific code.',
    message: 'invalid config: {count} issue(s){detail}',
    http: 422,
    exit: 1,
  },
  VIGIL_ERR_CONFIG_SHARD: {
    meaning:
      '`shard` is set, but no `shard.index` is given and the host name ends in no ordinal (`vigil-2`), or the index is not below `shard.total`.',
    message: '{detail}',
    exit: 1,
  },
  VIGIL_ERR_UNIT: { meaning: 'A duration, size or ratio (a flag, a profile) is not in its unit.', message: '{detail}', exit: 2 },

  // The daemon's reload (in the `issues` of a 422 answer).
  VIGIL_ERR_RELOAD: {
    meaning: 'A reload failed for a reason other than the config (it is logged; the running config stays).',
    message: '{detail}',
  },
  VIGIL_ERR_RELOAD_SOURCES: { meaning: "A reload's sources could not be created; the running config stays.", message: '{detail}' },

  // The HTTP API.
  VIGIL_ERR_NOT_READY: {
    meaning: 'No evaluation has finished yet (just started).',
    message: 'no evaluation has finished yet; retry shortly',
    http: 503,
  },
  VIGIL_ERR_UNKNOWN_SERVICE: {
    meaning: 'No SLO file declares that service.',
    message: 'no service {service}; known: {known}',
    http: 404,
    exit: 2,
  },
  VIGIL_ERR_UNKNOWN_OBJECTIVE: {
    meaning: 'The service has no objective of that name (history API).',
    message: 'service {service} has no objective {objective}',
    http: 404,
  },
  VIGIL_ERR_BAD_RANGE: {
    meaning: "A history request's `from`, `to` or `step` is malformed or out of bounds; the message names the parameter.",
    message: '{detail}',
    http: 400,
  },
  VIGIL_ERR_NOT_FOUND: {
    meaning: 'No such route (also any write method on the read-only API).',
    message: 'no route {method} {path}',
    http: 404,
  },
  VIGIL_ERR_RELOAD_DISABLED: {
    meaning: '`POST /-/reload` while `reloadToken` is not set.',
    message: 'reload is off: set `reloadToken` in vigil.yaml',
    http: 404,
  },
  VIGIL_ERR_RELOAD_FORBIDDEN: {
    meaning: 'Missing or wrong bearer token on `POST /-/reload`.',
    message: 'missing or wrong bearer token',
    http: 403,
  },
  VIGIL_ERR_BAD_REQUEST: {
    meaning: 'A request the API cannot read (a body that is not JSON, a malformed HTTP request).',
    message: 'bad request: {detail}',
    http: 400,
  },
  VIGIL_ERR_BAD_URL: { meaning: 'The URL has a malformed `%` escape.', message: 'the URL is not valid percent-encoding', http: 400 },
  VIGIL_ERR_URL_TOO_LONG: {
    meaning: 'A path segment (a service name) is longer than any name can be.',
    message: 'a path segment is longer than {max} characters',
    http: 414,
  },
  VIGIL_ERR_HEADERS_TOO_LARGE: {
    meaning: 'The request line and headers exceed the server limit.',
    message: 'the request headers are larger than {max} bytes',
    http: 431,
  },
  VIGIL_ERR_BODY_TOO_LARGE: {
    meaning: 'The request body exceeds the route limit.',
    message: 'the request body is larger than {max} bytes',
    http: 413,
  },
  VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE: {
    meaning: 'A body in a content type the route does not take.',
    message: 'unsupported content type; send application/json',
    http: 415,
  },
  VIGIL_ERR_REQUEST_TIMEOUT: {
    meaning: 'The request was not received in time.',
    message: 'the request was not received within the time limit',
    http: 408,
  },
  VIGIL_ERR_INTERNAL: {
    meaning: 'A bug: the request failed inside vigil (the log has the details).',
    message: 'internal error: {detail}',
    http: 500,
  },

  // Sources: reported in `sources[].lastError` of the API, `vigil_source_up` and objectives' `error`.
  VIGIL_ERR_SOURCE_TIMEOUT: { meaning: "A sample ran past the source's timeout and was aborted.", message: 'timed out after {ms} ms' },
  VIGIL_ERR_SOURCE_TLS: {
    meaning:
      "An https source's TLS handshake failed: its certificate is not trusted (no or wrong `tls.caFile`), does not carry the name asked for, has expired, or the server wants or refuses vigil's client certificate. The message says which and the `tls:` setting that fixes it.",
    message: '{source} ({url}): TLS {code}: {detail}',
  },
  VIGIL_ERR_DOCKER_SOCKET_DENIED: {
    meaning: "The Docker socket refused the connection: the process (the image's non-root user) is not in the socket's group.",
    message:
      'permission denied on the Docker socket {socketPath}{forUid}: the socket belongs to group {gid}; run the container with --group-add {gid} (or add the user to that group)',
  },
  VIGIL_ERR_SCHEDULE_INVALID: {
    meaning: "A source's `schedule` is not a cron expression.",
    message: 'invalid cron expression {expression}',
    exit: 2,
  },
  VIGIL_ERR_SCRAPE_FAILED: {
    meaning: 'A scrape target did not answer, answered an HTTP error or too much.',
    message: 'scrape {source}: {detail}',
  },
  VIGIL_ERR_SCRAPE_PARSE: {
    meaning: 'A scrape target answered text that is not the Prometheus exposition format.',
    message: 'line {line}: {detail}',
  },
  VIGIL_ERR_SCRAPE_UNSUPPORTED_QUERY: {
    meaning: 'An objective on a scrape source uses PromQL beyond the subset a scrape source answers.',
    message: '{detail} at column {column} of `{query}`: {supported}',
  },
  VIGIL_ERR_PROMQL_SELECTOR: { meaning: 'A latency objective needs a plain series selector and got something else.', message: '{detail}' },
  VIGIL_ERR_PROMQL_QUERY: {
    meaning: "Prometheus refused or could not run an objective's query.",
    message: 'prometheus {source}: {service}/{objective}{window}: {detail}',
  },
  VIGIL_ERR_PROMQL_RESULT: {
    meaning: 'Prometheus answered a query with a result vigil cannot use (several series, not a number).',
    message: 'prometheus {source}: {service}/{objective}{window}: {detail}',
  },
  VIGIL_ERR_PG_STAT_STATEMENTS_MISSING: {
    meaning: 'pg_stat_statements is neither preloaded nor created in the database.',
    message: `postgres {source}: pg_stat_statements is neither preloaded nor installed: ${PG_PRELOAD_FIX}, then run ${PG_CREATE}`,
  },
  VIGIL_ERR_PG_STAT_STATEMENTS_NOT_PRELOADED: {
    meaning: 'pg_stat_statements is created but not in `shared_preload_libraries`.',
    message: `postgres {source}: pg_stat_statements is installed but not loaded: ${PG_PRELOAD_FIX}`,
  },
  VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED: {
    meaning: 'pg_stat_statements is preloaded but `CREATE EXTENSION` was not run in the database.',
    message: `postgres {source}: pg_stat_statements is preloaded but the extension is not created: run ${PG_CREATE}`,
  },

  // Alerting and the store file (logged).
  VIGIL_ERR_ALERTMANAGER: {
    meaning: 'Alertmanager did not answer or refused the alerts (retried; logged).',
    message: 'Alertmanager {url} {detail}',
  },
  VIGIL_ERR_STORE_FOREIGN: { meaning: 'The store file is not a vigil store file; it is moved aside.', message: '{detail}' },
  VIGIL_ERR_STORE_VERSION: {
    meaning: 'The store file was written by a vigil with another format version; it is moved aside.',
    message: '{detail}',
  },
  VIGIL_ERR_STORE_CORRUPT: { meaning: 'The store file is damaged (checksum, length, metadata); it is moved aside.', message: '{detail}' },
  VIGIL_ERR_STORE_UNREADABLE: {
    meaning:
      'The store file exists but cannot be read (permissions, a folder in its place), or a damaged one cannot be moved aside: the daemon does not start, so its history is not overwritten.',
    message: '{detail}',
    exit: 2,
  },
  VIGIL_ERR_STORE_UNWRITABLE: {
    meaning:
      'The data folder cannot hold the store (a file in the way, permissions, read-only, full): found at start, the daemon does not start.',
    message: '{detail}',
    exit: 2,
  },

  // `vigil generate`.
  VIGIL_ERR_GENERATE: { meaning: 'Rules or dashboards cannot be generated for a service.', message: '{detail}', exit: 1 },
  VIGIL_ERR_GENERATE_DUPLICATE_SERVICE: {
    meaning: 'Two SLO files declare the same service.',
    message: 'service {service} is defined twice ({first} and {second})',
    exit: 1,
  },
  VIGIL_ERR_GENERATE_TARGET: {
    meaning: 'A ratio objective without a target.',
    message: 'objective {objective}: a ratio objective needs a target',
    exit: 1,
  },
  VIGIL_ERR_GENERATE_THRESHOLD: {
    meaning: 'A threshold objective without a threshold.',
    message: 'objective {objective}: a {kind} objective needs a threshold',
    exit: 1,
  },

  // `vigil compare` (and `vigil loadtest --compare`): exit 1 there is the verdict "regressed", so these exit 2.
  VIGIL_ERR_MEASUREMENT_UNREADABLE: {
    meaning: 'A saved measurement cannot be read (missing, unreadable, over 64 MiB).',
    message: '{detail}',
    exit: 2,
  },
  VIGIL_ERR_MEASUREMENT_SYNTAX: {
    meaning: 'A saved measurement is not complete JSON (truncated, or broken by an edit), with the position.',
    message: '{detail}',
    exit: 2,
  },
  VIGIL_ERR_MEASUREMENT_FORMAT: {
    meaning: 'A file that is not a vigil measurement, or of a format version this vigil does not read.',
    message: '{detail}',
    exit: 2,
  },
  VIGIL_ERR_MEASUREMENT_INVALID: {
    meaning: 'A saved measurement that does not match its schema, with the field and position.',
    message: '{detail}',
    exit: 2,
  },
  VIGIL_ERR_MEASUREMENT_EDITED: {
    meaning: "A figure's value that its saved data does not give back: the file was edited or damaged.",
    message: '{detail}',
    exit: 2,
  },
  VIGIL_ERR_COMPARE_INCOMPATIBLE: {
    meaning: 'Two measurements of different services or kinds (a baseline against a load test).',
    message: '{detail}',
    exit: 2,
  },

  // `vigil loadtest`.
  VIGIL_ERR_LOADTEST_USAGE: {
    meaning: 'The run is not fully described: no rate, connections, stress run or profile, a soak without a rate, or no target URL.',
    message: '{detail}',
    exit: 2,
  },
  VIGIL_ERR_LOADTEST_PROFILE: { meaning: 'The load profile cannot be read or is invalid.', message: '{detail}', exit: 2 },
  VIGIL_ERR_LOADTEST_REMOTE_TARGET: {
    meaning: 'The target is not a loopback address and `--allow-remote` was not given.',
    message: 'refusing to load-test {url}: not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote if you mean it',
    exit: 2,
  },
  VIGIL_ERR_LOADTEST_RESUME: {
    meaning:
      'A soak cannot be resumed from the checkpoint file: it cannot be read, is not a soak checkpoint, belongs to another target or rate, or its soak is already complete.',
    message: 'cannot resume the soak from {file}: {detail}',
    exit: 2,
  },
  VIGIL_ERR_LOADTEST_TARGET_DOWN: {
    meaning: 'The target did not answer the first request.',
    message: 'target {url} does not answer: {detail}',
    exit: 2,
  },
  VIGIL_ERR_LOADTEST_REPORT_INPUT: {
    meaning: 'A saved load-test report (`--report-from`, the output of `--json`) cannot be read or does not match the report schema.',
    message: '{detail}',
    exit: 2,
  },
} as const satisfies Record<`VIGIL_ERR_${string}`, ErrorDefinition>;

type Catalogue = typeof CATALOGUE;

/** Every code vigil reports. */
export type VigilErrorCode = keyof Catalogue;

/** The codes, as identifiers: `ERR.VIGIL_ERR_UNIT` is `'VIGIL_ERR_UNIT'`. */
export const ERR: { readonly [C in VigilErrorCode]: C } = Object.freeze(
  Object.fromEntries(Object.keys(CATALOGUE).map((code) => [code, code])) as { [C in VigilErrorCode]: C },
);

/** The whole catalogue, in order, for docs and checks. */
export const ERROR_CATALOGUE: ReadonlyArray<{ readonly code: VigilErrorCode } & ErrorDefinition> = Object.freeze(
  (Object.entries(CATALOGUE) as Array<[VigilErrorCode, ErrorDefinition]>).map(([code, def]) => Object.freeze({ code, ...def })),
);

type CodeList = readonly [VigilErrorCode, ...VigilErrorCode[]];

/** Every code, for schemas (`z.enum`). */
export const ERROR_CODES = Object.keys(CATALOGUE) as unknown as CodeList;

/** The codes an HTTP answer can carry (those with a status). */
export const API_ERROR_CODES = ERROR_CATALOGUE.filter((e) => e.http !== undefined).map((e) => e.code) as unknown as CodeList;

/** `{a} and {b}` -> `'a' | 'b'`: the parameters a message template needs. */
type Placeholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** The parameters of a code's message, by name. */
export type MessageParams<C extends VigilErrorCode> = { readonly [K in Placeholders<Catalogue[C]['message']>]: string | number };

/** A code whose message has no placeholder takes no parameters. */
type ParamArgs<C extends VigilErrorCode> = [Placeholders<Catalogue[C]['message']>] extends [never]
  ? [params?: MessageParams<C>]
  : [params: MessageParams<C>];

const definitionOf = (code: VigilErrorCode): ErrorDefinition => CATALOGUE[code];

export function isVigilErrorCode(value: unknown): value is VigilErrorCode {
  return typeof value === 'string' && Object.hasOwn(CATALOGUE, value);
}

/** The code's message with its parameters filled in. */
export function formatMessage<C extends VigilErrorCode>(code: C, ...[params]: ParamArgs<C>): string {
  const values = (params ?? {}) as Readonly<Record<string, string | number>>;
  return definitionOf(code).message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function httpStatusOf(code: VigilErrorCode): number | undefined {
  return definitionOf(code).http;
}

export function exitCodeOf(code: VigilErrorCode): 1 | 2 | undefined {
  return definitionOf(code).exit;
}

/** The exit code of a command stopped by these codes (a list of issues): the highest any has, at least 1. */
export function exitCodeForAll(codes: Iterable<VigilErrorCode>): 1 | 2 {
  for (const code of codes) if (exitCodeOf(code) === 2) return 2;
  return 1;
}

/** The one error class: its code decides the message, the HTTP status and the exit code. */
export class VigilError<C extends VigilErrorCode = VigilErrorCode, D = unknown> extends Error {
  override readonly name = 'VigilError';
  readonly httpStatus: number | undefined;
  readonly exitCode: 1 | 2 | undefined;

  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown; details?: D },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.httpStatus = httpStatusOf(code);
    this.exitCode = exitCodeOf(code);
    this.details = options?.details as D;
  }

  /** Facts a caller acts on besides the text (a config's issues); never part of the message. */
  readonly details: D;
}

/** Creates the error of `code`; throw it. `options.details` carries facts for the catcher. */
export function vigilError<C extends VigilErrorCode, D = undefined>(
  code: C,
  ...[params, options]: [...ParamArgs<C>, options?: { cause?: unknown; details?: D }]
): VigilError<C, D> {
  return new VigilError<C, D>(code, formatMessage(code, ...([params] as ParamArgs<C>)), options);
}

/** The same error with where it happened in front: `slo/a.yaml: objective x: ...`. */
export function inContext<C extends VigilErrorCode, D>(err: VigilError<C, D>, context: string): VigilError<C, D> {
  return new VigilError<C, D>(err.code, `${context}: ${err.message}`, { cause: err, details: err.details });
}

/** Whether `err` is a vigil error, of one of `codes` when given. */
export function isVigilError<C extends VigilErrorCode = VigilErrorCode>(err: unknown, ...codes: C[]): err is VigilError<C> {
  return err instanceof VigilError && (codes.length === 0 || (codes as VigilErrorCode[]).includes(err.code));
}
