import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../../src/sources/scrape/exposition-parser.js';
import { expositionToPoints, ScrapeSource } from '../../../src/sources/scrape/scrape-source.js';
import type { Labels } from '../../../src/store/point.js';
import { seriesId } from '../../../src/store/sample-store.js';

// The scrape source parses a series' text once and reuses it on later scrapes (only values are
// parsed again). Whatever the bodies, each scrape's points must be what a fresh parse gives, with
// the store's ids, and the ended series those of the previous scrape that this one lacks.

/** Series texts as targets write them: spaces, escapes, a `}` or a space inside a value, a `source` label, no labels at all. */
const seriesText = fc.constantFrom(
  'up',
  'a_total{code="200"}',
  'a_total{code="500"}',
  'a_total{ code = "500" }',
  'a_total{code="500",}',
  'b{x="q} 5"}',
  'b{x="a b"}',
  'b{x="a\\"b",y="\\\\"}',
  'c{source="other",le="+Inf"}',
  'c{le="+Inf",source="other"}',
  'd:rate5m{path="/x y"}',
);
const value = fc.constantFrom('1', '0.5', '-2', '+Inf', 'NaN', '1e3', '7');
const line = fc
  .tuple(seriesText, fc.constantFrom(' ', '  ', '\t'), value, fc.option(fc.constantFrom(' 1700000000000', '\t1700000000001'), { nil: '' }))
  .map(([s, ws, v, ts]) => `${s}${ws}${v}${ts}`);
const body = fc
  .array(fc.oneof(line, line, fc.constant('# TYPE a_total counter'), fc.constant('')), { maxLength: 12 })
  .map((ls) => ls.join('\n'));

/** The source as it was: ended = ids of the previous scrape missing from this one. */
function endedByIds(previous: Map<string, { metric: string; labels: Labels }>, points: ReturnType<typeof expositionToPoints>) {
  const current = new Map<string, { metric: string; labels: Labels }>();
  for (const p of points) current.set(seriesId(p.metric, p.labels), { metric: p.metric, labels: p.labels });
  return { current, ended: [...previous].filter(([id]) => !current.has(id)).map(([, s]) => s) };
}

describe('ScrapeSource: series parsed once', () => {
  it('gives every scrape the points and ended series a fresh parse gives', () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 8 }), (bodies) => {
        const source = new ScrapeSource('svc', { url: 'http://127.0.0.1:1/metrics', timeout: 1000 });
        let previous = new Map<string, { metric: string; labels: Labels }>();
        bodies.forEach((text, i) => {
          const got = source.pointsOf(text, 1000 + i);
          const want = expositionToPoints('svc', text, 1000 + i);
          expect(got.points.map(({ id: _, ...p }) => p)).toEqual(want);
          for (const p of got.points) expect(p.id).toBe(seriesId(p.metric, p.labels));
          const byIds = endedByIds(previous, want);
          previous = byIds.current;
          // In any order: the runner marks each one ended.
          const byId = (list: ReadonlyArray<{ metric: string; labels: Labels }>) => list.map((e) => seriesId(e.metric, e.labels)).sort();
          expect(byId(got.ended ?? [])).toEqual(byId(byIds.ended));
        });
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });

  it('a known series text reads the same samples as the plain parser', () => {
    fc.assert(
      fc.property(body, body, (first, second) => {
        const known = new Map(parseExposition(first).samples.map((s) => [s.series, { name: s.name, labels: s.labels }]));
        expect(parseExposition(second, (s) => known.get(s))).toEqual(parseExposition(second));
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });
});
