import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertDocuments, convertFile, parseDocuments } from '../../../src/config/import/index.js';
import { ROOT } from '../generate/fixtures.js';

/**
 * Issue 15 item 6: a key OpenSLO does not define (a typo, mostly) is a warning at the key, with
 * the nearest key the specification defines at that level; vigil still reads the rest.
 */

const convert = (text: string) => convertDocuments(parseDocuments(text, 'o.yaml').sources, 'o.yaml');

/** `line:col path` and the suggestion of each unknown-key warning. */
const unknownKeys = (warnings: readonly string[]) =>
  warnings
    .filter((w) => w.includes(' defines no '))
    .map((w) => {
      const [, at, path, hint] = /^o\.yaml:(\d+:\d+) (\S+): .*?(?:did you mean "(\w+)"\?)?$/.exec(w)!;
      return `${at} ${path} -> ${hint ?? '-'}`;
    });

const V1 = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
  dispalyName: Checkout
spec:
  service: shop
  budgetMethod: Timeslices
  indicator:
    metadata: { name: checkout-ok }
    spec:
      ratioMetric:
        countr: true
        good: { metricSource: { type: Prometheus, spec: { query: ok_total }, metricSourceRf: prom } }
        total: { metricSource: { type: Prometheus, spec: { query: all_total, anything: [1] } } }
  timeWindow:
    - duration: 30d
      isRoling: true
  objectives:
    - target: 0.99
      timeSliceWindw: 1m
`;

describe('OpenSLO keys the specification does not define', () => {
  it('v1: a typo at each level is a warning at the key with the key it resembles', () => {
    const result = convert(V1);
    expect(result.issues).toEqual([]);
    expect(result.services.map((s) => s.service)).toEqual(['shop']);
    expect(unknownKeys(result.warnings)).toEqual([
      '5:3 metadata.dispalyName -> displayName',
      '8:3 spec.budgetMethod -> budgetingMethod',
      '13:9 spec.indicator.spec.ratioMetric.countr -> counter',
      '14:78 spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRf -> metricSourceRef',
      '18:7 spec.timeWindow[0].isRoling -> isRolling',
      '21:7 spec.objectives[0].timeSliceWindw -> timeSliceWindow',
    ]);
    expect(result.warnings.find((w) => w.includes('budgetMethod'))).toContain('key ignored: OpenSLO v1 defines no "budgetMethod" here');
  });

  it('a key like no defined one gets no suggestion; free-form levels (metricSource.spec, labels) are not checked', () => {
    const result = convert(`apiVersion: openslo/v1
kind: Service
metadata: { name: shop, labels: { team: [a, b] }, annotations: { x/y: z } }
spec: { description: d, owner: someone }
tier: gold
`);
    expect(unknownKeys(result.warnings)).toEqual(['4:25 spec.owner -> -', '5:1 tier -> -']);
  });

  it('every kind of the table is checked, including the kinds vigil ignores', () => {
    const result = convert(`apiVersion: openslo/v1
kind: AlertCondition
metadata: { name: fast-burn }
spec:
  severity: page
  condition: { kind: burnrate, op: gte, threshold: 2, lookbackWindow: 1h, alertAfer: 5m }
`);
    expect(unknownKeys(result.warnings)).toEqual(['6:75 spec.condition.alertAfer -> alertAfter']);
  });

  it('v1alpha: the warning points at the key as written in the v1alpha file, and the key is not read', () => {
    const result = convert(`apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: x
spec:
  service: web
  budgetingMethd: Occurrences
  objectives:
    - ratioMetrics:
        incremental: true
        good: { source: prometheus, queryType: promql, qurey: a, query: "sum(rate(ok_total[{{.window}}]))" }
        total: { source: prometheus, queryType: promql, query: "sum(rate(all_total[{{.window}}]))" }
      targt: 0.5
      target: 0.99
      timeSliceWindow: 1m
  timeWindows:
    - count: 28
      unit: Day
      isrolling: true
