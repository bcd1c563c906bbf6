import { describe, expect, it } from 'vitest';
import { convertDocuments, convertFile, parseDocuments } from '../../../src/config/import/index.js';
import { windowed } from '../../../src/config/import/openslo.js';
import { loadSloPaths } from '../../../src/config/load-slo.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { isAlertingRule, type RecordingRule } from '../../../src/generate/rule-model.js';
import { serviceRules } from '../../../src/generate/service-rules.js';
import { ROOT, shippedOptions } from '../generate/fixtures.js';

const EXAMPLE = `${ROOT}test/fixtures/openslo/web-availability.yaml`;

describe('OpenSLO v1', () => {
  it('converts a Service + SLI + SLO file (multi-document) to one vigil file per service', async () => {
    const result = await convertFile(EXAMPLE, 'web.yaml');
    expect(result.issues).toEqual([]);
    expect(result.services.map((s) => s.service)).toEqual(['web-shop']);
    const slo = sloFileSchema.parse(result.services[0]!.slo);
    expect(slo.description).toBe('The public web shop frontend');
    expect(slo.objectives.map((o) => o.name)).toEqual(['web-availability', 'web-latency']);
    const [availability, latency] = slo.objectives;
    expect(availability!.indicator).toEqual({
      ratio: {
        source: 'default',
        good: 'sum(rate(http_requests_total{service="web",code!~"5.."}[{{window}}]))',
        total: 'sum(rate(http_requests_total{service="web"}[{{window}}]))',
      },
    });
    expect(availability!.target).toBe(0.995);
    expect(availability!.period).toBe(28 * 86_400_000);
    expect(latency!.threshold!.max).toEqual({ value: 0.25, unit: 'number' });
    expect(latency!.target).toBe(0.95);
    expect(latency!.window).toBe(60_000);
    expect(latency!.period).toBe(7 * 86_400_000);
  });

  it('generates rules with the meaning OpenSLO gives it: 1 - good/total, 28-day budget, lte bound', async () => {
    const result = await convertFile(EXAMPLE, 'web.yaml');
    const slo = sloFileSchema.parse(result.services[0]!.slo);
    const rules = serviceRules(slo, await shippedOptions()).file.groups.flatMap((g) => g.rules);
    const r1h = rules.find(
      (r): r is RecordingRule =>
        !isAlertingRule(r) && r.record === 'slo:sli_error:ratio_rate1h' && r.labels.objective === 'web-availability',
    )!;
    expect(r1h.expr).toBe(
      '1 - ((sum(rate(http_requests_total{service="web",code!~"5.."}[1h])) or vector(0))\n/\nsum(rate(http_requests_total{service="web"}[1h])))',
    );
    expect(rules.some((r) => !isAlertingRule(r) && r.record === 'slo:sli_error:ratio_rate28d')).toBe(true);
    const burn = rules
      .filter(isAlertingRule)
      .filter((a) => a.alert === 'VigilErrorBudgetBurn' && a.labels.objective === 'web-availability');
    // The workbook's budget shares over 28 days: 13.44, 5.6, 2.8, 0.933 times the 0.5% budget.
    expect(burn.map((a) => a.expr.match(/> \((\S+) \* (\S+)\)/)!.slice(1))).toEqual([
      ['13.44', '0.005'],
      ['5.6', '0.005'],
      ['2.8', '0.005'],
      ['0.9333333333', '0.005'],
    ]);
    // Timeslices: 95% of 1-minute slices good over 7 days; the budget is 5% of the slices.
    const slices = rules.filter(isAlertingRule).filter((a) => a.alert === 'VigilErrorBudgetBurn' && a.labels.objective === 'web-latency');
    expect(slices.map((a) => a.expr.match(/> \((\S+) \* (\S+)\)/)!.slice(1))).toEqual([
      // A 7-day period takes the 7-day set (the 30-day shares would give 3.36, 1.4, 0.7, 0.233).
      ['13.44', '0.05'],
      ['3.5', '0.05'],
      ['1.4', '0.05'],
      ['0.98', '0.05'],
    ]);
    const lat = rules.filter(isAlertingRule).find((a) => a.labels.objective === 'web-latency' && a.alert !== 'VigilErrorBudgetBurn')!;
    expect(lat.alert).toBe('VigilPromqlHigh');
    expect(lat.expr).toBe('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="web"}[5m]))) > 0.25');
  });

  it('a single SLO document is accepted by the loader like a vigil file', async () => {
    const loaded = await loadSloPaths([`${ROOT}test/fixtures/openslo/inline-slo.yaml`]);
    expect(loaded.issues).toEqual([]);
    const o = loaded.files[0]!.slo.objectives[0]!;
    expect(loaded.files[0]!.slo.service).toBe('search');
    expect(o.indicator).toEqual({
      ratio: {
        source: 'default',
        errors: 'sum(rate(search_requests_total{outcome="error"}[{{window}}]))',
        total: 'sum(rate(search_requests_total[{{window}}]))',
      },
    });
    expect(o.target).toBe(0.999);
  });

  it('reports mistakes with file, line and column in the document they are in', async () => {
    const result = await convertFile(`${ROOT}test/fixtures/openslo/invalid.yaml`, 'invalid.yaml');
    expect(result.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      'invalid.yaml:12:15 spec.objectives[0].target: document 1/2: expected a target below 1 (1 leaves no error budget)',
      'invalid.yaml:26:17 spec.indicator.spec.thresholdMetric.metricSource.type: document 2/2: vigil reads Prometheus metric sources only, got "Datadog"',
    ]);
  });

  it('names a missing SLI reference and a calendar-month window', () => {
    const text = [
      'apiVersion: openslo/v1',
      'kind: SLO',
      'metadata: { name: s }',
      'spec:',
      '  service: svc',
      '  indicatorRef: nope',
      '  timeWindow: [{ duration: 1M, isRolling: true }]',
      '  objectives: [{ target: 0.99 }]',
      '---',
      'apiVersion: openslo/v1',
      'kind: SLO',
      'metadata: { name: t }',
      'spec:',
      '  service: svc',
      '  indicator: { metadata: { name: i }, spec: { ratioMetric: { total: { metricSource: { type: Prometheus, spec: { query: x } } } } } }',
      '  timeWindow: [{ duration: 1M, isRolling: true }]',
      '  objectives: [{ target: 0.99 }]',
    ].join('\n');
    const { sources } = parseDocuments(text, 'o.yaml');
    const result = convertDocuments(sources, 'o.yaml');
    expect(result.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      '6:17 spec.indicatorRef: document 1/2: no SLI named "nope" in this file (put the SLI document in the same file, or the indicator inline)',
      '16:28 spec.timeWindow[0].duration: document 2/2: expected a duration in m, h, d or w (months, quarters and years vary in length), got "1M"',
      '15:47 spec.indicator.spec.ratioMetric.good: document 2/2: expected exactly one of good or bad beside total',
    ]);
  });

  it('turns counters and gauges into per-second values over {{window}}', () => {
    expect(windowed('http_requests_total{code="200"}', true)).toBe('sum(rate(http_requests_total{code="200"}[{{window}}]))');
    expect(windowed('sum(http_requests_total)', true)).toBe('sum(rate((sum(http_requests_total))[{{window}}:]))');
    expect(windowed('queue_ok', false)).toBe('sum(avg_over_time(queue_ok[{{window}}]))');
    expect(windowed('sum(rate(x[{{ .window }}]))', true)).toBe('sum(rate(x[{{window}}]))');
  });
});

