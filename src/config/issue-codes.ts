/**
 * Stable codes of config issues. Scripts (and `vigil validate --json` users) match on these,
 * never on the message text, so a code is never renamed once shipped.
 */
export const ISSUE_CODES = {
  /** A path given to load does not exist. */
  notFound: 'VIGIL_ERR_CONFIG_NOT_FOUND',
  /** The file exists but cannot be read (permissions, a device, ...). */
  unreadable: 'VIGIL_ERR_CONFIG_UNREADABLE',
  /** A folder holds no `*.yaml` / `*.yml` file. */
  noFiles: 'VIGIL_ERR_CONFIG_NO_FILES',
  tooLarge: 'VIGIL_ERR_CONFIG_TOO_LARGE',
  binary: 'VIGIL_ERR_CONFIG_BINARY',
  empty: 'VIGIL_ERR_CONFIG_EMPTY',
  yamlSyntax: 'VIGIL_ERR_CONFIG_YAML_SYNTAX',
  multiDocument: 'VIGIL_ERR_CONFIG_MULTI_DOCUMENT',
  unknownKey: 'VIGIL_ERR_CONFIG_UNKNOWN_KEY',
  missingKey: 'VIGIL_ERR_CONFIG_MISSING_KEY',
  invalidType: 'VIGIL_ERR_CONFIG_INVALID_TYPE',
  invalidValue: 'VIGIL_ERR_CONFIG_INVALID_VALUE',
  apiVersion: 'VIGIL_ERR_CONFIG_API_VERSION',
  unknownIndicator: 'VIGIL_ERR_CONFIG_UNKNOWN_INDICATOR',
  /** A value is not in its unit (`fast` for a duration). */
  unit: 'VIGIL_ERR_CONFIG_UNIT',
  /** A bound's unit does not suit the indicator (a size for a latency). */
  wrongUnit: 'VIGIL_ERR_CONFIG_WRONG_UNIT',
  targetRange: 'VIGIL_ERR_CONFIG_TARGET_RANGE',
  /** A duration that drives a timer or a timeout is outside the bounds of what it drives. */
  durationRange: 'VIGIL_ERR_CONFIG_DURATION_RANGE',
  ratioWindow: 'VIGIL_ERR_CONFIG_RATIO_WINDOW',
  duplicateObjective: 'VIGIL_ERR_CONFIG_DUPLICATE_OBJECTIVE',
  duplicateService: 'VIGIL_ERR_CONFIG_DUPLICATE_SERVICE',
  /** An objective names a source instance the daemon config does not define. */
  unknownSource: 'VIGIL_ERR_CONFIG_UNKNOWN_SOURCE',
  /** The named source exists but is of a kind that cannot serve the indicator. */
  sourceKind: 'VIGIL_ERR_CONFIG_SOURCE_KIND',
  /** `threshold`/`target` missing or not allowed for the indicator. */
  objectiveShape: 'VIGIL_ERR_CONFIG_OBJECTIVE_SHAPE',
  /** `${VAR}` names an environment variable that is not set. */
  envMissing: 'VIGIL_ERR_CONFIG_ENV_MISSING',
  envSyntax: 'VIGIL_ERR_CONFIG_ENV_SYNTAX',
  /** A burn-rate window set is unknown, defined twice, or its file is not a window set. */
  windowSet: 'VIGIL_ERR_CONFIG_WINDOW_SET',
  /** A burn-rate window set does not fit the objective's period (windows too long, factors below 0.9). */
  windowSetPeriod: 'VIGIL_ERR_CONFIG_WINDOW_SET_PERIOD',
  /** A foreign (Sloth, OpenSLO) document could not be converted. */
  import: 'VIGIL_ERR_CONFIG_IMPORT',
  /** Anything zod reports that has no more specific code. */
  invalid: 'VIGIL_ERR_CONFIG_INVALID',
} as const;

export type IssueCode = (typeof ISSUE_CODES)[keyof typeof ISSUE_CODES];

/** Codes meaning "could not even read the input": `vigil validate` exits 2 on these. */
export const UNRUNNABLE_CODES: ReadonlySet<string> = new Set([ISSUE_CODES.notFound, ISSUE_CODES.unreadable]);
