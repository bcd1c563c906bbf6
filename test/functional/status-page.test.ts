// The status page in a real headless Chromium (Debian's package, driven by puppeteer-core). First
// against a server holding a fixture whose names, labels and texts carry markup: the pages render
// with no console errors, nothing injected runs, the charts draw, the history API matches the
// store. Then against a real daemon scraping an HTTP server started here: when its latency
// crosses the bound, the open page turns the objective to breach without a reload.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { Histogram, Registry as PromRegistry, Registry } from 'prom-client';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/daemon.js';
import { buildServer } from '../../src/server/build-server.js';
import { HISTORY_METRICS } from '../../src/ui/history-recorder.js';
import { canvasInk, closeChromium, launchChromium, watchedPage } from '../harness/chromium.js';
import { freePort, waitFor } from '../harness/services.js';
import { objectiveResult, serviceSnapshot } from '../support/snapshot-builders.js';
import { HOSTILE, statusPageFixture } from '../support/status-page-fixture.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

let browser: Browser | undefined;

beforeAll(async () => {
  // The bundle the daemon serves, built as `npm run build` builds it.
  await run('npm', ['run', 'build:ui'], { cwd: ROOT, timeout: 120_000 });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await closeChromium(browser);
});

describe('the status page over markup-laden data', () => {
  const fixture = statusPageFixture(Date.now());
  const app = buildServer({
    getSnapshot: () => fixture.snapshot,
    metricsRegistry: new Registry(),
    store: fixture.store,
    pollSeconds: () => 1,
  });
  let base = '';

  beforeAll(async () => {
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('renders the overview with no console errors, runs nothing injected, shows markup as text', async () => {
    const { page, errors } = await watchedPage(browser!);
    await page.goto(`${base}/`, { waitUntil: 'networkidle0' });
    const rows = await page.$$eval('#services tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-status'), tr.querySelector('th')!.textContent]),
    );
    expect(rows).toEqual([
      ['breach', HOSTILE.service],
      ['ok', 'calm-service'],
    ]);
    expect(await page.$$eval('img', (imgs) => imgs.length)).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    const chips = await page.$$eval('.chip', (cs) => cs.map((c) => c.textContent));
    expect(chips).toContain(`team=${HOSTILE.label}`);
    // Keyboard: Tab reaches the skip link first, then the form, then the first service link.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.className')).toBe('skip');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders the service page: no errors, nothing injected, every chart canvas has ink', async () => {
    const { page, errors } = await watchedPage(browser!);
    await page.goto(`${base}/services/${encodeURIComponent(fixture.service)}`, { waitUntil: 'networkidle0' });
    // SLI, budget and burn charts of the latency objective, the same three for the others that have them, memory, Redis.
    await page.waitForFunction("document.querySelectorAll('.uplot canvas').length >= 5", { timeout: 20_000 });
    const ink = await canvasInk(page);
    expect(ink.length).toBeGreaterThanOrEqual(5);
    for (const pixels of ink) expect(pixels).toBeGreaterThan(500);
    expect(await page.$eval('h1 .service-name', (e) => e.textContent)).toBe(HOSTILE.service);
    expect(await page.$eval('.description', (e) => e.textContent)).toBe(HOSTILE.description);
    expect(await page.$$eval('table.statements code', (cs) => cs.map((c) => c.textContent))).toContain(
      `queryid=${HOSTILE.queryid} database=ml`,
    );
    expect(await page.$$eval('img', (imgs) => imgs.length)).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('serves history points that match the store', async () => {
    const to = Math.floor(Date.now() / 1000);
    const from = to - 3600;
    const res = await fetch(
      `${base}/api/sla/${encodeURIComponent(fixture.service)}/objectives/decide-latency-p95/history?from=${from}&to=${to}&step=60`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { t: number[]; value: (number | null)[]; step_seconds: number };
    const [series] = fixture.store.select(
      HISTORY_METRICS.value,
      (l) => l.service === fixture.service && l.objective === 'decide-latency-p95',
    );
    let compared = 0;
    body.t.forEach((t, k) => {
      const { v } = series!.buffer.range(Math.max(t, from) * 1000, Math.min(t + 60, to) * 1000 - 1);
      const expected = v.length > 0 ? v[v.length - 1]! : null;
      // The last bucket ends at `to` itself: compare only whole buckets inside the range.
      if (t + 60 <= to) {
        expect(body.value[k]).toBe(expected);
        compared++;
      }
    });
    expect(compared).toBeGreaterThan(50);
  });
});

describe('a page left open', () => {
  it('does not grow in memory over many live updates and chart redraws', async () => {
    // A new snapshot every second whose latency objective flips between ok and breach: every poll
    // is a 200 with a changed status, so the page updates badges and redraws every chart each time.
    const fixture = statusPageFixture(Date.now());
    let flips = 0;
    let snapshot = fixture.snapshot;
    const flip = setInterval(() => {
      flips++;
      const [svc, ...rest] = snapshot.services;
      const objectives = svc!.objectives.map((o, i) => (i === 0 ? { ...o, status: flips % 2 ? ('breach' as const) : ('ok' as const) } : o));
      snapshot = { ...snapshot, evaluatedAt: Date.now(), services: [{ ...svc!, objectives }, ...rest] };
    }, 1000);
    const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: new Registry(), store: fixture.store, pollSeconds: () => 1 });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const { page, errors } = await watchedPage(browser!);
    try {
      const cdp = await page.createCDPSession();
      const heapAfterGc = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        return (await page.metrics()).JSHeapUsedSize!;
      };
      await page.goto(`${base}/services/${encodeURIComponent(fixture.service)}`, { waitUntil: 'networkidle0' });
      const polls = () => page.$eval('#live', (e) => e.textContent);
      await waitFor(async () => (await polls()) !== '', { timeoutMs: 10_000, intervalMs: 200, what: 'the first live update' });
      await new Promise((r) => setTimeout(r, 5000));
      const before = await heapAfterGc();
      const flipsBefore = flips;
      await new Promise((r) => setTimeout(r, 30_000));
      const after = await heapAfterGc();
      expect(flips - flipsBefore).toBeGreaterThanOrEqual(25);
      // 30 more updates with redraws: what a day would multiply. Allow noise, not a per-update leak.
      expect(after - before, `heap ${before} -> ${after} bytes`).toBeLessThan(512 * 1024);
      expect(errors).toEqual([]);
    } finally {
      clearInterval(flip);
      await page.close();
      await app.close();
    }
  }, 90_000);
});

