import { describe, expect, it } from 'vitest';
import { convertDocuments, parseDocuments } from '../../../src/config/import/index.js';
import { formatIssue } from '../../../src/config/load-config.js';
import { loadSloPaths } from '../../../src/config/load-slo.js';
import { isAlertingRule } from '../../../src/generate/rule-model.js';
import { serviceRules } from '../../../src/generate/service-rules.js';
import { ROOT, shippedOptions } from '../generate/fixtures.js';

/**
 * Sloth parity: every example spec and "good" validation fixture in Sloth's repository that
 * uses no plugin, as our own files of the same shapes (test/fixtures/sloth/parity/, written for
 * vigil; Sloth's files as of github.com/slok/sloth 0e395d8 were listed to find the shapes):
 *
 * | Sloth file (examples/, test/.../validate/good/)      | our file                        |
 * |------------------------------------------------------|---------------------------------|
 * | getting-started.yml                                  | ../getting-started.yaml         |
 * | home-wifi.yml                                        | events-subquery.yaml            |
 * | kubernetes-apiserver.yml                             | multiline-runbook.yaml          |
 * | no-alerts.yml                                        | no-alerts.yaml                  |
 * | raw-home-wifi.yml                                    | raw-multiline.yaml              |
 * | multifile.yml, good-multi.yaml                       | multi-document.yaml             |
 * | k8s-getting-started.yml                              | ../kubernetes-form.yaml         |
 * | k8s-home-wifi.yml, good-k8s.yaml                     | k8s-raw-disabled.yaml           |
 * | k8s-multifile.yml, good-multi-k8s.yaml               | k8s-multi-document.yaml         |
 * | good-aa.yaml, good-ab.yaml, good-ba.yaml (identical) | camel-keys-file-form.yaml       |
 * | openslo-getting-started.yml, good-openslo.yaml       | openslo-v1alpha.yaml            |
 * | openslo-kubernetes-apiserver.yml                     | openslo-v1alpha-multi.yaml      |
 *
 * Left out because they use plugins (refused with a positioned message, ../plugins.yaml):
 * plugin-getting-started, plugin-k8s-getting-started (SLI plugin), slo-plugin-getting-started,
 * slo-plugin-k8s-getting-started, contrib-slo-plugins, contrib-denominator-corrected and
 * victoria-metrics (SLO plugins). examples/windows/*.yaml are AlertWindows, not SLO specs.
 * test/functional/rules-prometheus.test.ts runs `promtool check rules` on the rules of all of them.
 */

const PARITY = `${ROOT}test/fixtures/sloth/parity`;