// Issue 12 item 13: a query that already is a rate was wrapped in rate() again (every ratio NaN,
// nothing ever alerted, not a word said). Every range-vector rate function, on every side.
describe('OpenSLO ratio queries that already are rates', () => {
  const sli = (counter: string, good: string, total: string) =>
    [
      'apiVersion: openslo/v1',
      'kind: SLO',
      'metadata: { name: avail }',
      'spec:',
      '  service: svc',
      '  indicator:',
      '    metadata: { name: i }',
      '    spec:',
      '      ratioMetric:',
      ...(counter === '' ? [] : [`        counter: ${counter}`]),
      `        good: { metricSource: { type: Prometheus, spec: { query: '${good}' } } }`,
      `        total: { metricSource: { type: Prometheus, spec: { query: '${total}' } } }`,
      '  timeWindow: [{ duration: 30d, isRolling: true }]',
      '  objectives: [{ target: 0.99 }]',
    ].join('\n');
  const convert = (text: string) => convertDocuments(parseDocuments(text, 'o.yaml').sources, 'o.yaml');
  const FUNCTIONS = ['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv'];
  const shapes = (fn: string) => [`sum(${fn}(ok_total[5m]))`, `${fn}(ok_total[1m])`, `sum by (route) (${fn}(ok_total{a="b"}[5m]))`];

  it.each(FUNCTIONS)('refuses %s(...) with counter: true, at the query, saying why', (fn) => {
    for (const query of shapes(fn)) {
      for (const [good, total, line] of [
        [query, 'all_total', 11],
        ['ok_total', query, 12],
      ] as const) {
        const result = convert(sli('true', good, total));
        expect(result.services).toEqual([]);
        expect(result.issues).toHaveLength(1);
        expect(result.issues[0]).toMatchObject({ line, code: 'VIGIL_ERR_CONFIG_IMPORT' });
        expect(result.issues[0]!.path).toMatch(/ratioMetric\.(good|total)\.metricSource\.spec\.query$/);
        expect(result.issues[0]!.message).toContain(`already a rate (${fn}(...)) but counter is true`);
      }
    }
  });

  it.each(FUNCTIONS)('reads %s(...) as the rate it is when counter is left out, and warns', (fn) => {
    for (const query of shapes(fn)) {
      const result = convert(sli('', query, 'all_total'));
      expect(result.issues).toEqual([]);
      const ratio = (result.services[0]!.slo as { objectives: Array<{ indicator: { ratio: Record<string, string> } }> }).objectives[0]!
        .indicator.ratio;
      expect(ratio.good).toBe(`sum(avg_over_time((${query})[{{window}}:]))`);
      expect(ratio.total).toBe('sum(rate(all_total[{{window}}]))');
      expect(result.warnings).toEqual([
        expect.stringMatching(
          new RegExp(`^o\\.yaml:10:\\d+ .*good\\.metricSource\\.spec\\.query: the query is already a rate \\(${fn}\\(\\.\\.\\.\\)\\)`),
        ),
      ]);
    }
  });

  it('leaves counters, counter: false and {{window}} queries as they were', () => {
    expect(convert(sli('true', 'ok_total', 'all_total')).warnings).toEqual([]);
    expect(convert(sli('false', 'sum(rate(ok_total[5m]))', 'sum(rate(all_total[5m]))')).issues).toEqual([]);
    const windowedRate = convert(sli('true', 'sum(rate(ok_total[{{window}}]))', 'sum(rate(all_total[{{window}}]))'));
    expect([windowedRate.issues, windowedRate.warnings]).toEqual([[], []]);
  });
});

