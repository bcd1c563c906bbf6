import { z } from 'zod';
import { parseBytes, parseDuration, parseQuantity, parseRatio, UnitError } from '../units/units.js';

/**
 * zod adapters over the one unit parser: the parser's message becomes the issue's message,
 * so a config error reads `expected a duration like "50ms" ..., got "fast"`.
 */
function unitSchema<T>(parse: (input: unknown) => T, example: string) {
  return z
    .union([z.string(), z.number()], { error: () => `expected ${example}` })
    .transform((input, ctx) => {
      try {
        return parse(input);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof UnitError ? err.message : String(err) });
        return z.NEVER;
      }
    });
}

/** Milliseconds. */
export const durationSchema = unitSchema(parseDuration, 'a duration like "50ms", "5m" or "24h"').meta({
  description: 'A duration: a number followed by us, ms, s, m, h, d or w, e.g. "250ms", "5m", "24h", "30d".',
  examples: ['250ms', '5m', '24h', '30d'],
});
/** Bytes. */
export const bytesSchema = unitSchema(parseBytes, 'a size like "512MiB" or "2GB"').meta({
  description: 'A size: "512MiB", "2GiB" (2^30 bytes) or "2GB" (10^9 bytes).',
});
/** Ratio 0..1. */
export const ratioSchema = unitSchema(parseRatio, 'a ratio like "80%" or 0.8').meta({
  description: 'A ratio: a percentage like "99.9%" or a number between 0 and 1.',
});
/** A bound whose unit comes from its suffix. */
export const quantitySchema = unitSchema(parseQuantity, 'a value like "50ms", "2GiB", "60%" or a number').meta({
  description: 'A bound with its unit: a duration ("50ms"), a size ("2GiB"), a percentage ("60%") or a plain number.',
});