describe('the overview left open', () => {
  it('adds a service that appears and re-sorts worst first on a status change, without a reload', async () => {
    const fleet = (entries: Array<[string, 'ok' | 'breach']>, at: number) => {
      const parts = entries.map(([name, status]) =>
        serviceSnapshot(name, [objectiveResult({ name: 'uptime', kind: 'probe', status })], at),
      );
      return { ...parts[0]!, services: parts.flatMap((p) => p.services) };
    };
    let snapshot = fleet(
      [
        ['alpha', 'ok'],
        ['bravo', 'ok'],
      ],
      Date.now(),
    );
    const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: new Registry(), pollSeconds: () => 1 });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const { page, errors } = await watchedPage(browser!);
    const rows = () =>
      page.$$eval('#services tbody tr', (trs) => trs.map((tr) => `${tr.getAttribute('data-service')}:${tr.getAttribute('data-status')}`));
    try {
      await page.goto(`${base}/`, { waitUntil: 'networkidle0' });
      expect(await rows()).toEqual(['alpha:ok', 'bravo:ok']);
      // A mark on the window: a reload would drop it.
      await page.evaluate(() => Object.assign(globalThis, { vigilTestMark: 1 }));

      snapshot = fleet(
        [
          ['alpha', 'ok'],
          ['bravo', 'ok'],
          ['charlie', 'ok'],
        ],
        Date.now(),
      );
      await waitFor(async () => (await rows()).length === 3, { timeoutMs: 15_000, intervalMs: 200, what: 'the new service row' });
      expect(await rows()).toEqual(['alpha:ok', 'bravo:ok', 'charlie:ok']);

      snapshot = fleet(
        [
          ['alpha', 'ok'],
          ['bravo', 'ok'],
          ['charlie', 'breach'],
        ],
        Date.now(),
      );
      await waitFor(async () => (await rows())[0] === 'charlie:breach', {
        timeoutMs: 15_000,
        intervalMs: 200,
        what: 'the breach sorted first',
      });
      expect(await rows()).toEqual(['charlie:breach', 'alpha:ok', 'bravo:ok']);
      expect(await page.$eval('#counts', (e) => e.textContent)).toMatch(/^3 services: 1 in breach/);
      expect(await page.evaluate(() => (globalThis as { vigilTestMark?: number }).vigilTestMark)).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await app.close();
    }
  }, 60_000);
});

