import { z } from 'zod';
import type { PathSegment } from './yaml-source.js';

/**
 * Reading the zod schemas as data: the allowed keys at a path (for did-you-mean), the options
 * of a keyed union (the indicator), the leaf type of a key (for `VIGIL_*` coercion). Derived
 * from the schemas so a new field never needs a second list somewhere. Only zod's public API is
 * used: the schema classes (`instanceof`), their accessors (`unwrap()`, `shape`, `options`,
 * `element`, `valueType`, a pipe's `in`) and `type`.
 */

/** Any zod schema, as the walkers take it. */
export type AnySchema = z.ZodType;

/** Wrappers that do not change the shape of what is written, each with its `unwrap()`. */
type Wrapper = z.ZodOptional | z.ZodNullable | z.ZodDefault | z.ZodPrefault | z.ZodReadonly | z.ZodCatch | z.ZodNonOptional;

function isWrapper(schema: AnySchema): schema is Wrapper {
  return (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch ||
    schema instanceof z.ZodNonOptional
  );
}

/** Strips wrappers that do not change the shape: optional, default, prefault, transforms, readonly. */
export function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  // Bounded: wrappers nest a handful deep.
  for (let i = 0; i < 32; i++) {
    if (isWrapper(current)) current = current.unwrap() as AnySchema;
    // The input side of a pipe (a transform) is what a person writes.
    else if (current instanceof z.ZodPipe) current = current.in as AnySchema;
    else return current;
  }
  return current;
}

export function kindOf(schema: AnySchema): string {
  return unwrap(schema).type;
}

/** The keys of an object schema, or undefined for anything else. */
export function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, AnySchema>) : undefined;
}

export function unionOptions(schema: AnySchema): AnySchema[] | undefined {
  const inner = unwrap(schema);
  return inner instanceof z.ZodUnion ? [...(inner.options as readonly AnySchema[])] : undefined;
}

export function arrayElement(schema: AnySchema): AnySchema | undefined {
  const inner = unwrap(schema);
  return inner instanceof z.ZodArray ? (inner.element as AnySchema) : undefined;
}

export function recordValue(schema: AnySchema): AnySchema | undefined {
  const inner = unwrap(schema);
  return inner instanceof z.ZodRecord ? (inner.valueType as AnySchema) : undefined;
}

/**
 * A union whose options are single-key objects (`{ latency: ... } | { ratio: ... }`), as the
 * indicator is: the key names the option. Returns the key of each option, in order.
 */
export function keyedUnionKeys(schema: AnySchema): string[] | undefined {
  const options = unionOptions(schema);
  if (!options) return undefined;
  const keys: string[] = [];
  for (const option of options) {
    const shape = objectShape(option);
    const own = shape ? Object.keys(shape) : [];
    if (own.length !== 1) return undefined;
    keys.push(own[0]!);
  }
  return keys;
}

/**
 * The schema at a field path, following objects, arrays, records and unions (a union is
 * followed into the first option that has the next key, which is exact for keyed unions).
 */
export function schemaAt(root: AnySchema, path: readonly PathSegment[]): AnySchema | undefined {
  let current: AnySchema | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    current = child(current, segment);
  }
  return current;
}

function child(schema: AnySchema, segment: PathSegment): AnySchema | undefined {
  const shape = objectShape(schema);
  if (shape) return shape[String(segment)];
  const element = arrayElement(schema);
  if (element) return typeof segment === 'number' ? element : undefined;
  const value = recordValue(schema);
  if (value) return value;
  const options = unionOptions(schema);
  if (options) {
    for (const option of options) {
      const found = child(option, segment);
      if (found) return found;
    }
  }
  return undefined;
}
