// Writes the status page and load-test report screenshots under docs/images/ from the test
// fixtures, in Debian's headless Chromium: `npm run docs:screenshots`. Not a test: it draws
// pictures for the docs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { reportHtml } from '../../src/loadtest/report-html.js';
import { buildServer } from '../../src/server/build-server.js';
import type { ObjectiveStatus, ServiceResult, Snapshot } from '../../src/snapshot/snapshot-schema.js';
import { loadAssets, loadReportAssets } from '../../src/ui/assets.js';
import { objectivePairs } from '../../src/ui/burn-pairs.js';
import { closeChromium, launchChromium } from '../harness/chromium.js';
import { configWith } from '../unit/evaluate/evaluate-fixtures.js';
import { profileReport, stressReport } from './loadtest-report-fixture.js';
import { objectiveResult } from './snapshot-builders.js';
import { statusPageFixture } from './status-page-fixture.js';

// Run from the project root (the npm script does): the compiled copy lives elsewhere.
const OUT = `${resolve('docs/images')}/`;

/** The fixture with plain texts (the tests keep the markup-laden ones) and a few more services for the overview. */
function docsSnapshot(base: Snapshot): Snapshot {
  const [main, calm] = base.services as ServiceResult[];
  const clean: ServiceResult = {
    ...main!,
    labels: { team: 'ml-platform', tier: 'gold' },
    objectives: main!.objectives.map((o) => ({
      ...o,
      ...(o.description ? { description: 'The ML decision endpoint answers within 50 ms at P95.' } : {}),
      ...(o.error ? { error: 'postgres/default: connect ECONNREFUSED 127.0.0.1:5432' } : {}),
      breakdown: o.breakdown.map((b) =>
        b.labels.queryid?.includes('<') ? { ...b, labels: { ...b.labels, queryid: '-7260893318131537722' } } : b,
      ),
    })),
  };
  const extra = (service: string, status: ObjectiveStatus, team: string, budget: number | null, display: string): ServiceResult => ({
    ...calm!,
    service,
    status,
    labels: { team },
    dataAgeSeconds: status === 'no_data' ? 412 : 2,
    objectives: [
      objectiveResult({
        name: 'p95-latency',
        kind: 'latency',
        status,
        value: status === 'no_data' ? null : { value: 0.04, unit: 'seconds', display },
        threshold: {
          max: { value: 0.05, unit: 'seconds', display: '50ms' },
          min: null,
          warning: { value: 0.04, unit: 'seconds', display: '40ms' },
        },
        target: budget === null ? null : 0.99,
        errorBudgetRemaining: budget,
      }),
    ],
  });
  return {
    ...base,
    sources: base.sources.map((s) => (s.lastError ? { ...s, lastError: 'connect ECONNREFUSED 127.0.0.1:5432' } : s)),
    services: [
      clean,
      { ...calm!, service: 'search-api' },
      extra('feature-store', 'warning', 'ml-platform', 0.31, '44.2ms'),
      extra('batch-scoring', 'no_data', 'ml-batch', null, ''),
      extra('recommendations', 'ok', 'growth', 0.97, '12.8ms'),
      extra('ranking', 'ok', 'growth', 0.88, '21.0ms'),
    ],
  };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const fixture = statusPageFixture(Date.now(), 'ml-services');
  const snapshot = docsSnapshot(fixture.snapshot);
  // The latency objective's window pairs as the shipped 30-day set gives them.
  const config = configWith([{ name: 'decide-latency-p95', indicator: { probe: { path: '/health' } }, target: '99%' }]);
  const app = buildServer({
    getSnapshot: () => snapshot,
    metricsRegistry: new Registry(),
    store: fixture.store,
    pollSeconds: () => 5,
    uiAssets: loadAssets(resolve('dist/ui/assets')),
    burnPairs: (_service, objective) => objectivePairs(config, 'ml-services', objective),
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const shot = async (path: string, file: string, width: number, dark = false) => {
      await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: dark ? 'dark' : 'light' }]);
      await page.goto(path.startsWith('file:') ? path : `${base}${path}`, { waitUntil: 'networkidle0' });
      await new Promise((r) => setTimeout(r, 500));
      await page.screenshot({ path: `${OUT}${file}`, fullPage: true });
      console.log(`wrote docs/images/${file}`);
    };
    await shot('/', 'status-overview.png', 1200);
    await shot('/services/ml-services?range=6h', 'status-service-breach-leak.png', 1200);
    await shot('/services/ml-services?range=6h', 'status-service-dark.png', 1200, true);
    await shot('/', 'status-overview-phone.png', 390);
    // The load-test report is a file: written from the fixture reports and opened from disk.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-shots-'));
    try {
      const reports = { 'loadtest-report-stress.png': stressReport(), 'loadtest-report-profile.png': profileReport() };
      for (const [file, report] of Object.entries(reports)) {
        const html = join(dir, file.replace('.png', '.html'));
        writeFileSync(html, reportHtml(report, loadReportAssets(resolve('dist/ui/assets'))));
        await shot(pathToFileURL(html).href, file, 1200);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await closeChromium(browser);
    await app.close();
  }
}

await main();
