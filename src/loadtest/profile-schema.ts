import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { durationSchema } from '../config/units-schema.js';
import { ERR, vigilError } from '../core/errors.js';
import type { Phase, PhaseShape } from './rate-curve.js';

/**
 * `--profile file.yaml`: a production-like load — phases with rate curves, a weighted request
 * mix and a payload corpus. Example: `examples/ml-serving/profile.yaml`.
 */

const rate = z.number().nonnegative();

const phaseSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    constant: z.strictObject({ rate, duration: durationSchema }).optional(),
    ramp: z.strictObject({ from: rate, to: rate, duration: durationSchema }).optional(),
    wave: z
      .strictObject({ min: rate, max: rate, period: durationSchema, duration: durationSchema })
      .refine((w) => w.max >= w.min, { message: 'expected max >= min' })
      .optional(),
    burst: z
      .strictObject({ base: rate, peak: rate, every: durationSchema, length: durationSchema, duration: durationSchema })
      .refine((b) => b.length < b.every, { message: 'expected a burst `length` shorter than `every`' })
      .optional(),
  })
  .refine((p) => [p.constant, p.ramp, p.wave, p.burst].filter((x) => x !== undefined).length === 1, {
    message: 'expected exactly one of `constant`, `ramp`, `wave` or `burst`',
  });

const requestSchema = z.strictObject({
  name: z.string().min(1),
  weight: z.number().positive().default(1),
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']).default('GET'),
  /** Path on the target, e.g. `/api/documentation-keeper/decide`. */
  path: z.string().startsWith('/'),
  /** JSON body; `{{task}}` in any string is replaced by a task drawn from the corpus. */
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

const corpusSchema = z
  .strictObject({
    /** Distinct generated tasks (the long tail: mostly cache misses). */
    distinct: z.number().int().min(1).max(1_000_000).default(5000),
    /** Tasks that come back again and again (should be cache hits). */
    hotSet: z.number().int().min(0).default(50),
    /** Share of requests drawn from the hot set. */
    hotShare: z.number().min(0).max(1).default(0.7),
    /** Extra tasks from a text file (one per line), relative to the profile. */
    tasksFile: z.string().min(1).optional(),
    seed: z.number().int().default(42),
  })
  .prefault({});

export const loadProfileSchema = z.strictObject({
  apiVersion: z.literal('vigil/v1'),
  kind: z.literal('LoadProfile'),
  description: z.string().optional(),
  /** Base URL; `--url` overrides it. */
  target: z.url().optional(),
  /** Length of the constant-rate slices the curves are cut into. */
  slice: durationSchema.prefault('5s'),
  phases: z.array(phaseSchema).min(1),
  requests: z.array(requestSchema).min(1),
  corpus: corpusSchema,
});

export type LoadProfile = z.infer<typeof loadProfileSchema>;
export type RequestSpec = z.infer<typeof requestSchema>;
export type CorpusSpec = z.infer<typeof corpusSchema>;
type PhaseInput = z.infer<typeof phaseSchema>;

export function toPhases(phases: readonly PhaseInput[]): Phase[] {
  return phases.map((p, i) => {
    let shape: PhaseShape;
    let durationMs: number;
    if (p.constant) {
      shape = { kind: 'constant', rate: p.constant.rate };
      durationMs = p.constant.duration;
    } else if (p.ramp) {
      shape = { kind: 'ramp', from: p.ramp.from, to: p.ramp.to };
      durationMs = p.ramp.duration;
    } else if (p.wave) {
      shape = { kind: 'wave', min: p.wave.min, max: p.wave.max, periodMs: p.wave.period };
      durationMs = p.wave.duration;
    } else if (p.burst) {
      const b = p.burst;
      shape = { kind: 'burst', base: b.base, peak: b.peak, everyMs: b.every, lengthMs: b.length };
      durationMs = b.duration;
    } else {
      // The phase schema requires exactly one shape; a value built in code without one is a bug.
      throw new RangeError(`phase ${i + 1}: expected one of its shapes (constant, ramp, wave, burst)`);
    }
    return { name: p.name ?? `${shape.kind}-${i + 1}`, durationMs, shape };
  });
}

export function parseProfile(text: string, file = 'profile'): LoadProfile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_PROFILE, { detail: `${file}: not valid YAML: ${(err as Error).message}` });
  }
  const result = loadProfileSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${file} ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_PROFILE, { detail: issues.join('\n') });
  }
  return result.data;
}

export function loadProfile(path: string): LoadProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_PROFILE, { detail: `cannot read profile ${path}: ${(err as Error).message}` });
  }
  return parseProfile(text, path);
}