`);
    expect(result.issues).toEqual([]);
    expect(unknownKeys(result.warnings)).toEqual([
      '7:3 spec.budgetingMethd -> budgetingMethod',
      '11:56 spec.objectives[0].ratioMetrics.good.qurey -> query',
      '13:7 spec.objectives[0].targt -> target',
      '15:7 spec.objectives[0].timeSliceWindow -> -',
      '19:7 spec.timeWindows[0].isrolling -> isRolling',
    ]);
    // timeSliceWindow is v1's, not v1alpha's: warned as ignored, so it must not become a window.
    const objective = (result.services[0]!.slo.objectives as Record<string, unknown>[])[0]!;
    expect(objective.window).toBeUndefined();
    expect(objective.target).toBe(0.99);
  });

  it.each([
    'test/fixtures/openslo/web-availability.yaml',
    'test/fixtures/openslo/inline-slo.yaml',
    'test/fixtures/sloth/parity/openslo-v1alpha.yaml',
    'test/fixtures/sloth/parity/openslo-v1alpha-multi.yaml',
  ])('a valid document (%s) gives no unknown-key warning', async (fixture) => {
    const result = await convertFile(`${ROOT}${fixture}`, 'o.yaml');
    expect(result.issues).toEqual([]);
    expect(result.services.length).toBeGreaterThan(0);
    expect(result.warnings.filter((w) => w.includes(' defines no '))).toEqual([]);
  });

  it('a v1 document with every key the specification defines gives no unknown-key warning', () => {
    const result = convert(`${readFileSync(`${ROOT}test/fixtures/openslo/inline-slo.yaml`, 'utf8')}
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: every-key, displayName: E, labels: { a: b }, annotations: { c: d } }
spec:
  description: all of them
  service: search
  indicatorRef: search-sli
  alertPolicies: [{ kind: AlertPolicy }]
  timeWindow: [{ duration: 28d, isRolling: false, calendar: { startTime: "2026-01-01 00:00:00", timeZone: UTC } }]
  budgetingMethod: Timeslices
  objectives:
    - { displayName: o, op: lte, value: 1, target: 0.9, timeSliceTarget: 0.9, timeSliceWindow: 1m, compositeWeight: 1 }
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: search-sli }
spec:
  description: d
  thresholdMetric: { metricSource: { metricSourceRef: p, type: Prometheus, spec: { query: up } } }
`);
    expect(result.issues).toEqual([]);
    expect(result.warnings.filter((w) => w.includes(' defines no '))).toEqual([]);
  });
});

describe('two documents of one file converted to the same service', () => {
  const sloth = (slo: string) => `version: prometheus/v1
service: web
slos:
  - name: ${slo}
    objective: 99
    sli: { events: { error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))' } }
    alerting: { page_alert: { disable: true }, ticket_alert: { disable: true } }
`;

  it('is a positioned duplicate-service error at the second document (convert would write web.yaml twice)', () => {
    const result = convert(`${sloth('a')}---\n${sloth('b')}`);
    expect(result.issues).toEqual([
      expect.objectContaining({
        line: 10,
        column: 10,
        path: 'service',
        code: 'VIGIL_ERR_CONFIG_DUPLICATE_SERVICE',
        message: expect.stringMatching(/^document 2\/2: service "web" is also converted from document 1\/2/),
      }),
    ]);
  });

  it('OpenSLO SLOs naming one service stay one service (the format refers to a service by name)', () => {
    const slo = (name: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: web
  indicator: { metadata: { name: i }, spec: { thresholdMetric: { metricSource: { type: Prometheus, spec: { query: up } } } } }
  objectives: [{ op: gte, value: 1 }]
`;
    const result = convert(`${slo('a')}---\n${slo('b')}`);
    expect(result.issues).toEqual([]);
    expect(result.services.map((s) => s.service)).toEqual(['web']);
  });

  it('a Sloth document and an OpenSLO one of the same service in one file are the same error', () => {
    const result = convert(`${sloth('a')}---
apiVersion: openslo/v1
kind: SLO
metadata: { name: b }
spec:
  service: web
  indicator: { metadata: { name: i }, spec: { thresholdMetric: { metricSource: { type: Prometheus, spec: { query: up } } } } }
  objectives: [{ op: gte, value: 1 }]
`);
    expect(result.issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.code}`)).toEqual([
      '13:12 spec.service VIGIL_ERR_CONFIG_DUPLICATE_SERVICE',
    ]);
  });
});
