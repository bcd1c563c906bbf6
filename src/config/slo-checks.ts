import { ERR, isVigilError, type VigilErrorCode } from '../core/errors.js';
import { parseBytes, parseDuration, parseQuantity, type QuantityUnit } from '../units/units.js';
import type { ConfigIssue } from './config.js';
import type { DaemonConfig } from './daemon-schema.js';
import { didYouMean } from './did-you-mean.js';
import { formatPath } from './issue-format.js';
import { DEFAULT_SOURCE_NAME, INDICATOR_KINDS, type IndicatorKind, objectiveSchema } from './slo-schema.js';
import { lookupSource } from './source-lookup.js';
import type { PathSegment, YamlSource } from './yaml-source.js';
import { isPlainObject } from './zod-issues.js';

/**
 * Checks across fields that zod cannot express per field. They read the raw document (not
 * zod's output), so they run even when other fields failed: the loader reports every error.
 * Each check skips values of the wrong shape silently; zod already reports those.
 */

export interface CheckResult {
  readonly issues: ConfigIssue[];
  /** Paths whose zod issue is replaced by a more precise one from here. */
  readonly replaces: ReadonlySet<string>;
}

type Expected = {
  unit: QuantityUnit;
  noun: string;
  example: string;
  parse?: (input: unknown) => unknown;
  /** Why the indicator wants this unit, when "measured in …" would mislead. */
  why?: string;
};

const DURATION: Expected = { unit: 'seconds', noun: 'a duration', example: '"50ms"', parse: parseDuration };
const SIZE: Expected = { unit: 'bytes', noun: 'a size', example: '"2GB"', parse: parseBytes };
const PERCENTAGE: Expected = { unit: 'ratio', noun: 'a percentage', example: '"60%"' };
/** A probe's value is a share (uptime) or a duration, but a share is bounded by `target`, never a threshold. */
const PROBE_LATENCY: Expected = { ...DURATION, why: "a probe's threshold bounds its response time; uptime is a `target` like 99.9%" };

/** The unit a threshold bound must have, per indicator; undefined: any unit (PromQL is free-form). */
const BOUND_UNITS: Readonly<Record<IndicatorKind, Expected | undefined>> = {
  latency: DURATION,
  postgresQueryLatency: DURATION,
  probe: PROBE_LATENCY,
  containerMemory: SIZE,
  containerCpu: PERCENTAGE,
  redisHitRatio: PERCENTAGE,
  ratio: undefined,
  promql: undefined,
  memoryLeak: undefined,
};

/** Which indicators compare a value with a threshold, and which count good events against a target. */
const NEEDS_THRESHOLD: ReadonlySet<IndicatorKind> = new Set([
  'latency',
  'promql',
  'containerMemory',
  'containerCpu',
  'redisHitRatio',
  'postgresQueryLatency',
]);

const BOUND_KEYS = ['max', 'min', 'warning'] as const;

class Collector {
  readonly issues: ConfigIssue[] = [];
  readonly replaces = new Set<string>();

  constructor(private readonly source: YamlSource) {}

  add(path: readonly PathSegment[], message: string, code: VigilErrorCode, at: 'value' | 'key' = 'value', replace = false): void {
    const { line, column } = this.source.locate(path, at);
    const formatted = formatPath(path);
    this.issues.push({ file: this.source.file, line, column, path: formatted, message, code });
    if (replace) this.replaces.add(formatted);
  }
}

/** The single indicator kind of a raw indicator map, if it is one. */
function kindOf(indicator: unknown): { kind: IndicatorKind; body: Record<string, unknown> } | undefined {
  if (!isPlainObject(indicator)) return undefined;
  const keys = Object.keys(indicator);
  if (keys.length !== 1) return undefined;
  const kind = keys[0] as IndicatorKind;
  if (!INDICATOR_KINDS.includes(kind)) return undefined;
  const body = indicator[kind];
  return { kind, body: isPlainObject(body) ? body : {} };
}

