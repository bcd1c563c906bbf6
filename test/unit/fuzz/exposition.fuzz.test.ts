import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/core/errors.js';
import { parseExposition } from '../../../src/sources/scrape/exposition-parser.js';
import { counted, expectCleanMessage, FUZZ_RUNS, FUZZ_SEED, fuzzCounts } from './fuzz-support.js';

// Issue 12 item 22: a scrape target can answer anything. The parser returns samples, or throws
// its coded error naming the line; never another exception.

const token = fc.constantFrom(
  '# HELP ',
  '# TYPE ',
  'counter',
  'histogram',
  'gauge',
  'summary',
  'untyped',
  'http_requests_total',
  'x_bucket',
  '_sum',
  '_count',
  '{',
  '}',
  '=',
  '"',
  '\\',
  '\\"',
  '\\n',
  ',',
  ' ',
  '\t',
  'le',
  'code',
  '="200"',
  '+Inf',
  '-Inf',
  'NaN',
  '1e3',
  '0.5',
  '-1',
  '1700000000000',
  '\n',
  '\r\n',
  'é',
  '\u0000',
  '#',
  'a:b',
  '9x',
);
const line = fc.array(token, { maxLength: 12 }).map((ts) => ts.join(''));
const wellFormed = fc
  .tuple(
    fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,10}$/),
    fc.dictionary(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,6}$/), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    fc.double(),
  )
  .map(
    ([name, labels, v]) =>
      `${name}{${Object.entries(labels)
        .map(([k, x]) => `${k}=${JSON.stringify(x)}`)
        .join(',')}} ${String(v)}`,
  );
const document = fc.array(fc.oneof(line, wellFormed, fc.string({ maxLength: 40 })), { maxLength: 20 }).map((ls) => ls.join('\n'));

afterAll(() => console.log(`fuzz counts: ${[...fuzzCounts].map(([k, v]) => `${k} ${v}`).join(', ')}`));

describe('fuzz: the exposition parser', () => {
  it('samples or a positioned, coded error', () => {
    fc.assert(
      fc.property(
        document,
        counted('exposition', (text: string) => {
          try {
            const parsed = parseExposition(text);
            for (const s of parsed.samples) {
              expect(typeof s.name).toBe('string');
              expect(typeof s.value).toBe('number');
            }
          } catch (err) {
            expect(isVigilError(err, 'VIGIL_ERR_SCRAPE_PARSE')).toBe(true);
            const message = (err as Error).message;
            expectCleanMessage(message, 600);
            const lineNo = Number(/^line (\d+): /.exec(message)?.[1]);
            expect(lineNo).toBeGreaterThanOrEqual(1);
            expect(lineNo).toBeLessThanOrEqual(text.split('\n').length);
          }
        }),
      ),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS * 2 },
    );
  });
});
