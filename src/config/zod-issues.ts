import type { z } from 'zod';
import { ERR, isVigilErrorCode, type VigilErrorCode } from '../core/errors.js';
import { redactIssueMessage } from '../core/redact.js';
import { describeInput } from '../units/units.js';
import type { ConfigIssue } from './config.js';
import { suggestion } from './did-you-mean.js';
import { formatPath } from './issue-format.js';
import { type AnySchema, keyedUnionKeys, objectShape, schemaAt, unwrap } from './schema-walk.js';
import { isUnitUnion } from './units-schema.js';
import type { PathSegment, Position, YamlSource } from './yaml-source.js';

/**
 * zod issues -> ConfigIssues: one message per problem, in our words ("expected a duration like
 * "50ms", got "fast""), at the line and column of the offending node.
 */

type ZodIssue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

/** Parse options that make zod's messages ours and keep the rejected input on each issue. */
export const PARSE_OPTIONS = { error: errorMap, reportInput: true } as const;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true/false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  null: 'null',
  undefined: 'nothing',
  bigint: 'an integer',
  date: 'a date',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function quoteValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Messages for issues whose schema gave none of its own. */
function errorMap(issue: RawIssue): string | undefined {
  const got = describeInput(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required key is missing (expected ${typeName(issue.expected)})`;
      return `expected ${typeName(issue.expected)}, got ${got}`;
    case 'invalid_value': {
      const values = issue.values;
      if (values.length === 1) return `expected ${quoteValue(values[0])}, got ${got}`;
      const strings = values.filter((v): v is string => typeof v === 'string');
      const hint = typeof issue.input === 'string' ? suggestion(issue.input, strings) : '';
      return `expected one of ${values.map(quoteValue).join(', ')}, got ${got}${hint}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'expected a non-empty string' : `expected at least ${min} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `expected at least ${min} item${min === 1 ? '' : 's'}`;
      return `expected a number ${issue.inclusive ? 'of at least' : 'above'} ${min}, got ${got}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `expected at most ${max} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `expected at most ${max} item${max === 1 ? '' : 's'}`;
      return `expected a number ${issue.inclusive ? 'of at most' : 'below'} ${max}, got ${got}`;
    }
    case 'invalid_format': {
      if (issue.format === 'url') return `expected a URL like "http://127.0.0.1:9090", got ${got}`;
      if (issue.format === 'starts_with') return `expected text starting with ${quoteValue(issue.prefix)}, got ${got}`;
      if (issue.format === 'regex' && issue.pattern) return `expected text matching ${issue.pattern}, got ${got}`;
      return `expected ${issue.format}, got ${got}`;
    }
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}, got ${got}`;
    case 'invalid_union': {
      // Reached only when the union has no message of its own: list what each option wanted.
      const wanted = new Set<string>();
      for (const branch of issue.errors) {
        const root = branch.find((b) => b.path.length === 0);
        if (root?.code === 'invalid_type') wanted.add(typeName(root.expected));
        else if (root?.code === 'invalid_value') root.values.forEach((v) => wanted.add(quoteValue(v)));
        else wanted.add('a map');
      }
      return `expected ${[...wanted].join(' or ')}, got ${got}`;
    }
    default:
      return undefined;
  }
}

export interface IssueContext {
  /** Positions come from here. */
  readonly source: YamlSource;
  /** The value that was validated (may differ from `source.value`: env overrides, interpolation). */
  readonly input: unknown;
  readonly schema: AnySchema;
  /** Values set by something other than the file (an environment variable) are reported there. */
  readonly origin?: (path: readonly PathSegment[]) => string | undefined;
}

export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}

