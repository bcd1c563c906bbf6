import { execFile } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSloPaths } from '../../src/config/load-slo.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { generateAll } from '../../src/generate/generate.js';
import {
  type AlertmanagerHandle,
  type PrometheusHandle,
  startAlertmanager,
  startPrometheus,
  WebhookReceiver,
  waitFor,
} from '../harness/launchers.js';

/**
 * The generated rules against the real Prometheus tools: every rule file passes
 * `promtool check rules`, the committed `promtool test rules` files prove the alerts' behaviour
 * over time, and a real Prometheus loaded with generated rules fires into a real Alertmanager.
 */

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const PROMTOOL = '/usr/bin/promtool';

function requirePromtool(): string {
  try {
    accessSync(PROMTOOL, constants.X_OK);
    return PROMTOOL;
  } catch {
    throw new Error(`promtool not found at ${PROMTOOL}: apt-get install -y prometheus`);
  }
}

async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(requirePromtool(), args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Generates rules for SLO paths into a fresh folder; returns the rule file paths. */
async function generateInto(dir: string, paths: string[]): Promise<string[]> {
  const loaded = await loadSloPaths(paths, { cwd: ROOT });
  expect(loaded.issues).toEqual([]);
  const out = generateAll(
    loaded.files.map((f) => ({ path: f.path, slo: f.slo })),
    // A team's runbook base, so the page below shows the link travelling to Alertmanager.
    { windowSets: SHIPPED_WINDOW_SETS, runbookBase: 'https://runbooks.example.com/slo' },
  );
  const files: string[] = [];
  for (const f of out.files.filter((x) => x.folder === 'alerts')) {
    const path = join(dir, f.name);
    writeFileSync(path, f.content);
    files.push(path);
  }
  return files;
}

const tmp = mkdtempSync('/tmp/vt-rules-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('promtool check rules', () => {
  it('accepts every committed rule file', async () => {
    const files = [
      ...readdirSync(join(ROOT, 'alerts'))
        .filter((n) => n.endsWith('.rules.yaml'))
        .map((n) => `alerts/${n}`),
      ...readdirSync(join(ROOT, 'test/promtool/rules')).map((n) => `test/promtool/rules/${n}`),
    ];
    expect(files).toContain('alerts/ml-services.rules.yaml');
    const result = await promtool('check', 'rules', ...files);
    expect(result.out).not.toMatch(/FAILED/);
    expect(result.code, result.out).toBe(0);
    expect(result.out.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  it('accepts the rules generated from the Sloth and OpenSLO examples', async () => {
    const dir = join(tmp, 'imported');
    mkdirSync(dir);
    const files = await generateInto(dir, [
      'test/fixtures/sloth/getting-started.yaml',
      'test/fixtures/sloth/raw-and-disabled.yaml',
      'test/fixtures/sloth/kubernetes-form.yaml',
      'test/fixtures/sloth/ignored-keys.yaml',
      'test/fixtures/openslo/inline-slo.yaml',
    ]);
    expect(files).toHaveLength(5);
    const result = await promtool('check', 'rules', ...files);
    expect(result.code, result.out).toBe(0);
  });

  // Our own files in the shapes of every plugin-free example spec and good validation fixture
  // of Sloth's repository (the table is in test/unit/import/sloth-parity.test.ts): Sloth's
  // file and Kubernetes forms, files of several documents, OpenSLO v1alpha.
  it('accepts the rules generated from the Sloth parity files', async () => {
    const dir = join(tmp, 'sloth-parity');
    mkdirSync(dir);
    const files = await generateInto(dir, ['test/fixtures/sloth/parity']);
    // 10 files, 12 services (two files hold two services each): one rule file per service.
    expect(files).toHaveLength(12);
    const result = await promtool('check', 'rules', ...files);
    expect(result.code, result.out).toBe(0);
    expect(result.out.match(/SUCCESS/g)?.length).toBe(12);
  });
});

describe('promtool test rules (test/promtool/*.test.yaml)', () => {
  const tests = readdirSync(join(ROOT, 'test/promtool'))
    .filter((n) => n.endsWith('.test.yaml'))
    .sort();

  it('has the behaviour tests', () => {
    expect(tests).toEqual([
      'burn-page.test.yaml',
      'burn-ticket.test.yaml',
      'exporters.test.yaml',
      'grouped.test.yaml',
      'leak.test.yaml',
      'threshold.test.yaml',
    ]);
  });

  for (const name of tests) {
    it(`${name} passes`, async () => {
      const result = await promtool('test', 'rules', `test/promtool/${name}`);
      expect(result.out, result.out).toMatch(/SUCCESS/);
      expect(result.code, result.out).toBe(0);
    });
  }

  it('would catch a wrong `for:` (the tests are not vacuous)', async () => {
    const dir = join(tmp, 'mutated');
    mkdirSync(join(dir, 'rules'), { recursive: true });
    const rules = readFileSync(join(ROOT, 'test/promtool/rules/threshold.rules.yaml'), 'utf8');
    expect(rules).toContain('for: 5m');
    writeFileSync(join(dir, 'rules/threshold.rules.yaml'), rules.replaceAll('for: 5m', 'for: 1m'));
    copyFileSync(join(ROOT, 'test/promtool/threshold.test.yaml'), join(dir, 'threshold.test.yaml'));
    const result = await promtool('test', 'rules', join(dir, 'threshold.test.yaml'));
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/FAILED/);
  });
});

/** A test target: 100 requests a second, half of them 5xx (500x the 0.1% budget). */
class FailingTarget {
  private server!: Server;
  private readonly started = Date.now();
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      const seconds = (Date.now() - this.started) / 1000;
      const all = Math.floor(seconds * 100);
      const errors = Math.floor(all / 2);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        '# HELP http_requests_total Requests by status code.\n# TYPE http_requests_total counter\n' +
          `http_requests_total{code="200"} ${all - errors}\nhttp_requests_total{code="500"} ${errors}\n`,
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

describe('a real Prometheus with the generated rules, into a real Alertmanager', () => {
  let target: FailingTarget;
  let webhook: WebhookReceiver;
  let alertmanager: AlertmanagerHandle | undefined;
  let prometheus: PrometheusHandle | undefined;

  beforeAll(async () => {
    target = new FailingTarget();
    await target.start();
    webhook = await WebhookReceiver.start();
    const dir = join(tmp, 'live');
    mkdirSync(join(dir, 'slo'), { recursive: true });
    writeFileSync(
      join(dir, 'slo/checkout.yaml'),
      [
        'apiVersion: vigil/v1',
        'kind: ServiceLevels',
        'service: checkout',
        'objectives:',
        '  - name: availability',
        '    indicator:',
        '      ratio:',
        '        errors: sum(rate(http_requests_total{job="file-targets",code=~"5.."}[{{window}}]))',
        '        total: sum(rate(http_requests_total{job="file-targets"}[{{window}}]))',
        '    target: 99.9%',
      ].join('\n'),
    );
    const [ruleFile] = await generateInto(dir, [join(dir, 'slo')]);
    alertmanager = await startAlertmanager({ webhookUrl: webhook.url });
    prometheus = await startPrometheus({
      ruleFiles: [ruleFile!],
      alertmanagers: [alertmanager.url],
      targets: [{ targets: [`127.0.0.1:${target.port}`] }],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await webhook?.close();
    await target?.stop();
  });

  it('fires the 1h/5m page, which Alertmanager holds and on-call receives', async () => {
    const alerts = await waitFor(
      async () => {
        const res = await fetch(`${alertmanager!.url}/api/v2/alerts`);
        const list = (await res.json()) as AmAlert[];
        const pages = list.filter((a) => a.labels.alertname === 'VigilErrorBudgetBurn' && a.labels.window === '1h/5m');
        return pages.length > 0 ? list : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: 'VigilErrorBudgetBurn in Alertmanager' },
    );
    const page = alerts.find((a) => a.labels.window === '1h/5m')!;
    expect(page.labels).toMatchObject({ service: 'checkout', objective: 'availability', severity: 'page' });
    expect(page.status.state).toBe('active');
    expect(page.annotations.summary).toBe('checkout/availability: error budget burning 14.4x too fast (1h/5m)');
    const shown = /over 1h is ([\d.]+)%, above the bound 1\.44% \(14\.4 x the 0\.1% error budget/.exec(page.annotations.description ?? '');
    expect(shown, page.annotations.description).not.toBeNull();
    // Half the target's requests fail: the 1h ratio is about 50% (scrape timing moves it a little).
    expect(Number(shown![1])).toBeGreaterThan(45);
    expect(Number(shown![1])).toBeLessThan(55);
    expect(page.annotations.runbook_url).toBe('https://runbooks.example.com/slo#error-budget-burn');
    expect(page.annotations.dashboard_url).toBe('/d/vigil-svc-checkout/checkout');
    // Every pair burns at 500x: all four fire, each saying which pair it is.
    await waitFor(
      async () => {
        const list = (await (await fetch(`${alertmanager!.url}/api/v2/alerts`)).json()) as AmAlert[];
        const windows = list
          .filter((a) => a.labels.alertname === 'VigilErrorBudgetBurn')
          .map((a) => a.labels.window)
          .sort();
        return windows.join(',') === '1d/2h,1h/5m,3d/6h,6h/30m';
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: 'all four window pairs' },
    );
    // The guarded objective burns just as fast but its traffic is under minTraffic: quiet.
    const firing = (await (await fetch(`${prometheus!.url}/api/v1/query?query=ALERTS`)).json()) as {
      data: { result: Array<{ metric: Record<string, string> }> };
    };
    expect(firing.data.result.map((r) => r.metric.objective)).not.toContain('availability-guarded');
    expect(firing.data.result.filter((r) => r.metric.objective === 'availability')).toHaveLength(4);
    const delivered = await webhook.waitFor((r) => JSON.stringify(r.body).includes('"window":"1h/5m"'), 30_000);
    expect((delivered.body as { status: string }).status).toBe('firing');
  });
});
