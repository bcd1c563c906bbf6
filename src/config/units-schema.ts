import { z } from 'zod';
import { ERR, isVigilError } from '../core/errors.js';
import { formatDuration, parseBytes, parseDuration, parseQuantity, parseRatio } from '../units/units.js';

/**
 * zod adapters over the one unit parser: the parser's message becomes the issue's message,
 * so a config error reads `expected a duration like "50ms", got "fast"`.
 */

function messageOf(parse: (input: unknown) => unknown, input: unknown): string {
  try {
    parse(input);
    return 'expected a string or a number';
  } catch (err) {
    return isVigilError(err, ERR.VIGIL_ERR_UNIT) ? err.message : String(err);
  }
}

/** The string-or-number unions under the unit schemas, so error reporting can tell them apart. */
const unitUnions = new WeakSet<object>();

export function isUnitUnion(schema: object): boolean {
  return unitUnions.has(schema);
}

function unitSchema<T>(parse: (input: unknown) => T) {
  // A YAML `true` or a map gets the same message as a malformed string: the parser's.
  const union = z.union([z.string(), z.number()], { error: (iss) => messageOf(parse, iss.input) });
  unitUnions.add(union);
  return union.transform((input, ctx) => {
    try {
      return parse(input);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: isVigilError(err, ERR.VIGIL_ERR_UNIT) ? err.message : String(err),
        params: { code: ERR.VIGIL_ERR_CONFIG_UNIT },
        input,
      });
      return z.NEVER;
    }
  });
}

/** Milliseconds. */
export const durationSchema = unitSchema(parseDuration).meta({
  description:
    'A duration: a number followed by us, ms, s, m, h, d, w or y, e.g. "250ms", "5m", "24h", "30d"; compound like "1h30m" is allowed.',
  examples: ['250ms', '5m', '24h', '30d'],
});
/** Milliseconds, where `0s` means "at once" (an alert's `for`). */
export const durationOrZeroSchema = unitSchema((input) => parseDuration(input, { allowZero: true })).meta({
  description: 'A duration: a number followed by us, ms, s, m, h, d, w or y, e.g. "5m"; "0s" for none.',
  examples: ['0s', '5m'],
});
/** Bytes. */
export const bytesSchema = unitSchema(parseBytes).meta({
  description: 'A size: "512MiB", "2GiB" or "2Gi" (2^30 bytes), "2GB" (10^9 bytes); a bare number is bytes.',
  examples: ['512MiB', '2GiB', '2GB'],
});
/** Ratio 0..1. */
export const ratioSchema = unitSchema(parseRatio).meta({
  description: 'A ratio: a percentage like "99.9%" or a number between 0 and 1.',
  examples: ['99.9%', '80%', 0.8],
});
/** A bound whose unit comes from its suffix. */
export const quantitySchema = unitSchema(parseQuantity).meta({
  description:
    'A bound with its unit: a duration ("50ms"), a size ("2GiB"), a percentage ("60%") or a plain number. The unit must suit the indicator.',
  examples: ['50ms', '2GB', '60%'],
});

/**
 * A duration that drives a timer or a timeout, bounded by what it drives. Node clamps a timer
 * past 2^31-1 ms (24.8 days) to 1 ms, so an unbounded `evaluateEvery: 25d` would spin; each
 * bound here is far below that and states its reason in the error.
 */
export function durationWithin(minMs: number, maxMs: number, drives: string) {
  return durationSchema.superRefine((ms, ctx) => {
    if (ms >= minMs && ms <= maxMs) return;
    ctx.addIssue({
      code: 'custom',
      input: ms,
      message: `expected a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (it drives ${drives}), got ${formatDuration(ms)}`,
      params: { code: ERR.VIGIL_ERR_CONFIG_DURATION_RANGE },
    });
  });
}
