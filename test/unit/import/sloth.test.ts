import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertDocuments, convertFile, parseDocuments } from '../../../src/config/import/index.js';
import { loadSloPaths } from '../../../src/config/load-slo.js';
import { generateAll } from '../../../src/generate/generate.js';
import { type AlertingRule, isAlertingRule, type RecordingRule } from '../../../src/generate/rule-model.js';
import { serviceRules } from '../../../src/generate/service-rules.js';
import { ROOT, shippedOptions } from '../generate/fixtures.js';

const GETTING_STARTED = `${ROOT}test/fixtures/sloth/getting-started.yaml`;
const ERRORS = 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))';
const TOTAL = 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))';

describe('Sloth prometheus/v1', () => {
  it('converts the getting-started example to a vigil file', async () => {
    const result = await convertFile(GETTING_STARTED, 'getting-started.yaml');
    expect(result.issues).toEqual([]);
    expect(result.services).toHaveLength(1);
    expect(result.services[0]!.slo).toEqual({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: 'myservice',
      labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2' },
      objectives: [
        {
          name: 'requests-availability',
          description: 'Share of HTTP requests answered without a 5xx or 429.',
          labels: { category: 'availability' },
          indicator: { ratio: { errors: ERRORS.replace('{{.window}}', '{{window}}'), total: TOTAL.replace('{{.window}}', '{{window}}') } },
          target: '99.9%',
          period: '30d',
          alert: { burnRateWindows: 'google-sre-30d' },
        },
      ],
    });
    // What vigil cannot carry is said, with positions.
    expect(result.warnings.join('\n')).toMatch(
      /getting-started.yaml:19:13 slos\[0\]\.alerting\.name: alert name "MyServiceHighErrorRate" dropped/,
    );
  });

  it('generates rules that mean what Sloth documents for it', async () => {
    const [file] = (await loadSloPaths([GETTING_STARTED])).files;
    const rules = serviceRules(file!.slo, await shippedOptions()).file.groups.flatMap((g) => g.rules);
    const records = rules.filter((r): r is RecordingRule => !isAlertingRule(r));
    // Sloth: slo:sli_error:ratio_rate<w> = error_query / total_query with the window put in.
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
      const rec = records.find((r) => r.record === `slo:sli_error:ratio_rate${w}`)!;
      expect(rec.expr).toBe(`(${ERRORS.replace('{{.window}}', w)} or vector(0))\n/\n${TOTAL.replace('{{.window}}', w)}`);
    }
    // Sloth's page alert: 14.4x over 1h and 5m, or 6x over 6h and 30m; ticket: 3x over 1d and 2h,
    // or 1x over 3d and 6h; all against the 0.1% budget of 99.9%. vigil emits one alert per pair.
    const alerts = rules.filter(isAlertingRule) as AlertingRule[];
    const pairs = alerts.map((a) => {
      const m = [...a.expr.matchAll(/slo:sli_error:ratio_rate(\w+)\{[^}]*\} > \((\S+) \* (\S+)\)/g)];
      return { severity: a.labels.severity, windows: m.map((x) => x[1]), factor: m[0]![2], budget: m[0]![3] };
    });
    expect(pairs).toEqual([
      { severity: 'page', windows: ['1h', '5m'], factor: '14.4', budget: '0.001' },
      { severity: 'page', windows: ['6h', '30m'], factor: '6', budget: '0.001' },
      { severity: 'ticket', windows: ['1d', '2h'], factor: '3', budget: '0.001' },
      { severity: 'ticket', windows: ['3d', '6h'], factor: '1', budget: '0.001' },
    ]);
    // Sloth's objective labels reach the alerts.
    expect(alerts[0]!.labels).toMatchObject({ category: 'availability', owner: 'myteam', tier: '2', service: 'myservice' });
  });

  it('a raw error ratio and a disabled ticket alert', async () => {
    const [file] = (await loadSloPaths([`${ROOT}test/fixtures/sloth/raw-and-disabled.yaml`])).files;
    const o = file!.slo.objectives[0]!;
    expect(o.alert.burnRateWindows).toBe('page-only-30d');
    const rules = serviceRules(file!.slo, await shippedOptions()).file.groups.flatMap((g) => g.rules);
    const r5m = rules.find((r) => !isAlertingRule(r) && r.record === 'slo:sli_error:ratio_rate5m')!;
    expect(r5m.expr).toBe(
      '(sum(rate(api_errors_total[5m])) / sum(rate(api_requests_total[5m])))\n/\n((sum(rate(api_errors_total[5m])) / sum(rate(api_requests_total[5m]))) * 0 + 1)',
    );
    expect(rules.filter(isAlertingRule).map((a) => a.labels.window)).toEqual(['1h/5m', '6h/30m']);
  });

  it('reports mistakes with file, line and column', async () => {
    const result = await convertFile(`${ROOT}test/fixtures/sloth/invalid.yaml`, 'invalid.yaml');
    expect(result.services).toEqual([]);
    expect(result.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      'invalid.yaml:5:16 slos[0].objective: expected an objective below 100 (100% leaves no error budget)',
      'invalid.yaml:14:9 slos[1].sli.plugin: Sloth SLI plugins (sloth-common/kubernetes/apiserver/availability) run Go code vigil cannot; write the SLI as events or raw queries',
    ]);
    expect(result.issues.every((i) => i.code === 'VIGIL_ERR_CONFIG_IMPORT')).toBe(true);
    // Sloth ignores keys it does not know; vigil reads on but says so, with the nearest key.
    expect(result.warnings).toEqual([
      'invalid.yaml:16:19 slos[1].alerting.pgae_alert: key ignored (Sloth ignores it too); did you mean "page_alert"?',
    ]);
  });

  it('needs {{.window}} in its queries and refuses plugins, at their positions', () => {
    const text = [
      'version: "prometheus/v1"',
      'service: svc',
      'slos:',
      '  - name: a',
      '    objective: 99',
      '    sli:',
      '      events:',
      '        error_query: sum(rate(e[5m]))',
      '        total_query: sum(rate(t[{{.window}}]))',
      '  - name: b',
      '    objective: 99',
      '    sli:',
      '      plugin: { id: x/y }',
    ].join('\n');
    const { sources } = parseDocuments(text, 's.yaml');
    const result = convertDocuments(sources, 's.yaml');
    expect(result.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      '8:22 slos[0].sli.events.error_query: expected a {{.window}} placeholder where the range goes, e.g. rate(x[{{.window}}])',
      '13:15 slos[1].sli.plugin: Sloth SLI plugins (x/y) run Go code vigil cannot; write the SLI as events or raw queries',
    ]);
  });

  it('is accepted wherever a vigil SLO file is (the loader) and generates', async () => {
    const loaded = await loadSloPaths([GETTING_STARTED, `${ROOT}test/fixtures/sloth/invalid.yaml`], { cwd: ROOT });
    expect(loaded.files.map((f) => f.slo.service)).toEqual(['myservice']);
    expect(loaded.issues.map((i) => `${i.file}:${i.line}:${i.column}`)).toEqual([
      'test/fixtures/sloth/invalid.yaml:5:16',
      'test/fixtures/sloth/invalid.yaml:14:9',
    ]);
    const out = generateAll([{ path: 'x', slo: loaded.files[0]!.slo }], await shippedOptions());
    expect(out.files.map((f) => f.name)).toEqual(['myservice.rules.yaml', 'myservice.json', 'overview.json']);
  });
});

