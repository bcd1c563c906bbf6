import { z } from 'zod';

/**
 * The one place where vigil's JSON naming is decided: every key a JSON body defines is
 * snake_case on the wire (HTTP API, `--json` outputs, the OpenAPI document, files vigil writes).
 *
 * The zod schemas keep the names the TypeScript code uses (camelCase), and the wire form is
 * derived from them here, guided by the schema: a key the schema declares (`z.object`) is
 * renamed; a key of a map (`z.record`: labels, HTTP status counts, ...) is user data and kept as
 * it is. So there is no second copy of any schema, and a map's keys are never touched.
 * `toWire` turns a value into its wire form, `wireJsonSchema` a JSON Schema, and `fromWire` reads
 * a wire (or an older camelCase) body back into the schema's names.
 */

type JsonSchema = { [key: string]: unknown };

/** Wire names already worked out: the walks below ask for the same few keys again and again. */
const wireKeys = new Map<string, string>();
/** Keys also come from data (a map's keys), so the memo is emptied rather than let grow without bound. */
const WIRE_KEYS_MAX = 10_000;

/** `dataAgeSeconds` -> `data_age_seconds`; snake_case and single words stay as they are. */
export function wireKey(key: string): string {
  let wire = wireKeys.get(key);
  if (wire === undefined) {
    wire = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    if (wireKeys.size >= WIRE_KEYS_MAX) wireKeys.clear();
    wireKeys.set(key, wire);
  }
  return wire;
}

/** `type Wire<T>`'s key rename, at the type level (the status page client reads these types). */
type SnakeKey<S extends string> = S extends `${infer Head}${infer Tail}`
  ? Head extends Lowercase<Head>
    ? `${Head}${SnakeKey<Tail>}`
    : `_${Lowercase<Head>}${SnakeKey<Tail>}`
  : S;

/** A value's wire type: declared keys renamed, map (index-signature) keys kept. */
export type Wire<T> =
  T extends ReadonlyArray<infer E>
    ? Wire<E>[]
    : T extends object
      ? string extends keyof T
        ? { [key: string]: Wire<T[string & keyof T]> }
        : { [K in keyof T as K extends string ? SnakeKey<K> : K]: Wire<T[K]> }
      : T;

const declaredSchemas = new WeakMap<z.ZodType, JsonSchema>();

/** The zod schema's JSON Schema in its declared (code) names, computed once per schema. */
function jsonSchemaOfZod(schema: z.ZodType): JsonSchema {
  let json = declaredSchemas.get(schema);
  if (json === undefined) {
    json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'output' }) as JsonSchema;
    declaredSchemas.set(schema, json);
  }
  return json;
}

const isObject = (v: unknown): v is JsonSchema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Resolves a local `$ref` (`#` or `#/$defs/name`) against the document's root. */
function deref(node: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  if (ref === '#') return root;
  const name = ref.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : undefined;
  const defs = root.$defs as Record<string, JsonSchema> | undefined;
  return (name !== undefined && defs?.[name]) || {};
}

/** The branch of a union that fits an object value best: the one declaring most of its keys. */
function branchFor(branches: JsonSchema[], value: unknown, root: JsonSchema): JsonSchema | undefined {
  if (Array.isArray(value)) return branches.map((b) => deref(b, root)).find((b) => b.items !== undefined);
  if (!isObject(value)) return undefined;
  let best: JsonSchema | undefined;
  let bestScore = -1;
  for (const raw of branches) {
    const b = deref(raw, root);
    const props = isObject(b.properties) ? b.properties : undefined;
    if (!props && b.additionalProperties === undefined) continue;
    const names = declaredKeysOf(b, root);
    const score = Object.keys(value).filter((k) => names.has(wireKey(k))).length;
    if (score > bestScore) [best, bestScore] = [b, score];
  }
  return best;
}

/**
 * Walks `value` along `node`, renaming each declared key with `rename(declaredName)`; a key the
 * schema does not declare keeps its name (and is walked along `additionalProperties`, a map's
 * value schema). Both names of a key (declared or wire) are recognised, so the walk reads either.
 */
