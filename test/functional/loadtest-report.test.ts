// `vigil loadtest --report report.html` as a user runs it (the built CLI in a child process), the
// file opened from disk in a real headless Chromium (Debian's package, puppeteer-core) with the
// network off: a short profile run against the example service renders with no console errors,
// fetches nothing, draws its three charts, shows both views of each objective, and keeps a phase
// and a request name that carry markup as text. Then `--report-from` with saved reports: names
// that carry markup in every field stay text, and a stress run's breaking point is marked.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWire } from '../../src/core/wire-keys.js';
import { type MlServingHandle, startMlServing } from '../../src/examples/ml-serving/start-ml-serving.js';
import { loadtestReportSchema } from '../../src/loadtest/report-schema.js';
import { reportJson } from '../../src/loadtest/report-text.js';
import { canvasInk, closeChromium, launchChromium, watchedPage } from '../harness/chromium.js';
import { HOSTILE_REPORT, profileReport, stressReport } from '../support/loadtest-report-fixture.js';
import { nonSnakeKeys } from '../support/snake-keys.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'dist/cli/main.js');

/** Markup in the names a load profile may carry (SLO names cannot: they are lowercase slugs). */
const PHASE = '<script>window.__pwned=1</script>warm';
const KIND = '"><img src=x onerror="window.__pwned=2">decide';

const PROFILE = `apiVersion: vigil/v1
kind: LoadProfile
phases:
  - name: '${PHASE}'
    constant: { rate: 20, duration: 2s }
  - name: peak
    constant: { rate: 40, duration: 2s }
requests:
  - name: '${KIND.replaceAll("'", "''")}'
    method: POST
    path: /api/documentation-keeper/decide
    body: { task: '{{task}}' }
`;

const SLO = `apiVersion: vigil/v1
kind: ServiceLevels
service: ml-services
objectives:
  - name: decide-p95
    indicator:
      latency:
        histogram: 'http_request_duration_seconds{route="/api/documentation-keeper/decide"}'
        quantile: 0.95
    threshold: { max: 5s }
    window: 5m
  - name: decide-availability
    indicator:
      ratio:
        errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))'
        total: 'sum(rate(http_requests_total[{{window}}]))'
    target: 99%
    period: 30d
`;

async function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { timeout: 90_000, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let browser: Browser | undefined;
let dir = '';

beforeAll(async () => {
  // The report's inlined bundle, built as `npm run build` builds it.
  await run('npm', ['run', 'build:ui'], { cwd: ROOT, timeout: 120_000 });
  dir = mkdtempSync(join(tmpdir(), 'vigil-lt-report-'));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await closeChromium(browser);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens the file offline; every request the page makes is recorded (and anything but the file refused). */
async function openOffline(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const { page, errors } = await watchedPage(browser!);
  const requests: string[] = [];
  await page.setOfflineMode(true);
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    requests.push(req.url());
    if (req.url().startsWith('file:')) void req.continue();
    else void req.abort();
  });
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction("document.querySelectorAll('.uplot canvas').length >= 3", { timeout: 20_000 });
  return { page, errors, requests };
}

const cellTexts = (page: Page, selector: string) =>
  page.$$eval(selector, (cells) => cells.map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()));