/** A YAML mapping (not a list, not a scalar). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function toConfigIssues(issues: readonly ZodIssue[], ctx: IssueContext, prefix: PathSegment[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((s): s is PathSegment => typeof s !== 'symbol')];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push(unknownKey(ctx, path, key));
        break;
      case 'invalid_union':
        out.push(...unionIssues(issue, ctx, path));
        break;
      case 'invalid_key':
        // A record key (a label name): the inner issue says what is wrong with it.
        out.push(
          make(ctx, path, issue.issues.map((i) => i.message).join('; ') || issue.message, ERR.VIGIL_ERR_CONFIG_INVALID_VALUE, 'key'),
        );
        break;
      default:
        out.push(make(ctx, path, issue.message, codeFor(issue, ctx, path)));
    }
  }
  return out;
}

function make(
  ctx: IssueContext,
  path: readonly PathSegment[],
  message: string,
  code: VigilErrorCode,
  at: 'value' | 'key' = 'value',
): ConfigIssue {
  const origin = ctx.origin?.(path);
  const position: Position = origin === undefined ? ctx.source.locate(path, at) : { line: 0, column: 0 };
  const formatted = formatPath(path);
  // A rejected value may be a password typed into a URL field: never quoted for such keys.
  const text = redactIssueMessage(message, formatted, at === 'value' ? valueAt(ctx.input, path) : undefined);
  return {
    file: origin ?? ctx.source.file,
    line: position.line,
    column: position.column,
    path: formatted,
    message: text,
    code,
  };
}

function codeFor(issue: ZodIssue, ctx: IssueContext, path: readonly PathSegment[]): VigilErrorCode {
  const params = (issue as { params?: { code?: unknown } }).params;
  if (isVigilErrorCode(params?.code)) return params.code;
  if (path.length === 1 && path[0] === 'apiVersion') return ERR.VIGIL_ERR_CONFIG_API_VERSION;
  if (issue.code === 'invalid_type') {
    const parent = valueAt(ctx.input, path.slice(0, -1));
    const missing = isPlainObject(parent) && !(String(path[path.length - 1]) in parent);
    return missing ? ERR.VIGIL_ERR_CONFIG_MISSING_KEY : ERR.VIGIL_ERR_CONFIG_INVALID_TYPE;
  }
  if (issue.code === 'custom') return ERR.VIGIL_ERR_CONFIG_INVALID;
  return ERR.VIGIL_ERR_CONFIG_INVALID_VALUE;
}

function allowedKeys(ctx: IssueContext, path: readonly PathSegment[]): string[] {
  const schema = schemaAt(ctx.schema, path);
  if (!schema) return [];
  const shape = objectShape(schema);
  return shape ? Object.keys(shape) : (keyedUnionKeys(schema) ?? []);
}

function unknownKey(ctx: IssueContext, path: readonly PathSegment[], key: string): ConfigIssue {
  const allowed = allowedKeys(ctx, path);
  const hint = suggestion(key, allowed) || (allowed.length > 0 ? `; expected one of ${allowed.join(', ')}` : '');
  return make(ctx, [...path, key], `unknown key ${JSON.stringify(key)}${hint}`, ERR.VIGIL_ERR_CONFIG_UNKNOWN_KEY, 'key');
}

/**
 * A union's failure names every option's problems; a person wants the problems of the option
 * they meant. For a keyed union (the indicator) that is the option named by the one key given.
 * For other unions it is the only option whose type matched, if exactly one did.
 */
function unionIssues(issue: z.core.$ZodIssueInvalidUnion, ctx: IssueContext, path: PathSegment[]): ConfigIssue[] {
  const schema = schemaAt(ctx.schema, path);
  const raw = valueAt(ctx.input, path);
  const keys = schema ? keyedUnionKeys(schema) : undefined;
  if (keys) {
    const what = `${String(path[path.length - 1] ?? '')} kind`.trim();
    const list = keys.join(', ');
    if (!isPlainObject(raw)) {
      return [
        make(
          ctx,
          path,
          `expected a map with one key naming the ${what} (${list}), got ${describeInput(raw)}`,
          ERR.VIGIL_ERR_CONFIG_INVALID_TYPE,
        ),
      ];
    }
    const given = Object.keys(raw);
    if (given.length === 0) return [make(ctx, path, `names no ${what}; expected one of ${list}`, ERR.VIGIL_ERR_CONFIG_MISSING_KEY)];
    const known = given.filter((k) => keys.includes(k));
    if (known.length > 1) {
      return [
        make(
          ctx,
          [...path, known[1]!],
          `expected exactly one ${what}, got ${known.join(' and ')}`,
          ERR.VIGIL_ERR_CONFIG_INVALID_VALUE,
          'key',
        ),
      ];
    }
    if (known.length === 1) {
      const branch = issue.errors[keys.indexOf(known[0]!)] ?? [];
      return toConfigIssues(branch, ctx, path);
    }
    return given.map((key) =>
      make(
        ctx,
        [...path, key],
        `unknown ${what} ${JSON.stringify(key)}${suggestion(key, keys)} (known: ${list})`,
        ERR.VIGIL_ERR_CONFIG_UNKNOWN_INDICATOR,
        'key',
      ),
    );
  }
  const viable = issue.errors.filter(
    (branch) => !branch.every((b) => b.path.length === 0 && (b.code === 'invalid_type' || b.code === 'invalid_value')),
  );
  if (viable.length === 1 && !(schema && isUnitUnion(unwrap(schema)))) return toConfigIssues(viable[0]!, ctx, path);
  const code = schema && isUnitUnion(unwrap(schema)) ? ERR.VIGIL_ERR_CONFIG_UNIT : ERR.VIGIL_ERR_CONFIG_INVALID_TYPE;
  return [make(ctx, path, issue.message, code)];
}