function walk(node: JsonSchema, value: unknown, root: JsonSchema, rename: (declared: string) => string): unknown {
  const schema = deref(node, root);
  if (Array.isArray(value)) {
    const items = isObject(schema.items) ? schema.items : undefined;
    if (items) return value.map((v) => walk(items, v, root, rename));
    const branch = branchFor([...arr(schema.anyOf), ...arr(schema.oneOf)], value, root);
    return branch ? walk(branch, value, root, rename) : value;
  }
  if (!isObject(value)) return value;
  const union = [...arr(schema.anyOf), ...arr(schema.oneOf)];
  if (union.length > 0 && schema.properties === undefined) {
    const branch = branchFor(union, value, root);
    return branch ? walk(branch, value, root, rename) : value;
  }
  const declared = declaredKeysOf(schema, root);
  const mapValues = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const hit = declared.get(wireKey(key));
    if (hit) out[rename(hit[0])] = walk(hit[1], v, root, rename);
    else out[key] = mapValues ? walk(mapValues, v, root, rename) : v;
  }
  return out;
}

/** Per root, per object schema: its declared keys by wire name, worked out once (a walk meets the same nodes per value). */
const declaredBySchema = new WeakMap<JsonSchema, WeakMap<JsonSchema, Map<string, [string, JsonSchema]>>>();

/** The object schema's declared keys (its own and its `allOf` parts'), by wire name: [declared name, its schema]. */
function declaredKeysOf(schema: JsonSchema, root: JsonSchema): Map<string, [string, JsonSchema]> {
  let perRoot = declaredBySchema.get(root);
  if (perRoot === undefined) {
    perRoot = new WeakMap();
    declaredBySchema.set(root, perRoot);
  }
  let declared = perRoot.get(schema);
  if (declared === undefined) {
    declared = new Map();
    for (const part of [schema, ...arr(schema.allOf).map((p) => deref(p, root))]) {
      const props = isObject(part.properties) ? part.properties : {};
      for (const [name, sub] of Object.entries(props)) declared.set(wireKey(name), [name, sub as JsonSchema]);
    }
    perRoot.set(schema, declared);
  }
  return declared;
}

const arr = (v: unknown): JsonSchema[] => (Array.isArray(v) ? (v as JsonSchema[]) : []);

/** The wire form of a value of `schema`: declared keys snake_case, map keys untouched. */
export function toWire<S extends z.ZodType>(schema: S, value: z.output<S>): Wire<z.output<S>> {
  const json = jsonSchemaOfZod(schema);
  return walk(json, value, json, wireKey) as Wire<z.output<S>>;
}

/** `toWire` guided by a JSON Schema (fastify's compiled response schemas are JSON Schemas). */
export function toWireByJsonSchema(jsonSchema: JsonSchema, value: unknown): unknown {
  return walk(jsonSchema, value, jsonSchema, wireKey);
}

/**
 * A body read back (an API answer, a file vigil wrote), wire or older camelCase keys, parsed
 * with `schema`: the keys are first put back into the schema's names, then zod validates.
 */
export function fromWire<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return schema.parse(declaredKeys(schema, body));
}

/** `fromWire` without the validation, for callers that report zod's issues themselves (`safeParse`). */
export function declaredKeys(schema: z.ZodType, body: unknown): unknown {
  const json = jsonSchemaOfZod(schema);
  return walk(json, body, json, (declared) => declared);
}

/** A JSON Schema with its declared property names (and `required`) in wire form; maps keep theirs. */
export function wireJsonSchema<T>(node: T): T {
  if (Array.isArray(node)) return node.map(wireJsonSchema) as T;
  if (!isObject(node)) return node;
  const out: JsonSchema = {};
  for (const [key, v] of Object.entries(node)) {
    if (key === 'properties' && isObject(v)) {
      out[key] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [wireKey(name), wireJsonSchema(sub)]));
    } else if (key === 'required' && Array.isArray(v)) {
      out[key] = v.map((name) => (typeof name === 'string' ? wireKey(name) : name));
    } else {
      out[key] = wireJsonSchema(v);
    }
  }
  return out as T;
}
