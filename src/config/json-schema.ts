import { z } from 'zod';
import { sloFileSchema } from './slo-schema.js';

/** Stable identifier of the schema; editors key their cache on it. */
export const SLO_SCHEMA_ID = 'urn:vigil:schema:slo:v1';

/**
 * The JSON Schema of the SLO format, generated from the zod schema (never hand-written), for
 * editors (`# yaml-language-server: $schema=...`) and other tools. Input mode: it describes what
 * a person writes (`50ms`), not what the loader turns it into (milliseconds).
 * Cross-field checks (duplicate names, units per indicator, sources) are the loader's alone.
 */
export function sloJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(sloFileSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return { $schema, $id: SLO_SCHEMA_ID, ...rest };
}
