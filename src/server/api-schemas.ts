import { z } from 'zod';
import { API_ERROR_CODES, ERROR_CODES } from '../core/errors.js';
import { wireJsonSchema } from '../core/wire-keys.js';
import { objectiveResultSchema, objectiveStatusSchema, serviceSummarySchema, sourceHealthSchema } from '../snapshot/snapshot-schema.js';

/**
 * The HTTP API's response bodies, as zod schemas built from the snapshot's. Each is turned into
 * a JSON Schema once (`jsonSchemaOf`) for fastify's serializer and for the OpenAPI document, so
 * what is documented is what is sent.
 */

export const errorResponseSchema = z.object({
  error: z.string().meta({ description: 'HTTP reason phrase, e.g. `Not Found`.' }),
  code: z.enum(API_ERROR_CODES).meta({ description: 'Stable error code from the catalogue (docs/errors.md).' }),
  message: z.string(),
});

export const serviceListEntrySchema = z.object({
  service: z.string(),
  status: objectiveStatusSchema,
  objectives: z.object({ total: z.number(), ok: z.number(), warning: z.number(), breach: z.number(), no_data: z.number() }),
  href: z.string().meta({ description: "Path of the service's full result (a full URL when another shard owns it)." }),
  shard: z.number().optional().meta({ description: 'Index of the shard that owns the service (sharded deployments).' }),
});

export const shardInfoSchema = z
  .object({
    index: z.number(),
    total: z.number(),
    services: z.array(z.string()).meta({ description: 'The services this shard owns (samples, evaluates, alerts on).' }),
  })
  .meta({ description: "This replica's shard (present when `shard` is configured)." });

export const peerAnswerSchema = z.object({
  url: z.string(),
  ok: z.boolean(),
  shard: z.number().nullable(),
  services: z.number().meta({ description: 'Services the peer listed.' }),
  error: z.string().optional(),
});

export const serviceListResponseSchema = z.object({
  evaluated_at: z.iso.datetime(),
  services: z.array(serviceListEntrySchema),
  shard: shardInfoSchema.optional(),
  partial: z
    .boolean()
    .optional()
    .meta({ description: 'Sharded, merged view: true when a peer did not answer in time (its services are missing).' }),
  peers: z.array(peerAnswerSchema).optional().meta({ description: "Each peer shard's answer to the fan-out." }),
});

export const serviceCurrentResponseSchema = z.object({
  service: z.string(),
  status: objectiveStatusSchema,
  evaluated_at: z.iso.datetime(),
  data_age_seconds: z.number().nullable().meta({ description: 'Age of the oldest figure the result rests on.' }),
  ...serviceSummarySchema.shape,
  labels: z.record(z.string(), z.string()),
  objectives: z.array(objectiveResultSchema),
  sources: z.array(sourceHealthSchema).meta({ description: "Health of every source instance the service's objectives read." }),
});

export const healthResponseSchema = z.object({ status: z.enum(['ok', 'ready', 'not_ready', 'stale']) });

export const reloadResponseSchema = z.object({
  reloaded: z.boolean(),
  services: z.array(z.string()),
  message: z.string(),
});

export const reloadErrorResponseSchema = errorResponseSchema.extend({
  issues: z.array(
    z.object({ file: z.string(), line: z.number(), column: z.number(), path: z.string(), message: z.string(), code: z.enum(ERROR_CODES) }),
  ),
});

export type ServiceListResponse = z.infer<typeof serviceListResponseSchema>;
export type ServiceListEntry = z.infer<typeof serviceListEntrySchema>;
export type PeerAnswer = z.infer<typeof peerAnswerSchema>;
export type ServiceCurrentResponse = z.infer<typeof serviceCurrentResponseSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as a self-contained JSON Schema of the wire form (snake_case keys, see
 * `core/wire-keys.ts`). Nullable primitives become `type: [t, "null"]` instead of `anyOf`
 * (fast-json-stringify serialises those without trying branches).
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const raw = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  delete raw.$schema;
  delete raw.id;
  return wireJsonSchema(simplify(raw)) as JsonSchema;
}

function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (node === null || typeof node !== 'object') return node;
  const obj = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, simplify(v)])) as JsonSchema;
  const anyOf = obj.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const nullIdx = anyOf.findIndex((s) => s.type === 'null' && Object.keys(s).length === 1);
    const other = anyOf[1 - nullIdx];
    if (nullIdx >= 0 && other && typeof other.type === 'string') {
      const { anyOf: _drop, ...rest } = obj;
      // An enum keeps null among its values, or a nullable enum would refuse null.
      const values = Array.isArray(other.enum) ? { enum: [...(other.enum as unknown[]), null] } : {};
      return { ...rest, ...other, ...values, type: [other.type, 'null'] };
    }
  }
  return obj;
}
