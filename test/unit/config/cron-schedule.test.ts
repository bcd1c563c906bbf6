import fc from 'fast-check';
import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { checkCronStructure } from '../../../src/config/cron-check.js';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';

// Issue 12 item 1: a range such as `0-99999999` in any field made node-cron's validator expand
// it into a list of its numbers (a minute and gigabytes). The structural check must refuse
// every out-of-bounds number, wherever it is, with the field and the character it starts at.

const BOUNDS = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
] as const;
const SEED = 20261201;

function scheduleIssue(schedule: string): string | null {
  const parsed = daemonConfigSchema.safeParse({ sources: { redis: { r: { url: 'redis://127.0.0.1:6379', schedule } } } });
  return parsed.success ? null : parsed.error.issues.map((i) => i.message).join('; ');
}

/** An item within a field's bounds: `n`, `a-b`, `*`, optionally with a step. */
const itemIn = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min, max }).map(String),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.constant('*'),
    fc.tuple(fc.constant('*'), fc.integer({ min: 1, max: max - min + 1 })).map(([s, k]) => `${s}/${k}`),
  );

describe('cron schedules: structure checked in bounded time', () => {
  it('a range with an out-of-bounds end, in any field, is refused with its field and column', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        // Kept below 10^6 so the test also finishes (and fails) on code that expands ranges.
        fc.integer({ min: 100, max: 999_999 }),
        (field, end) => {
          const fields = ['*', '*', '*', '*', '*', '*'];
          fields[field] = `${BOUNDS[field]![0]}-${end}`;
          const expression = fields.join(' ');
          const issue = scheduleIssue(expression);
          expect(issue).not.toBeNull();
          const column = 2 * field + 1 + String(BOUNDS[field]![0]).length + 1;
          expect(issue).toContain(`at character ${column}, field ${field + 1}`);
          expect(issue).toContain(`"${end}" is outside ${BOUNDS[field]![0]}-${BOUNDS[field]![1]}`);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('huge numbers and steps are refused without expanding them', () => {
    for (const expression of ['0-99999999 * * * * *', `* * * * * 0-${'9'.repeat(200)}`, '*/99999999 * * * * *', '1-5/0 * * * * *']) {
      const issue = scheduleIssue(expression);
      expect(issue).toMatch(/at character \d+, field \d \(/);
    }
    expect(scheduleIssue('x'.repeat(10_000))).toContain('at most 256');
  });

  it('every in-bounds expression is accepted, and node-cron agrees', () => {
    fc.assert(
      fc.property(
        fc.tuple(...BOUNDS.map(([min, max]) => fc.array(itemIn(min, max), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')))),
        fc.boolean(),
        (fields, withSeconds) => {
          const expression = (withSeconds ? fields : fields.slice(1)).join(' ');
          expect(checkCronStructure(expression)).toBeNull();
          expect(cron.validate(expression)).toBe(true);
          expect(scheduleIssue(expression)).toBeNull();
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('names, nicknames and node-cron extras stay accepted', () => {
    for (const expression of ['0 0 * jan-mar mon-fri', '@daily', '0 0 L * *', '*/15 * * * * *', '0 0 * * sunday']) {
      expect(scheduleIssue(expression)).toBeNull();
    }
  });
});