describe('Sloth parity: the shapes of Sloth examples and good fixtures load', () => {
  it('every file loads with no issue, one vigil service per Sloth document', async () => {
    const result = await loadSloPaths([
      PARITY,
      `${ROOT}test/fixtures/sloth/getting-started.yaml`,
      `${ROOT}test/fixtures/sloth/kubernetes-form.yaml`,
    ]);
    expect(result.issues.map(formatIssue)).toEqual([]);
    const byFile = result.files.map((f) => [f.path.split('/').pop(), f.slo.service, f.slo.objectives.map((o) => o.name)]);
    expect(byFile).toEqual([
      ['camel-keys-file-form.yaml', 'ledger', ['posting-availability', 'posting-error-ratio']],
      ['events-subquery.yaml', 'office-printers', ['printer-queue-healthy', 'printer-queue-stuck']],
      ['k8s-multi-document.yaml', 'search-frontend', ['query-availability']],
      ['k8s-multi-document.yaml', 'search-indexer', ['index-availability', 'index-error-ratio']],
      ['k8s-raw-disabled.yaml', 'ledger-k8s', ['reconcile-healthy', 'reconcile-error-ratio']],
      ['multi-document.yaml', 'billing-api', ['invoice-availability']],
      ['multi-document.yaml', 'billing-worker', ['job-availability', 'job-error-ratio']],
      ['multiline-runbook.yaml', 'object-store', ['put-availability', 'get-latency']],
      ['no-alerts.yaml', 'report-builder', ['render-availability']],
      ['openslo-v1alpha-multi.yaml', 'api-gateway', ['gateway-availability', 'gateway-latency-1', 'gateway-latency-2']],
      ['openslo-v1alpha.yaml', 'checkout', ['checkout-availability']],
      ['raw-multiline.yaml', 'voice-calls', ['call-quality']],
      ['getting-started.yaml', 'myservice', ['requests-availability']],
      ['kubernetes-form.yaml', 'storefront', ['requests-availability', 'payment-errors']],
    ]);
    // Every file generates rules (promtool checks them in the functional suite).
    const options = await shippedOptions();
    for (const f of result.files) expect(serviceRules(f.slo, options).file.groups.length).toBeGreaterThan(0);
  });

  it('label values YAML types as numbers and booleans are read as the strings Sloth makes', async () => {
    const { files } = await loadSloPaths([`${PARITY}/multi-document.yaml`, `${PARITY}/events-subquery.yaml`]);
    expect(files.map((f) => f.slo.labels)).toEqual([
      { owner: 'billing', tier: '1' },
      { owner: 'billing', tier: '2' },
      { site: 'lisbon', floor: '3' },
    ]);
  });

  it('alerts as Sloth sets them: both disabled, the runbook annotation kept', async () => {
    const { files } = await loadSloPaths([
      `${PARITY}/no-alerts.yaml`,
      `${PARITY}/multiline-runbook.yaml`,
      `${PARITY}/k8s-raw-disabled.yaml`,
    ]);
    const alerts = files.flatMap((f) => f.slo.objectives.map((o) => [o.name, o.alert.disabled === true, o.alert.runbookUrl]));
    expect(alerts).toEqual([
      ['render-availability', true, undefined],
      ['put-availability', false, 'https://runbooks.example.com/store#put-errors'],
      ['get-latency', false, 'https://runbooks.example.com/store#get-latency'],
      ['reconcile-healthy', false, undefined],
      ['reconcile-error-ratio', true, undefined],
    ]);
    const rules = serviceRules(files[0]!.slo, await shippedOptions()).file.groups.flatMap((g) => g.rules);
    expect(rules.filter(isAlertingRule)).toEqual([]);
  });

  it("keys Sloth's file decoder ignores (pageAlert beside page_alert) are warnings with a did-you-mean", async () => {
    const { warnings, issues } = await loadSloPaths([`${PARITY}/camel-keys-file-form.yaml`]);
    expect(issues).toEqual([]);
    expect(warnings.filter((w) => /key ignored/.test(w)).map((w) => w.replace(/^.*parity\//, ''))).toEqual([
      'camel-keys-file-form.yaml:25:9 slos[0].alerting.pageAlert: key ignored (Sloth ignores it too); did you mean "page_alert"?',
      'camel-keys-file-form.yaml:28:9 slos[0].alerting.ticketAlert: key ignored (Sloth ignores it too); did you mean "ticket_alert"?',
    ]);
  });
});

describe('keys the Kubernetes form has no field for', () => {
  it('a file-form spelling in a PrometheusServiceLevel (page_alert) is ignored with a did-you-mean, as the CRD drops it', () => {
    const text = [
      'apiVersion: sloth.slok.dev/v1',
      'kind: PrometheusServiceLevel',
      'spec:',
      '  service: snake',
      '  slos:',
      '    - name: a',
      '      objective: 99',
      '      sli: { events: { errorQuery: "e[{{.window}}]", totalQuery: "t[{{.window}}]" } }',
      '      alerting:',
      '        page_alert: { disable: true }',
    ].join('\n');
    const result = convertDocuments(parseDocuments(text, 'k.yaml').sources, 'k.yaml');
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual([
      'k.yaml:10:21 spec.slos[0].alerting.page_alert: key ignored (a PrometheusServiceLevel has no such field); did you mean "pageAlert"?',
    ]);
    // Ignored: the page alert stays on, as in Sloth.
    expect((result.services[0]!.slo.objectives as Array<{ alert: unknown }>)[0]!.alert).toEqual({ burnRateWindows: 'google-sre-30d' });
  });
});

describe('Sloth files of several documents', () => {
  it('warnings name the document and its line', async () => {
    const { warnings } = await loadSloPaths([`${PARITY}/k8s-multi-document.yaml`]);
    expect(warnings.map((w) => w.replace(/^.*parity\//, '')).filter((w) => /alert name/.test(w))).toEqual([
      'k8s-multi-document.yaml:23:15 spec.slos[0].alerting.name: document 1/2: alert name "SearchErrors" dropped: vigil names burn-rate alerts VigilErrorBudgetBurn',
      'k8s-multi-document.yaml:53:15 spec.slos[0].alerting.name: document 2/2: alert name "IndexerFailures" dropped: vigil names burn-rate alerts VigilErrorBudgetBurn',
    ]);
  });

  it('each document is read in its own form, and errors name the document and its line', () => {
    const text = [
      'version: prometheus/v1',
      'service: a',
      'slos: [{ name: x, objective: 100, sli: { raw: { error_ratio_query: "r[{{.window}}]" } } }]',
      '---',
      'apiVersion: sloth.slok.dev/v1',
      'kind: PrometheusServiceLevel',
      'spec:',
      '  service: b',
      '  slos: [{ name: y, objective: 99, sli: { events: { errorQuery: "e", totalQuery: "t[{{.window}}]" } } }]',
      '---',
      'apiVersion: openslo/v1alpha',
      'kind: SLO',
      'metadata: { name: z }',
      'spec: { service: c, objectives: [{ target: 0.99, ratioMetrics: { good: { source: prometheus, queryType: promql, query: "g[{{.window}}]" }, total: { source: prometheus, queryType: promql, query: "t[{{.window}}]" } } }] }',
    ].join('\n');
    const result = convertDocuments(parseDocuments(text, 'm.yaml').sources, 'm.yaml');
    expect(result.issues.map(formatIssue)).toEqual([
      'm.yaml:3:30 slos[0].objective: document 1/3: expected an objective below 100 (100% leaves no error budget)',
      'm.yaml:9:65 spec.slos[0].sli.events.errorQuery: document 2/3: expected a {{.window}} placeholder where the range goes, e.g. rate(x[{{.window}}])',
    ]);
    expect(result.services.map((s) => [s.service, s.document])).toEqual([['c', 'document 3/3']]);
  });

  it('a vigil document among others keeps the one-document rule', async () => {
    const { validateSloSources } = await import('../../../src/config/load-slo.js');
    const text =
      'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: v\nobjectives: []\n---\nversion: prometheus/v1\nservice: s\nslos: []\n';
    expect(validateSloSources(parseDocuments(text, 'x.yaml').sources).issues.map(formatIssue)).toEqual([
      'x.yaml:5:1: holds 2 YAML documents; expected one (put each in its own file)',
    ]);
  });
});

describe('plugins stay unsupported, with positioned messages', () => {
  it('SLI plugins and SLO plugins (spec, SLO, Kubernetes form)', async () => {
    const { issues, files } = await loadSloPaths([`${ROOT}test/fixtures/sloth/plugins.yaml`]);
    expect(files).toEqual([]);
    expect(
      issues.map((i) =>
        formatIssue(i)
          .replace(/^.*fixtures\/sloth\//, '')
          .replace(/ run Go code.*$/, ''),
      ),
    ).toEqual([
      'plugins.yaml:6:3 slo_plugins: document 1/2: Sloth SLO plugins (sloth.dev/core/debug/v1)',
      'plugins.yaml:14:9 slos[0].sli.plugin: document 1/2: Sloth SLI plugins (team_availability)',
      'plugins.yaml:19:7 slos[1].plugins: document 1/2: Sloth SLO plugins (sloth.dev/contrib/info_labels/v1)',
      'plugins.yaml:32:5 spec.sloPlugins: document 2/2: Sloth SLO plugins (sloth.dev/contrib/denominator_corrected_rules/v1)',
    ]);
  });

  it("Sloth's AlertWindows kind says what to use instead", () => {
    const text = 'apiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec: { sloPeriod: 7d }\n';
    const result = convertDocuments(parseDocuments(text, 'w.yaml').sources, 'w.yaml');
    expect(result.issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^w\.yaml:2:7 kind: Sloth AlertWindows \(custom burn-rate windows\) are not read: name one of vigil's window sets/,
      ),
    ]);
  });
});

describe('OpenSLO v1alpha', () => {
  it('reads as Sloth does: good/total PromQL with {{.window}}, target, a window of days', async () => {
    const { files, issues } = await loadSloPaths([`${PARITY}/openslo-v1alpha.yaml`]);
    expect(issues).toEqual([]);
    const [o] = files[0]!.slo.objectives;
    expect(o!.indicator).toEqual({
      ratio: {
        source: 'default',
        good: 'sum(rate(checkout_requests_total{code!~"5.."}[{{window}}]))',
        total: 'sum(rate(checkout_requests_total[{{window}}]))',
      },
    });
    expect(o!.target).toBeCloseTo(0.999, 12);
    expect(o!.period).toBe(30 * 24 * 3600 * 1000);
    expect(files[0]!.slo.description).toBeUndefined();
    expect(o!.description).toBe('Checkout requests answered without a server error.');
  });

  it('one vigil objective per v1alpha objective, each with its own ratio', async () => {
    const { files } = await loadSloPaths([`${PARITY}/openslo-v1alpha-multi.yaml`]);
    const latency = files[0]!.slo.objectives.filter((o) => o.name.startsWith('gateway-latency'));
    expect(latency.map((o) => [o.name, (o.indicator as { ratio: { good: string } }).ratio.good, o.target])).toEqual([
      ['gateway-latency-1', 'sum(rate(gateway_duration_seconds_bucket{le="0.3"}[{{window}}]))', 0.99],
      ['gateway-latency-2', 'sum(rate(gateway_duration_seconds_bucket{le="3"}[{{window}}]))', 0.999],
    ]);
  });

  it('what it cannot read is an error at the v1alpha key as written', async () => {
    const { issues } = await loadSloPaths([`${ROOT}test/fixtures/openslo/v1alpha-invalid.yaml`]);
    expect(issues.map((i) => formatIssue(i).replace(/^.*fixtures\/openslo\//, ''))).toEqual([
      'v1alpha-invalid.yaml:18:13 spec.timeWindows[0].unit: expected unit Second, Minute, Hour, Day or Week (months, quarters and years vary in length), got "Month"',
      'v1alpha-invalid.yaml:12:45 spec.objectives[0].ratioMetrics.good.queryType: expected queryType promql (vigil evaluates PromQL), got "query"',
      'v1alpha-invalid.yaml:15:7 spec.objectives[1]: expected ratioMetrics (good or bad, and total), or a thresholdMetric under spec.indicator',
    ]);
  });

  it("the v1 converter's findings point at the v1alpha keys (a rate with counter: true, a missing total)", () => {
    const text = [
      'apiVersion: openslo/v1alpha',
      'kind: SLO',
      'metadata: { name: s }',
      'spec:',
      '  service: svc',
      '  objectives:',
      '    - target: 0.99',
      '      ratioMetric:',
      '        counter: true',
      '        good: { source: prometheus, queryType: promql, query: "sum(rate(ok_total[5m]))" }',
      '        total: { source: prometheus, queryType: promql, query: all_total }',
      '    - target: 0.99',
      '      ratioMetrics:',
      '        good: { source: prometheus, queryType: promql, query: ok_total }',
    ].join('\n');
    const result = convertDocuments(parseDocuments(text, 'a.yaml').sources, 'a.yaml');
    expect(result.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message.replace(/ \(.*$|:.*$/, '')}`)).toEqual([
      '10:63 spec.objectives[0].ratioMetric.good.query: the query is already a rate',
      '13:7 spec.objectives[1].ratioMetrics.total: expected total beside good or bad',
    ]);
  });
});
