// `npm run bench:status-page`: the status page's server side against static routes of the same
// bytes, in the same process and run (fastify's inject: no sockets, so the figures are the
// handler's own cost), and the page weight.
//  1. GET / for 300 services vs a route sending the same HTML prebuilt: as served (kept per
//     snapshot), and rendered per request (a search matching every service).
//  2. GET .../history for 24 h of one objective recorded every 5 s (17 280 points, downsampled
//     to 300 buckets) vs a route sending the same JSON prebuilt: the answer open pages share per
//     snapshot, and one computed per request.
//  3. Page weight: HTML + JS + CSS, gzip -9, for the overview (300 services) and a service page.

import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { buildServer } from '../src/server/build-server.js';
import type { ServiceResult, Snapshot } from '../src/snapshot/snapshot-schema.js';
import { SampleStore } from '../src/store/sample-store.js';
import { loadAssets } from '../src/ui/assets.js';
import { recordSnapshot } from '../src/ui/history-recorder.js';
import { statusPageFixture } from '../test/support/status-page-fixture.js';

const SERVICES = 300;
const DAY = 86_400_000;
const CYCLE = 5000;

function bigSnapshot(now: number): { snapshot: Snapshot; store: SampleStore } {
  const { snapshot } = statusPageFixture(now, 'svc-000');
  const template = snapshot.services[0] as ServiceResult;
  const services: ServiceResult[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    services.push({
      ...template,
      service: name,
      labels: { team: `team-${i % 12}`, tier: i % 3 === 0 ? 'gold' : 'silver' },
      status: i % 17 === 0 ? 'breach' : i % 5 === 0 ? 'warning' : 'ok',
    });
  }
  const big: Snapshot = { ...snapshot, services };
  // 24 h of one objective's figures, one point per 5 s cycle, as the daemon records them.
  const store = new SampleStore({ retentionMs: 2 * DAY, maxPointsPerSeries: 20_000 });
  const one: Snapshot = { ...big, services: [services[0]!] };
  for (let t = now - DAY; t <= now; t += CYCLE) {
    const o = services[0]!.objectives[0]!;
    const value = 0.03 + 0.01 * Math.sin(t / 3_600_000);
    recordSnapshot(store, {
      ...one,
      evaluatedAt: t,
      services: [{ ...services[0]!, objectives: [{ ...o, value: { ...o.value!, value } }] }],
    });
  }
  return { snapshot: big, store };
}

type Url = string | ((i: number) => string);

async function timeInject(app: ReturnType<typeof buildServer>, url: Url, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = await app.inject({ url: typeof url === 'string' ? url : url(i) });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  }
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}

/** Alternating rounds of the route and its static twin; the median of each. */
async function compare(app: ReturnType<typeof buildServer>, url: Url, staticUrl: string, n: number, rounds = 5) {
  const route: number[] = [];
  const fixed: number[] = [];
  await timeInject(app, url, Math.ceil(n / 5));
  await timeInject(app, staticUrl, Math.ceil(n / 5));
  for (let r = 0; r < rounds; r++) {
    route.push(await timeInject(app, url, n));
    fixed.push(await timeInject(app, staticUrl, n));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { route: median(route), fixed: median(fixed) };
}

async function main(): Promise<void> {
  // Whole seconds, so the computed-history URLs below can add a fraction to `to`.
  const now = Math.floor(Date.now() / 1000) * 1000;
  const { snapshot, store } = bigSnapshot(now);
  const assets = loadAssets(resolve('dist/ui/assets'));
  if (!assets) throw new Error('no bundle: run `npm run build:ui` first');
  const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: new Registry(), store, uiAssets: assets });
  // The static twins send what the real routes sent first (filled in below, before timing).
  let overview = '';
  let history = '';
  app.get('/static/overview', (_req, reply) => reply.type('text/html; charset=utf-8').send(overview));
  app.get('/static/history', (_req, reply) => reply.type('application/json; charset=utf-8').send(history));

  overview = (await app.inject({ url: '/' })).body;
  const historyUrl = `/api/sla/svc-000/objectives/decide-latency-p95/history?from=${(now - DAY) / 1000}&to=${now / 1000}`;
  history = (await app.inject({ url: historyUrl })).body;
  const servicePage = (await app.inject({ url: '/services/svc-000' })).body;

  const o = await compare(app, '/', '/static/overview', 200);
  // A search matching every service renders per request (the unfiltered page is kept per snapshot).
  const oq = await compare(app, '/?q=svc', '/static/overview', 200);
  // Open pages share one answer per snapshot; a new question (here: a different `to` each time) is computed.
  const h = await compare(app, historyUrl, '/static/history', 500);
  let k = 0;
  const hc = await compare(app, () => `${historyUrl}.${String(++k).padStart(3, '0')}`, '/static/history', 200);
  const points = (JSON.parse(history) as { t: number[] }).t.length;

  const gz = (s: string | Buffer) => gzipSync(s, { level: 9 }).length;
  const kb = (b: number) => (b / 1024).toFixed(1);
  const js = assets.script.gzip.length;
  const css = assets.style.gzip.length;
  console.log(
    `overview, ${SERVICES} services (${kb(overview.length)} KB HTML): render ${o.route.toFixed(0)} µs/request vs static ${o.fixed.toFixed(0)} µs/request (x${(o.route / o.fixed).toFixed(1)})`,
  );
  console.log(
    `overview rendered per request (?q= matching all): ${oq.route.toFixed(0)} µs/request vs static ${oq.fixed.toFixed(0)} µs/request (x${(oq.route / oq.fixed).toFixed(1)})`,
  );
  console.log(
    `history, 24 h at 5 s (${DAY / CYCLE + 1} points -> ${points} buckets, ${kb(history.length)} KB JSON), shared answer: ${h.route.toFixed(0)} µs/request vs static ${h.fixed.toFixed(0)} µs/request (x${(h.route / h.fixed).toFixed(1)})`,
  );
  console.log(
    `history, computed per request: ${hc.route.toFixed(0)} µs/request vs static ${hc.fixed.toFixed(0)} µs/request (x${(hc.route / hc.fixed).toFixed(1)})`,
  );
  console.log(`page weight (gzip -9): app.js ${kb(js)} KB, app.css ${kb(css)} KB`);
  console.log(
    `  overview (${SERVICES} services): HTML ${kb(gz(overview))} KB + JS + CSS = ${kb(gz(overview) + js + css)} KB (budget 150 KB)`,
  );
  console.log(`  service page: HTML ${kb(gz(servicePage))} KB + JS + CSS = ${kb(gz(servicePage) + js + css)} KB (budget 150 KB)`);
  await app.close();
}

await main();
