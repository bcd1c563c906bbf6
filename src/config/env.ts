import { ERR, type VigilErrorCode } from '../core/errors.js';
import { type AnySchema, arrayElement, kindOf, objectShape, recordValue } from './schema-walk.js';
import type { PathSegment } from './yaml-source.js';

/**
 * The environment's two roles in the daemon config: `${VAR}` inside vigil.yaml values (secrets
 * stay out of the file), and `VIGIL_*` variables that override any key (containers configure
 * by environment). Both are pure functions of (value, env) so they test without a process.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvProblem {
  readonly path: PathSegment[];
  readonly message: string;
  readonly code: VigilErrorCode;
}

const REFERENCE = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

/**
 * `${NAME}` -> the variable's value, `${NAME:-fallback}` -> the fallback when unset or empty,
 * `$${` -> a literal `${`. A `$` not followed by `{` stays as it is (passwords may hold one).
 */
export function interpolateString(text: string, env: Env): { value: string; missing: string[]; malformed: boolean } {
  let out = '';
  const missing: string[] = [];
  let malformed = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char !== '$') {
      out += char;
      continue;
    }
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 2;
      continue;
    }
    if (text[i + 1] !== '{') {
      out += char;
      continue;
    }
    const match = REFERENCE.exec(text.slice(i + 1));
    if (!match) {
      malformed = true;
      out += char;
      continue;
    }
    const [whole, name, fallback] = match;
    const value = env[name!];
    if (fallback !== undefined && (value === undefined || value === '')) out += fallback;
    else if (value === undefined) missing.push(name!);
    else out += value;
    i += whole.length;
  }
  return { value: out, missing, malformed };
}

/** Interpolates every string value (not keys) of a parsed document. */
export function interpolateEnv(value: unknown, env: Env, path: PathSegment[] = []): { value: unknown; problems: EnvProblem[] } {
  if (typeof value === 'string') {
    const result = interpolateString(value, env);
    const problems: EnvProblem[] = result.missing.map((name) => ({
      path,
      message: `environment variable ${name} is not set (referenced as \${${name}}; write $\${ for a literal \${)`,
      code: ERR.VIGIL_ERR_CONFIG_ENV_MISSING,
    }));
    if (result.malformed) {
      problems.push({
        path,
        message: 'expected ${NAME} or ${NAME:-default} after "${" (write $${ for a literal ${)',
        code: ERR.VIGIL_ERR_CONFIG_ENV_SYNTAX,
      });
    }
    return { value: result.value, problems };
  }
  if (Array.isArray(value)) {
    const problems: EnvProblem[] = [];
    const items = value.map((item, i) => {
      const r = interpolateEnv(item, env, [...path, i]);
      problems.push(...r.problems);
      return r.value;
    });
    return { value: items, problems };
  }
  if (value !== null && typeof value === 'object') {
    const problems: EnvProblem[] = [];
    const entries = Object.entries(value).map(([key, item]) => {
      const r = interpolateEnv(item, env, [...path, key]);
      problems.push(...r.problems);
      return [key, r.value] as const;
    });
    return { value: Object.fromEntries(entries), problems };
  }
  return { value, problems: [] };
}

/** `maxPointsPerSeries` -> `MAX_POINTS_PER_SERIES`; instance `redis-cache` -> `REDIS_CACHE`. */
export function envSegment(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

type EnvKey =
  | { readonly type: 'leaf'; readonly name: string; readonly path: string[]; readonly schema: AnySchema }
  | { readonly type: 'record'; readonly name: string; readonly path: string[]; readonly value: AnySchema };

/** Every variable name the schema accepts: `VIGIL_LISTEN_PORT`, and `VIGIL_SOURCES_REDIS_<NAME>_*` per record. */
export function envKeys(schema: AnySchema, prefix = 'VIGIL', path: string[] = []): EnvKey[] {
  const shape = objectShape(schema);
  if (!shape) return [];
  const out: EnvKey[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const name = `${prefix}_${envSegment(key)}`;
    const childPath = [...path, key];
    const value = recordValue(child);
    if (objectShape(child)) out.push(...envKeys(child, name, childPath));
    else if (value && objectShape(value)) out.push({ type: 'record', name, path: childPath, value });
    else out.push({ type: 'leaf', name, path: childPath, schema: child });
  }
  return out;
}

export interface EnvOverride {
  /** The variable, e.g. `VIGIL_SOURCES_REDIS_CACHE_URL`. */
  readonly variable: string;
  readonly path: string[];
  readonly value: unknown;
}

/** Text -> the type the schema wants there, so `VIGIL_LISTEN_PORT=9000` is a number. Unparseable text stays text, for zod to report. */
export function coerce(text: string, schema: AnySchema): unknown {
  switch (kindOf(schema)) {
    case 'number': {
      const n = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      return text;
    }
    case 'array': {
      const element = arrayElement(schema)!;
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map((s) => coerce(s, element));
    }
    default:
      return text;
  }
}

/**
 * The overrides the environment asks for. A record key (`sources.redis`) takes any instance
 * name: the variable's tail is split at the longest known field (`CACHE_URL` -> instance
 * `cache`, field `url`), and the instance matches an existing one written as `redis-cache`
 * or `Redis_Cache` when its variable spelling is the same. Unknown `VIGIL_*` variables are
 * ignored: tools (the test harness) use the prefix too.
 */
export function envOverrides(schema: AnySchema, env: Env, existing: unknown): EnvOverride[] {
  const keys = envKeys(schema);
  const overrides: EnvOverride[] = [];
  for (const variable of Object.keys(env)
    .filter((v) => v.startsWith('VIGIL_'))
    .sort()) {
    const text = env[variable];
    if (text === undefined) continue;
    const leaf = keys.find((k) => k.type === 'leaf' && k.name === variable);
    if (leaf && leaf.type === 'leaf') {
      overrides.push({ variable, path: leaf.path, value: coerce(text, leaf.schema) });
      continue;
    }
    for (const record of keys) {
      if (record.type !== 'record' || !variable.startsWith(`${record.name}_`)) continue;
      const tail = variable.slice(record.name.length + 1);
      const fields = Object.entries(objectShape(record.value) ?? {})
        .map(([field, fieldSchema]) => ({ field, fieldSchema, spelled: envSegment(field) }))
        .filter((f) => tail.endsWith(`_${f.spelled}`) && tail.length > f.spelled.length + 1)
        .sort((a, b) => b.spelled.length - a.spelled.length);
      const best = fields[0];
      if (!best) continue;
      const token = tail.slice(0, tail.length - best.spelled.length - 1);
      const present = valueAtPath(existing, record.path);
      const names = present !== null && typeof present === 'object' ? Object.keys(present) : [];
      const instance = names.find((n) => envSegment(n) === token) ?? token.toLowerCase();
      overrides.push({ variable, path: [...record.path, instance, best.field], value: coerce(text, best.fieldSchema) });
      break;
    }
  }
  return overrides;
}

function valueAtPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** A copy of `value` with the overrides set, creating maps on the way. */
export function applyOverrides(value: unknown, overrides: readonly EnvOverride[]): unknown {
  const root: Record<string, unknown> =
    value !== null && typeof value === 'object' && !Array.isArray(value) ? structuredClone(value as Record<string, unknown>) : {};
  for (const { path, value: v } of overrides) {
    let node = root;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = v;
  }
  return root;
}
