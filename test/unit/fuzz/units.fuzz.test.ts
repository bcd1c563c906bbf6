import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/core/errors.js';
import { parseBytes, parseDuration, parseQuantity, parseRatio } from '../../../src/units/units.js';
import { counted, expectCleanMessage, FUZZ_RUNS, FUZZ_SEED, fuzzCounts } from './fuzz-support.js';

// Issue 12 item 22: the unit parser takes anything a YAML file or a flag can hold. It returns a
// finite number or throws its own coded error with a readable message; nothing else.

const unitish = fc.oneof(
  fc.string(),
  fc
    .tuple(
      fc.oneof(fc.stringMatching(/^\d{1,400}$/), fc.stringMatching(/^\d{0,3}\.\d{0,3}$/), fc.double().map(String)),
      fc.constantFrom(
        '',
        'ms',
        's',
        'm',
        'h',
        'd',
        'w',
        'y',
        'us',
        'µs',
        'MiB',
        'GiB',
        'Gi',
        'GB',
        'kB',
        'KiB',
        '%',
        'MB',
        'mb',
        'S',
        ' s',
        'x',
      ),
    )
    .map(([n, u]) => n + u),
  fc
    .array(fc.tuple(fc.stringMatching(/^\d{1,5}$/), fc.constantFrom('d', 'h', 'm', 's', 'ms')), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.map(([n, u]) => n + u).join('')),
);
const anything = fc.oneof(unitish, fc.anything(), fc.double(), fc.integer());

const PARSERS: Record<string, (input: unknown) => unknown> = {
  duration: parseDuration,
  bytes: parseBytes,
  ratio: parseRatio,
  quantity: parseQuantity,
};

afterAll(() => console.log(`fuzz counts: ${[...fuzzCounts].map(([k, v]) => `${k} ${v}`).join(', ')}`));

describe('fuzz: the unit parser', () => {
  for (const [name, parse] of Object.entries(PARSERS)) {
    it(`${name}: a finite, non-negative value or its own coded error`, () => {
      fc.assert(
        fc.property(
          anything,
          counted(`units.${name}`, (input: unknown) => {
            let value: unknown;
            try {
              value = parse(input);
            } catch (err) {
              expect(isVigilError(err)).toBe(true);
              expectCleanMessage((err as Error).message, 400);
              return;
            }
            const n = typeof value === 'number' ? value : (value as { value: number }).value;
            expect(Number.isFinite(n)).toBe(true);
            if (name !== 'quantity') expect(n).toBeGreaterThanOrEqual(0);
          }),
        ),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
      );
    });
  }
});