export function checkSloDocument(raw: unknown, source: YamlSource, daemon?: DaemonConfig): CheckResult {
  const out = new Collector(source);
  if (!isPlainObject(raw) || !Array.isArray(raw.objectives)) return out;
  const seen = new Map<string, number>();
  raw.objectives.forEach((objective: unknown, index: number) => {
    if (!isPlainObject(objective)) return;
    const at = (...rest: PathSegment[]): PathSegment[] => ['objectives', index, ...rest];

    if (typeof objective.name === 'string') {
      const first = seen.get(objective.name);
      if (first === undefined) seen.set(objective.name, index);
      else {
        const firstLine = source.locate(['objectives', first, 'name']).line;
        out.add(
          at('name'),
          `duplicate objective name "${objective.name}"; first used at line ${firstLine}`,
          ERR.VIGIL_ERR_CONFIG_DUPLICATE_OBJECTIVE,
        );
      }
    }

    const indicator = kindOf(objective.indicator);
    if (!indicator) return;
    checkShape(out, indicator.kind, objective, at);
    checkBounds(out, indicator.kind, objective.threshold, at);
    if (daemon) checkSource(out, daemon, indicator.kind, indicator.body, at);
  });
  return out;
}

/** A key the loader already reports as a typo of `threshold` or `target` counts as given: one message per mistake. */
function given(objective: Record<string, unknown>, key: 'threshold' | 'target'): boolean {
  if (objective[key] !== undefined) return true;
  const known = Object.keys(objectiveSchema.shape);
  return Object.keys(objective).some((k) => !known.includes(k) && didYouMean(k, known) === key);
}

function checkShape(
  out: Collector,
  kind: IndicatorKind,
  objective: Record<string, unknown>,
  at: (...rest: PathSegment[]) => PathSegment[],
): void {
  const hasThreshold = given(objective, 'threshold');
  const hasTarget = given(objective, 'target');
  if (kind === 'ratio') {
    if (hasThreshold) {
      out.add(
        at('threshold'),
        'a ratio indicator takes a `target` (e.g. 99.9%), not a threshold',
        ERR.VIGIL_ERR_CONFIG_OBJECTIVE_SHAPE,
        'key',
      );
    }
    if (!hasTarget)
      out.add(at('target'), 'required key is missing: a ratio indicator needs a `target` like "99.9%"', ERR.VIGIL_ERR_CONFIG_MISSING_KEY);
  } else if (NEEDS_THRESHOLD.has(kind) && !hasThreshold) {
    out.add(
      at('threshold'),
      `required key is missing: a ${kind} indicator needs a threshold with \`max\` or \`min\``,
      ERR.VIGIL_ERR_CONFIG_MISSING_KEY,
    );
  } else if (kind === 'memoryLeak') {
    // The leak verdict is the objective: a bound or a target would be read by nothing.
    for (const key of ['threshold', 'target'] as const) {
      if (objective[key] !== undefined) {
        out.add(
          at(key),
          `a memoryLeak indicator takes no ${key}: its leak verdict is the objective (tune \`window\` and \`limit\`)`,
          ERR.VIGIL_ERR_CONFIG_OBJECTIVE_SHAPE,
          'key',
        );
      }
    }
  } else if (kind === 'probe' && !hasThreshold && !hasTarget) {
    out.add(
      at('target'),
      'a probe indicator needs a `target` (uptime, e.g. 99.9%) and/or a `threshold` (probe latency)',
      ERR.VIGIL_ERR_CONFIG_MISSING_KEY,
    );
  }
}

/**
 * A bound is parsed by its own suffix (`50ms`, `2GB`, `60%`); here its unit is held against the
 * indicator, and a bound that does not parse gets the message of the unit the indicator wants.
 */
function checkBounds(out: Collector, kind: IndicatorKind, threshold: unknown, at: (...rest: PathSegment[]) => PathSegment[]): void {
  if (!isPlainObject(threshold)) return;
  const expected = BOUND_UNITS[kind];
  if (!expected) {
    checkSameUnit(out, threshold, at);
    return;
  }
  for (const key of BOUND_KEYS) {
    const bound = threshold[key];
    if (bound === undefined) continue;
    const path = at('threshold', key);
    let unit: QuantityUnit;
    try {
      unit = parseQuantity(bound).unit;
    } catch {
      out.add(path, unitMessage(expected, bound), ERR.VIGIL_ERR_CONFIG_UNIT, 'value', true);
      continue;
    }
    if (fits(expected, unit, bound)) continue;
    const why = expected.why ?? `a ${kind} indicator is measured in ${unitWord(expected.unit)}`;
    out.add(path, `${unitMessage(expected, bound)} (${why})`, ERR.VIGIL_ERR_CONFIG_WRONG_UNIT);
  }
}