// Sloth's Kubernetes form (issue 15 item 6): sloth.slok.dev/v1 PrometheusServiceLevel is read as
// Sloth's controller reads it, camelCase keys included; other versions get one positioned issue.
describe("Sloth's Kubernetes format", () => {
  const k8s = (apiVersion: string, alerting = '{ pageAlert: { disable: true }, ticketAlert: { disable: true } }') =>
    [
      `apiVersion: ${apiVersion}`,
      'kind: PrometheusServiceLevel',
      'metadata: { name: myservice }',
      'spec:',
      '  service: myservice',
      '  labels: { tier: 2, critical: true }',
      '  slos:',
      '    - name: requests-availability',
      '      objective: 99.9',
      `      sli: { events: { errorQuery: '${ERRORS}', totalQuery: '${TOTAL}' } }`,
      `      alerting: ${alerting}`,
    ].join('\n');

  async function load(text: string) {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sloth-k8s-'));
    try {
      const file = join(dir, 'k8s.yaml');
      writeFileSync(file, text);
      return {
        loaded: await loadSloPaths([file], { cwd: dir }),
        converted: convertDocuments(parseDocuments(text, 'k8s.yaml').sources, 'k8s.yaml'),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('sloth.slok.dev/v1 converts, with typed label values spelt as strings', async () => {
    const { loaded, converted } = await load(k8s('sloth.slok.dev/v1'));
    expect(loaded.issues).toEqual([]);
    expect(converted.issues).toEqual([]);
    const slo = loaded.files[0]!.slo;
    expect(slo.service).toBe('myservice');
    expect(slo.labels).toEqual({ tier: '2', critical: 'true' });
    expect(slo.objectives[0]!.alert.disabled).toBe(true);
    expect('ratio' in slo.objectives[0]!.indicator).toBe(true);
  });

  it('a misspelt key is a warning at its position, named as written, with a did-you-mean', async () => {
    const { loaded } = await load(k8s('sloth.slok.dev/v1', '{ pageAlert: { disable: true }, ticketAlert: { disabled: true } }'));
    expect(loaded.issues).toEqual([]);
    expect(loaded.warnings).toEqual([
      'k8s.yaml:11:74 spec.slos[0].alerting.ticketAlert.disabled: key ignored (Sloth ignores it too); did you mean "disable"?',
    ]);
  });

  it.each(['sloth.slok.dev/v1alpha1', 'sloth.slok.dev/v2'])(
    '%s: one positioned issue naming the version Sloth serves',
    async (apiVersion) => {
      const { loaded, converted } = await load(k8s(apiVersion));
      for (const issues of [loaded.issues, converted.issues]) {
        expect(issues.map((i) => [i.file, i.line, i.column, i.path, i.code])).toEqual([
          ['k8s.yaml', 1, 13, 'apiVersion', 'VIGIL_ERR_CONFIG_IMPORT'],
        ]);
        expect(issues[0]!.message).toMatch(/^expected apiVersion sloth\.slok\.dev\/v1/);
      }
    },
  );
});