describe('a real breach on an open page', () => {
  let dir: string;
  let target: Server;
  let failing = false;
  let traffic: NodeJS.Timeout | undefined;
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-status-page-'));
    mkdirSync(join(dir, 'slo'));
    const targetPort = await freePort();
    // A service's own histogram, scraped by vigil: 10 ms answers, or 400 ms ones once it turns slow.
    const registry = new PromRegistry();
    const duration = new Histogram({
      name: 'checkout_request_duration_seconds',
      help: 'request duration',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    traffic = setInterval(() => {
      for (let i = 0; i < 10; i++) duration.observe(failing ? 0.4 : 0.01);
    }, 100);
    target = createServer(
      (_req, res) => void registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body)),
    );
    await new Promise<void>((r) => target.listen(targetPort, '127.0.0.1', r));
    writeFileSync(
      join(dir, 'vigil.yaml'),
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        'slo: [slo]',
        'dataDir: data',
        'evaluateEvery: 1s',
        'sources:',
        `  scrape: { default: { url: 'http://127.0.0.1:${targetPort}/metrics', schedule: '* * * * * *', timeout: 1s } }`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'slo', 'svc.yaml'),
      [
        'apiVersion: vigil/v1',
        'kind: ServiceLevels',
        'service: checkout',
        'labels: { team: payments }',
        'objectives:',
        '  - name: request-latency-p95',
        '    description: "Requests answer within 100 ms at P95"',
        '    indicator: { latency: { histogram: checkout_request_duration_seconds, quantile: 0.95 } }',
        '    window: 10s',
        '    threshold: { max: 100ms }',
        '',
      ].join('\n'),
    );
    daemon = await Daemon.start({ configPath: join(dir, 'vigil.yaml'), logger: pino({ level: 'warn' }), watch: false });
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    clearInterval(traffic);
    await new Promise((r) => target?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function apiStatus(): Promise<string | null> {
    const res = await fetch(`${daemon!.url}/api/sla/checkout/current`);
    if (res.status !== 200) return null;
    return ((await res.json()) as { objectives: Array<{ status: string }> }).objectives[0]!.status;
  }

  it('turns the objective to breach on the open page within two evaluation cycles, without a reload', async () => {
    await waitFor(async () => (await apiStatus()) === 'ok', { timeoutMs: 30_000, intervalMs: 200, what: 'the latency objective ok' });
    const { page, errors } = await watchedPage(browser!);
    await page.goto(`${daemon!.url}/services/checkout`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('#objectives tr[data-objective="request-latency-p95"]', (tr) => tr.getAttribute('data-status'))).toBe('ok');
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));

    failing = true;
    await waitFor(async () => (await apiStatus()) === 'breach', {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the API reporting the breach',
    });
    // Two evaluation cycles of 1 s from the first breaching snapshot (the page polls once per cycle).
    await page.waitForFunction(
      `document.querySelector('#objectives tr[data-objective="request-latency-p95"]')?.getAttribute('data-status') === 'breach'`,
      {
        timeout: 2000,
        polling: 50,
      },
    );
    expect(await page.$eval('section[data-objective="request-latency-p95"] h2 .st', (e) => e.textContent?.trim())).toBe('✖ breach');
    expect(await page.$eval('h1 .st', (e) => e.getAttribute('data-status'))).toBe('breach');
    expect(loads).toEqual([]);
    // The SLI chart redraws from the history API with the breach in it.
    await page.waitForFunction("document.querySelectorAll('.uplot canvas').length >= 1", { timeout: 10_000 });
    expect(errors).toEqual([]);
    failing = false;
    await page.close();
  });
});
