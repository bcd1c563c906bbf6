import { describe, expect, it } from 'vitest';
import { parseMeasurement } from '../../../src/compare/baseline-file.js';
import type { Figure } from '../../../src/compare/baseline-schema.js';
import { compareFiles, incompatibility, verdictFor } from '../../../src/compare/compare.js';
import { comparisonJson, comparisonTable } from '../../../src/compare/compare-report.js';
import { seededRandom } from '../../../src/compare/random.js';
import { measurementOf, syntheticRun, verdictRates } from '../../support/synthetic-measurements.js';

const options = { confidence: 0.95, replicates: 400, seed: 1 };

describe('verdict rule', () => {
  const change = (before: number, after: number, low: number, high: number) => ({ before, after, low, high });
  it('needs the interval clear of 0 and the point change beyond the tolerance', () => {
    expect(verdictFor(change(10, 12, 1, 3), 'lower', 0.05)).toBe('regressed');
    expect(verdictFor(change(10, 12, 1, 3), 'higher', 0.05)).toBe('improved');
    expect(verdictFor(change(10, 8, -3, -1), 'lower', 0.05)).toBe('improved');
    // Significant but within tolerance: a 3 % drift with much data.
    expect(verdictFor(change(10, 10.3, 0.1, 0.5), 'lower', 0.05)).toBe('no significant change');
    // Large but noisy.
    expect(verdictFor(change(10, 15, -1, 11), 'lower', 0.05)).toBe('no significant change');
    // From nothing to something is beyond any tolerance (an error ratio of 0 that became 2 %).
    expect(verdictFor(change(0, 0.02, 0.01, 0.03), 'lower', 0.05)).toBe('regressed');
  });
});

describe('compareFiles', () => {
  it('refuses files of different services or kinds', () => {
    const a = measurementOf([], 'ml-services');
    expect(incompatibility(a, measurementOf([], 'other'))).toEqual(['the files measure different services: "ml-services" and "other"']);
    expect(incompatibility(a, { ...a, kind: 'loadtest' })[0]).toMatch(/different kinds: baseline and loadtest/);
    expect(incompatibility(a, a)).toEqual([]);
  });

  it('reports figures present on one side only, and data of different kinds, as not comparable', () => {
    const run = syntheticRun(seededRandom(1), 200, 1);
    const [raw, hist] = run.figures as [Figure, Figure];
    const mixed = { ...raw, data: hist.data, value: hist.value };
    const result = compareFiles(measurementOf([raw, hist]), measurementOf([mixed]), options);
    expect(result.figures.map((f) => [f.name, f.verdict, f.reason])).toEqual([
      ['decide.raw_p95', 'not comparable', 'the data are of different kinds (samples before, histogram after)'],
      ['decide.histogram_p95', 'not comparable', 'only in the before file'],
    ]);
    expect(result.regressed).toBe(false);
  });

  it('claims no interval for a quantile with fewer than 5 observations beyond it', () => {
    const small = syntheticRun(seededRandom(3), 60, 1);
    const result = compareFiles(small, syntheticRun(seededRandom(4), 60, 2), options);
    expect(result.figures.map((f) => [f.verdict, f.reason])).toEqual([
      ['not comparable', '60 values are too few for a p95 interval (needs 100)'],
      ['not comparable', '60 observations are too few for a p95 interval (needs 100)'],
    ]);
  });

  it('prints a table and snake_case JSON', () => {
    const random = seededRandom(2);
    const result = compareFiles(syntheticRun(random, 2000, 1), syntheticRun(random, 2000, 1.3), options);
    const table = comparisonTable(result);
    expect(table).toMatch(/decide\.raw_p95 +\d+(\.\d+)?ms +\d+(\.\d+)?ms +\+\d+(\.\d+)?% +\[\+\d/);
    expect(table).toMatch(/REGRESSED: decide\.raw_p95, decide\.histogram_p95$/);
    const json = comparisonJson(result) as { figures: Array<Record<string, unknown>> };
    expect(Object.keys(json.figures[0]!)).toContain('change_ratio');
    expect(Object.keys(json.figures[0]!)).toContain('interval_low');
    expect(json.figures.every((f) => f.verdict === 'regressed')).toBe(true);
  });
});

describe('false alarms and power over seeded synthetic runs', () => {
  // 40 seeded runs each way keep this a few seconds (results are deterministic: same seeds, same
  // verdicts); `npm run bench:compare` runs 500 with 2000 resamples. CPU-bound, hence the timeout
  // for a loaded machine.
  it('A/A: no regression called in at least 95 % of runs; a planted 20 % P95 regression called in at least 95 %', {
    timeout: 180_000,
  }, () => {
    const fast = { ...options, replicates: 300 };
    const aa = verdictRates(40, 1200, 1, fast);
    expect(aa.anyRegressed / aa.runs).toBeLessThanOrEqual(0.05);
    const planted = verdictRates(40, 1200, 1.2, fast, 2);
    for (const counts of Object.values(planted.byFigure)) expect(counts.regressed / planted.runs).toBeGreaterThanOrEqual(0.95);
  });
});

describe('measurement file', () => {
  const good = () => JSON.stringify(syntheticRun(seededRandom(5), 20, 1), null, 1);
  const read = (text: string) => parseMeasurement(new TextEncoder().encode(text), 'before.json');

  it('reads back what was written', () => {
    const r = read(good());
    expect(r.ok).toBe(true);
  });

  it('a truncated file is an error at the end of the text', () => {
    const text = good();
    const cut = text.slice(0, Math.floor(text.length / 2));
    const r = read(cut);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = cut.split('\n');
    expect(r.issues[0]).toMatchObject({
      code: 'VIGIL_ERR_MEASUREMENT_SYNTAX',
      line: lines.length,
      message: 'ends before the JSON is complete (a truncated file?)',
    });
  });

  it('a hand-edited value is an error at that value', () => {
    const file = JSON.parse(good());
    file.figures[1].value = 0.001;
    const text = JSON.stringify(file, null, 1);
    const r = read(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const line = text.split('\n').findIndex((l) => l.includes('"value": 0.001')) + 1;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'VIGIL_ERR_MEASUREMENT_EDITED', line, path: 'figures[1].value' });
    expect(r.issues[0]!.message).toMatch(/does not match its data/);
  });

  it('a schema error points at the field; another version is refused', () => {
    const file = JSON.parse(good());
    file.figures[0].better = 'sideways';
    const text = JSON.stringify(file, null, 1);
    const r = read(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ path: 'figures[0].better', line: text.split('\n').findIndex((l) => l.includes('sideways')) + 1 });

    const v2 = read(JSON.stringify({ ...JSON.parse(good()), version: 2 }));
    expect(v2.ok).toBe(false);
    if (!v2.ok) expect(v2.issues[0]!.message).toMatch(/version 2; this vigil reads version 1/);
    const other = read('{"hello": 1}');
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.issues[0]!.message).toMatch(/is not a vigil measurement/);
  });
});