/**
 * Free-form indicators (promql) take any unit, but one value is compared with every bound and
 * shown in the unit of the first: `max: 100ms` with `min: 10%` cannot both describe it. A plain
 * number goes with any unit.
 */
function checkSameUnit(out: Collector, threshold: Record<string, unknown>, at: (...rest: PathSegment[]) => PathSegment[]): void {
  let first: { key: string; unit: QuantityUnit } | undefined;
  for (const key of BOUND_KEYS) {
    if (threshold[key] === undefined) continue;
    let unit: QuantityUnit;
    try {
      unit = parseQuantity(threshold[key]).unit;
    } catch {
      continue; // zod reports a bound that does not parse
    }
    if (unit === 'number') continue;
    if (first === undefined) first = { key, unit };
    else if (unit !== first.unit) {
      out.add(
        at('threshold', key),
        `expected ${unitNoun(first.unit)} as \`${first.key}\` is, got ${unitNoun(unit)} ${JSON.stringify(threshold[key])} (the bounds of one threshold share a unit)`,
        ERR.VIGIL_ERR_CONFIG_WRONG_UNIT,
      );
    }
  }
}

function fits(expected: Expected, unit: QuantityUnit, bound: unknown): boolean {
  if (unit === expected.unit) return true;
  // Plain numbers: bytes as parseBytes reads them, ratios between 0 and 1 as parseRatio does.
  if (unit === 'number' && expected.unit === 'bytes') return true;
  if (unit === 'number' && expected.unit === 'ratio') return typeof bound === 'number' ? bound >= 0 && bound <= 1 : false;
  return false;
}

function unitNoun(unit: QuantityUnit): string {
  return [DURATION, SIZE, PERCENTAGE].find((e) => e.unit === unit)?.noun ?? 'a number';
}

function unitWord(unit: QuantityUnit): string {
  return unit === 'seconds' ? 'time' : unit === 'bytes' ? 'bytes' : 'percent';
}

function unitMessage(expected: Expected, bound: unknown): string {
  if (expected.parse) {
    try {
      expected.parse(bound);
    } catch (err) {
      if (isVigilError(err, ERR.VIGIL_ERR_UNIT)) return err.message;
    }
  }
  const got = typeof bound === 'string' ? JSON.stringify(bound) : String(bound);
  return `expected ${expected.noun} like ${expected.example}, got ${got}`;
}

function checkSource(
  out: Collector,
  daemon: DaemonConfig,
  kind: IndicatorKind,
  body: Record<string, unknown>,
  at: (...rest: PathSegment[]) => PathSegment[],
): void {
  const given = body.source;
  if (given !== undefined && typeof given !== 'string') return;
  const name = given ?? DEFAULT_SOURCE_NAME;
  // An explicit `source:` is pointed at; a defaulted one at the indicator kind that implied it.
  const path = given === undefined ? at('indicator', kind) : at('indicator', kind, 'source');
  const exporterProfile = typeof body.metrics === 'string' && body.metrics !== 'vigil';
  const found = lookupSource(daemon.sources, kind, name, exporterProfile);
  if (!found.ok) {
    const message = given === undefined ? `${found.message} (no \`source\` given, so "default" is used)` : found.message;
    out.add(path, message, found.code, given === undefined ? 'key' : 'value');
    return;
  }
  if (kind === 'probe' && typeof body.path === 'string' && found.kind === 'probe' && !daemon.sources.probe[found.name]?.baseUrl) {
    out.add(
      at('indicator', kind, 'path'),
      `a probe \`path\` needs a \`baseUrl\` on probe source "${found.name}" in vigil.yaml; or give a full \`url\``,
      ERR.VIGIL_ERR_CONFIG_INVALID_VALUE,
    );
  }
}