// Issue 12 item 16: the Timeslices warning pointed at objectives[i].budgetingMethod (the field is
// spec.budgetingMethod), and timeSliceTarget was taken for the objective's target or dropped.
describe('OpenSLO budgeting methods and time slices', () => {
  const doc = (method: string, metric: 'ratio' | 'threshold', objective: string) =>
    [
      'apiVersion: openslo/v1',
      'kind: SLO',
      'metadata: { name: s }',
      'spec:',
      '  service: svc',
      '  indicator:',
      '    metadata: { name: i }',
      '    spec:',
      metric === 'ratio'
        ? '      ratioMetric: { good: { metricSource: { type: Prometheus, spec: { query: ok_total } } }, total: { metricSource: { type: Prometheus, spec: { query: all_total } } } }'
        : "      thresholdMetric: { metricSource: { type: Prometheus, spec: { query: 'max(queue_depth)' } } }",
      '  timeWindow: [{ duration: 7d, isRolling: true }]',
      `  budgetingMethod: ${method}`,
      `  objectives: [${objective}]`,
    ].join('\n');
  const convert = (text: string) => convertDocuments(parseDocuments(text, 'o.yaml').sources, 'o.yaml');
  const objectiveOf = (text: string) => {
    const result = convert(text);
    expect(result.issues).toEqual([]);
    return { objective: sloFileSchema.parse(result.services[0]!.slo).objectives[0]!, warnings: result.warnings };
  };

  it('a ratio metric counted in time slices becomes a threshold on the good ratio with the share of good slices as target', () => {
    const { objective, warnings } = objectiveOf(doc('Timeslices', 'ratio', '{ target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 1m }'));
    expect(objective.indicator).toEqual({
      promql: { source: 'default', query: '(sum(rate(ok_total[{{window}}]))) / (sum(rate(all_total[{{window}}])))' },
    });
    expect(objective.threshold).toEqual({ min: { value: 0.95, unit: 'number' } });
    expect([objective.target, objective.window, objective.period]).toEqual([0.99, 60_000, 7 * 86_400_000]);
    expect(warnings).toEqual([]);
  });

  it.each([
    [
      'Timeslices',
      'ratio',
      '{ target: 0.99 }',
      [
        '11:20 spec.budgetingMethod: Timeslices on a ratio metric is evaluated as Occurrences (events, not time slices): there is no timeSliceTarget saying when a slice is good',
      ],
    ],
    [
      'RatioTimeslices',
      'ratio',
      '{ target: 0.99, timeSliceTarget: 0.9 }',
      [
        '11:20 spec.budgetingMethod: RatioTimeslices on a ratio metric is evaluated as Occurrences (events, not time slices): vigil has no average of slice ratios',
        '12:49 spec.objectives[0].timeSliceTarget: dropped: with RatioTimeslices the objective counts events, not slices',
      ],
    ],
    [
      'Occurrences',
      'ratio',
      '{ target: 0.99, timeSliceTarget: 0.9 }',
      ['12:49 spec.objectives[0].timeSliceTarget: dropped: with Occurrences the objective counts events, not slices'],
    ],
    [
      'Occurrences',
      'threshold',
      '{ op: lte, value: 100, target: 0.99 }',
      ['11:20 spec.budgetingMethod: Occurrences on a threshold metric with a target is evaluated as Timeslices (good slices)'],
    ],
    [
      'Timeslices',
      'threshold',
      '{ op: lte, value: 100, target: 0.99, timeSliceTarget: 0.9 }',
      ['12:70 spec.objectives[0].timeSliceTarget: dropped: a slice of a threshold metric is good when the value is within the bound'],
    ],
  ])('%s with a %s metric %s: warns at the field concerned', (method, metric, objective, expected) => {
    const { warnings } = objectiveOf(doc(method, metric as 'ratio' | 'threshold', objective));
    expect(warnings.map((w) => w.replace(/^o\.yaml:/, ''))).toEqual(expected);
  });

  it('never takes timeSliceTarget for the target', () => {
    const result = convert(doc('Occurrences', 'ratio', '{ timeSliceTarget: 0.9 }'));
    expect(result.issues.map((i) => i.message)).toEqual(['expected a target (a ratio objective needs one)']);
  });
});

describe('validateSloSources (the loader reading every document of a file)', () => {
  it('turns a Service + SLI + SLO file into one vigil service, and keeps a vigil file to one document', async () => {
    const { validateSloSources } = await import('../../../src/config/load-slo.js');
    const { readFileSync } = await import('node:fs');
    const { sources } = parseDocuments(readFileSync(EXAMPLE, 'utf8'), 'web.yaml');
    const result = validateSloSources(sources);
    expect(result.issues).toEqual([]);
    expect(result.loaded.map((l) => l.slo.service)).toEqual(['web-shop']);
    const mixed = parseDocuments(`apiVersion: vigil/v1\nkind: ServiceLevels\n---\n${readFileSync(EXAMPLE, 'utf8')}`, 'v.yaml');
    expect(validateSloSources(mixed.sources).issues.map((i) => i.code)).toEqual(['VIGIL_ERR_CONFIG_MULTI_DOCUMENT']);
  });
});