describe('vigil loadtest --report', () => {
  let service: MlServingHandle;

  beforeAll(async () => {
    service = await startMlServing({ port: 0, defaultMetrics: false });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('writes one file that renders offline: charts drawn, both views of each objective, markup in names as text', async () => {
    writeFileSync(join(dir, 'profile.yaml'), PROFILE);
    writeFileSync(join(dir, 'slo.yaml'), SLO);
    const file = join(dir, 'run.html');
    const { code, stdout, stderr } = await vigil([
      'loadtest',
      '--url',
      service.url,
      '--profile',
      join(dir, 'profile.yaml'),
      '--slo',
      join(dir, 'slo.yaml'),
      '--report',
      file,
      '--json',
    ]);
    expect(stderr).toContain(`wrote ${file}`);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as unknown;
    expect(nonSnakeKeys(json)).toEqual([]);
    const report = fromWire(loadtestReportSchema, json);
    // The per-second series is in the JSON report too, with the profile's phases.
    expect(report.per_second?.phases.map((p) => p.name)).toEqual([PHASE, 'peak']);
    expect(report.per_second!.answered_per_second.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);

    const { page, errors, requests } = await openOffline(file);
    expect(requests).toEqual([pathToFileURL(file).href]);
    const ink = await canvasInk(page);
    expect(ink).toHaveLength(3);
    for (const pixels of ink) expect(pixels).toBeGreaterThan(500);
    // Nothing injected ran; the names are on the page as text.
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.$$eval('img', (imgs) => imgs.length)).toBe(0);
    expect(await cellTexts(page, '#phase-table tbody th')).toEqual([PHASE, 'peak']);
    expect(await page.evaluate('document.body.textContent')).toContain(KIND);
    // Each objective: its verdict, the load test's own view and vigil's.
    const verdicts = await page.$$eval('#verdicts tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-verdict')));
    expect(verdicts).toEqual(['held', 'held']);
    const client = await cellTexts(page, '#verdicts td.client');
    expect(client[0]).toMatch(/^✓ held P95 latency \(ms\): [\d.]+ ms ≤ 5000\.0 ms/);
    expect(client[1]).toMatch(/^✓ held good share/);
    const vigilView = await cellTexts(page, '#verdicts td.vigil');
    for (const v of vigilView) expect(v).toMatch(/^worst .+ last /);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders a saved report (--report-from) whose every name carries markup: all text, nothing runs', async () => {
    const saved = join(dir, 'hostile.json');
    const file = join(dir, 'hostile.html');
    writeFileSync(saved, reportJson(profileReport(HOSTILE_REPORT)));
    const { code, stderr } = await vigil(['loadtest', '--report-from', saved, '--report', file]);
    expect(stderr).toContain(`wrote ${file}`);
    expect(code).toBe(0);
    const { page, errors, requests } = await openOffline(file);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.$$eval('img', (imgs) => imgs.length)).toBe(0);
    expect(await page.$$eval('script', (s) => s.length)).toBe(2);
    expect(await cellTexts(page, '#verdicts tbody td:first-child')).toEqual([HOSTILE_REPORT.service, HOSTILE_REPORT.service]);
    expect(await cellTexts(page, '#verdicts tbody th')).toEqual(['decide-p95', HOSTILE_REPORT.objective]);
    expect(await cellTexts(page, '#phase-table tbody th')).toContain(HOSTILE_REPORT.phase);
    const text = (await page.evaluate('document.body.textContent')) as string;
    expect(text).toContain(HOSTILE_REPORT.kind);
    expect(text).toContain(HOSTILE_REPORT.error);
    for (const pixels of await canvasInk(page)) expect(pixels).toBeGreaterThan(500);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("marks a stress run's breaking point, and refuses a file that is not a report", async () => {
    const saved = join(dir, 'stress.json');
    const file = join(dir, 'stress.html');
    writeFileSync(saved, reportJson(stressReport()));
    expect((await vigil(['loadtest', '--report-from', saved, '--report', file])).code).toBe(0);
    const { page, errors } = await openOffline(file);
    const rows = await page.$$eval('#stress-steps tbody tr', (trs) => trs.map((tr) => [tr.className, tr.textContent ?? '']));
    expect(rows.map(([cls]) => cls)).toEqual(['', '', 'breaking']);
    expect(rows[2]![1]).toContain('breaking point');
    expect(await page.$eval('#breaking-point', (el) => el.textContent)).toBe('800 req/s');
    for (const pixels of await canvasInk(page)) expect(pixels).toBeGreaterThan(500);
    expect(errors).toEqual([]);
    await page.close();

    writeFileSync(join(dir, 'not-a-report.json'), '{"mode":"stress"}');
    const bad = await vigil(['loadtest', '--report-from', join(dir, 'not-a-report.json'), '--report', join(dir, 'x.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('VIGIL_ERR_LOADTEST_REPORT_INPUT');
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});
