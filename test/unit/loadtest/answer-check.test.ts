import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answersCheck } from '../../../src/loadtest/answer-check.js';

const sent = { base: 'http://127.0.0.1:8095', kinds: [{ method: 'POST', path: '/api/documentation-keeper/decide' }] };

describe('good-answers check of a load test', () => {
  it('fails a run whose every answer was 404, naming the status and what was sent where', () => {
    const check = answersCheck({ attempts: 1000, statusCounts: new Map([[404, 1000]]) }, sent, 0.01);
    expect(check.held).toBe(false);
    expect(check.value).toBe(1);
    expect(check.detail).toBe(
      "1000 of 1000 answers were not good (1000× 404); sent POST http://127.0.0.1:8095/api/documentation-keeper/decide: is --url or the profile's path right?",
    );
  });

  it('holds when the 4xx/5xx share is within the bound', () => {
    const check = answersCheck(
      {
        attempts: 1000,
        statusCounts: new Map([
          [200, 995],
          [429, 3],
          [503, 2],
        ]),
      },
      sent,
      0.01,
    );
    expect(check).toMatchObject({ held: true, value: 0.005 });
  });

  it('holds exactly when bad answers / attempts <= bound (any mix of statuses)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.integer({ min: 100, max: 599 }).map(String), fc.integer({ min: 0, max: 500 })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (dict, bound) => {
          const counts = new Map(Object.entries(dict).map(([k, v]) => [Number(k), v] as [number, number]));
          const attempts = [...counts.values()].reduce((a, b) => a + b, 0);
          const bad = [...counts].filter(([s]) => s >= 400).reduce((a, [, c]) => a + c, 0);
          const check = answersCheck({ attempts, statusCounts: counts }, sent, bound);
          expect(check.held).toBe(attempts === 0 || bad / attempts <= bound);
        },
      ),
      { seed: 17, numRuns: 500 },
    );
  });
});
